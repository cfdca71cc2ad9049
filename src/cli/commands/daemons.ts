import { type Command, InvalidArgumentError } from 'commander';
import { runAgent } from '../../agent/main.ts';
import { runGateway } from '../../gateway/main.ts';
import { parseServerUrls } from '../../daemon/server-list.ts';
import { CliError, type Io } from '../context.ts';
import { enrolToken, TOKEN_FILE_HELP, TOKEN_HELP } from '../enrol-token.ts';

/** `plantgate gateway` and `plantgate agent`: the two data-plane daemons (run as root). */
export function registerDaemonCommands(program: Command, io: Io): void {
  program
    .command('gateway')
    .description('run a region gateway: terminates personal-VPN tunnels and site tunnels, applies its desired state to WireGuard and nftables')
    .option('--server <url[,url…]>', 'control plane URL; several (repeated or comma-separated) are tried in turn (env PLANTGATE_SERVER)', collectServers, [])
    .option('--token-file <file>', TOKEN_FILE_HELP)
    .option('--token <token>', TOKEN_HELP)
    .option('--state-dir <dir>', 'credential, own key, last desired state (mode 0700)', '/var/lib/plantgate/gateway')
    .option('--name <name>', 'name to enrol under (default: chosen by the control plane)')
    .option('--site-endpoint <host:port>', 'where agents dial this gateway (default: <hostname>:<site-port>)')
    .option('--user-port <port>', 'UDP port of the users interface', port, 51820)
    .option('--site-port <port>', 'UDP port of the sites interface', port, 51821)
    .option('--user-interface <name>', 'WireGuard interface for users', 'pgu0')
    .option('--site-interface <name>', 'WireGuard interface for sites (agents)', 'pgs0')
    .option('--table <name>', 'nftables table owned by the gateway (ip family)', 'plantgate')
    .option('--metrics-listen <host:port>', 'Prometheus /metrics', '127.0.0.1:9586')
    .option('--reconcile-seconds <n>', 'full reconcile period (repairs drift)', positive, 30)
    .option('--max-stale-hours <n>', 'serve the last state without the control plane for at most this long, then withdraw user access', positive, 24)
    .option('--keep-on-exit', 'leave interfaces and table in place on SIGTERM (default: remove them)', false)
    .option('--flow-capture <mode>', 'audit-trail flow capture from conntrack: auto (on when conntrack is installed), on, off', flowMode, 'auto')
    .option('--flow-report-seconds <n>', 'report window: open flows are reported this often, not only at their end', positive, 60)
    .option('--conntrack-buffer-bytes <n>', 'netlink receive buffer of the flow capture; events beyond it are lost and recorded as a gap', positive, 8 * 1024 * 1024)
    .option('--openvpn <mode>', 'OpenVPN servers for OpenVPN certificate profiles (UDP and TCP): auto (on when openvpn is installed), on, off', flowMode, 'auto')
    .option('--openvpn-port <port>', 'port of the OpenVPN servers, UDP and TCP (profiles dial 1194)', port, 1194)
    .option('--openvpn-interfaces <udp,tcp>', 'tun interface names of the UDP and the TCP server', 'pgo0,pgt0')
    .option('--proxy-listen <host[:port]|off>', "browser proxy (served when the control plane has a proxy domain): listen address; port default: the server's --proxy-port", '0.0.0.0')
    .option('--proxy-cert <file>', 'browser proxy: PEM certificate (chain) for *.<proxy domain> (default: a self-signed one, browsers warn)')
    .option('--proxy-key <file>', 'browser proxy: PEM private key of --proxy-cert')
    .action(async (opts, command: Command) => {
      const code = await runGateway({ ...opts, server: servers(opts.server, io), token: enrolToken(command, opts, io) }, io);
      if (code !== 0) throw new CliError('gateway stopped with an error (see the log above)', code);
    });

  program
    .command('agent')
    .description('run a plant agent: site tunnels to every gateway, translates mapped prefixes to the plant LAN')
    .option('--server <url[,url…]>', 'control plane URL; several (repeated or comma-separated) are tried in turn (env PLANTGATE_SERVER)', collectServers, [])
    .option('--token-file <file>', TOKEN_FILE_HELP)
    .option('--token <token>', TOKEN_HELP)
    .requiredOption('--lan-interface <name>', 'interface toward the plant LAN')
    .option('--state-dir <dir>', 'credential, own key, last desired state (mode 0700)', '/var/lib/plantgate/agent')
    .option('--name <name>', 'name to enrol under (default: chosen by the control plane)')
    .option('--tunnel-interface <name>', 'WireGuard interface for the site tunnels', 'pga0')
    .option('--table <name>', 'nftables table owned by the agent (ip family)', 'plantgate')
    .option('--metrics-listen <host:port>', 'Prometheus /metrics', '127.0.0.1:9587')
    .option('--reconcile-seconds <n>', 'full reconcile period (repairs drift)', positive, 30)
    .option('--max-stale-hours <n>', 'serve the last state without the control plane for at most this long, then withdraw user access', positive, 24)
    .option('--keep-on-exit', 'leave interface and table in place on SIGTERM (default: remove them)', false)
    .option('--flow-capture <mode>', 'audit-trail flow capture of hosted direct VPN clients from conntrack: auto (on when conntrack is installed), on, off', flowMode, 'auto')
    .option('--flow-report-seconds <n>', 'report window: open flows are reported this often, not only at their end', positive, 60)
    .option('--conntrack-buffer-bytes <n>', 'netlink receive buffer of the flow capture; events beyond it are lost and recorded as a gap', positive, 8 * 1024 * 1024)
    .action(async (opts, command: Command) => {
      const code = await runAgent({ ...opts, server: servers(opts.server, io), token: enrolToken(command, opts, io) }, io);
      if (code !== 0) throw new CliError('agent stopped with an error (see the log above)', code);
    });
}

function flowMode(value: string): 'auto' | 'on' | 'off' {
  if (value !== 'auto' && value !== 'on' && value !== 'off') throw new InvalidArgumentError('must be auto, on or off');
  return value;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number (1-65535)');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function collectServers(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The --server values, or PLANTGATE_SERVER (comma-separated too); a usage error when none or a bad one. */
function servers(values: string[], io: Io): string[] {
  try {
    return parseServerUrls(values.length > 0 ? values : io.env.PLANTGATE_SERVER);
  } catch (error) {
    throw new CliError(`${(error as Error).message} (--server URL or PLANTGATE_SERVER)`, 'usage');
  }
}
