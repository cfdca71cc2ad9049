import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { type DirectVpnReview, type DirectVpnView, directVpnApi } from '../../core/wire/direct-vpn.ts';
import { ApiClientError, callEndpoint, serverCode } from '../api-client.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { collect } from '../org-args.ts';
import { renderChanges } from '../org-render.ts';
import { readStdin as readAllStdin } from '../stdin.ts';
import { deliverProfile, profileTarget, registerSiteVpnClientCommands } from './site-vpn-clients.ts';
import { formatTable } from '../table.ts';
import { stateText, trafficText } from '../live-render.ts';
import { registerSiteVpnOpsCommands } from './site-vpn-ops.ts';
import { type ManualOptions, addManualOptions, manualFromOptions, manualLabels } from './site-vpn-manual.ts';

type View = z.infer<typeof DirectVpnView>;
type Review = z.infer<typeof DirectVpnReview>;

const JSON_HELP = 'print JSON';
const PLANT_HELP = 'the plant (its id, or its exact name)';

/**
 * `plantgate site-vpn …` (issue 9): a plant's direct VPNs through `directVpnApi`
 * (src/core/wire/direct-vpn.ts). `create --json` prints exactly the review (the issue's
 * contract), dry run or not; a refused upload exits non-zero naming the directive and its
 * line. What the caller may do is the plant permission table (src/core/permissions.ts).
 */
export function registerSiteVpnCommands(program: Command, io: Io): void {
  const siteVpn = program
    .command('site-vpn')
    .description("a plant's direct VPNs: the agent dials the plant router (outgoing) or runs a server the router dials into (hosted)")
    .addHelpText('after', '\nLive state, restart, logs, diagnose and hosted servers: docs/direct-vpn.md.');
  registerSiteVpnClientCommands(siteVpn, io);

  siteVpn
    .command('list')
    .description("the plant's direct VPNs (no secrets)")
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', JSON_HELP)
    .action(async (opts: { plant: string; json?: boolean }) => {
      const vpns = await callEndpoint(client(io), directVpnApi.list, { params: { id: opts.plant } });
      if (opts.json) return printJson(io, vpns);
      if (vpns.length === 0) return io.out(`no direct VPN on plant ${opts.plant}`);
      io.out(
        formatTable(
          ['NAME', 'DIRECTION', 'PROTOCOL', 'ENDPOINTS', 'SUBNETS', 'STATE', 'LIVE', 'TRAFFIC'],
          vpns.map((v) => [
            v.name,
            v.direction,
            `${v.protocol}/${v.transport}`,
            v.listen ? `listens ${v.listen.host}:${v.listen.port}` : v.endpoints.join(', '),
            v.subnets.join(', '),
            v.enabled ? 'enabled' : 'disabled',
            stateText(v.live),
            trafficText(v.live),
          ]),
        ),
      );
    });

  siteVpn
    .command('show <vpn>')
    .description('one direct VPN (id or name)')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', JSON_HELP)
    .action(async (vpn: string, opts: { plant: string; json?: boolean }) => {
      const view = await callEndpoint(client(io), directVpnApi.show, { params: { id: opts.plant, vpn } });
      if (opts.json) return printJson(io, view);
      io.out(renderView(view));
    });

  addManualOptions(siteVpn.command('create'))
    .description('create a direct VPN from the router\u2019s .conf/.ovpn or endpoint and keys by hand; --dry-run: review only')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .requiredOption('--name <name>', 'its name on the plant')
    .requiredOption('--direction <direction>', 'outgoing (the agent dials the router) | hosted (the router dials the agent\u2019s server)')
    .requiredOption('--protocol <protocol>', 'wireguard | openvpn')
    .option('--transport <transport>', 'udp | tcp (OpenVPN; WireGuard is udp)')
    .option('--config <file>', 'the uploaded .conf / .ovpn ("-": standard input)')
    .option('--subnet <cidr>', 'a plant subnet behind the router (repeat; default: the ranges the upload names)', collect)
    .option('--description <text>', 'a description')
    .option('--cipher <cipher>', 'OpenVPN advanced: data cipher (wins over the upload)')
    .option('--auth <digest>', 'OpenVPN advanced: auth digest')
    .option('--compression <setting>', 'OpenVPN advanced: compression directive')
    .option('--tls-min <version>', 'OpenVPN advanced: minimum TLS version')
    .option('--username <name>', 'credentials for an upload with auth-user-pass; the password is read from standard input')
    .option('--listen-host <host>', 'hosted: the address or name clients dial (default: where the plant\u2019s agent connects from)')
    .option('--listen-port <port>', 'hosted: the port clients dial (default: the first free from 51820 / 1194)')
    .option('--site-client <name>', 'hosted: the name of the first site client (default plant-router)')
    .option('--out <file>', 'hosted: write the first site client\u2019s profile to this new file (mode 0600) instead of printing it')
    .option('--dry-run', 'print the review, change nothing')
    .option('--json', 'print the review as JSON')
    .action(async (opts: CreateOptions) => {
      const hosted = opts.direction === 'hosted';
      if (hosted && opts.json && !opts.dryRun && opts.out === undefined) {
        throw new CliError('--out: with --json a hosted server\u2019s site-client profile must go to a file (--out FILE): it is shown only once', 'usage');
      }
      const port = opts.listenPort === undefined ? undefined : Number(opts.listenPort);
      if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
        throw new CliError('--listen-port: must be a port number 1–65535', 'usage');
      const target = hosted && !opts.dryRun ? profileTarget(opts.out) : null;
      const config = opts.config === undefined ? undefined : readConfig(opts.config);
      const manual = manualFromOptions(opts);
      const password = opts.username !== undefined ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      const advanced = { cipher: opts.cipher, auth: opts.auth, compression: opts.compression, tlsMin: opts.tlsMin };
      const result = await callEndpoint(client(io), directVpnApi.create, {
        params: { id: opts.plant },
        body: {
          name: opts.name,
          description: opts.description,
          direction: opts.direction as 'outgoing',
          protocol: opts.protocol as 'wireguard',
          transport: opts.transport as 'udp' | undefined,
          config,
          manual,
          subnets: opts.subnet,
          advanced: Object.values(advanced).some((v) => v !== undefined) ? advanced : undefined,
          credentials: opts.username !== undefined ? { username: opts.username, password: password ?? '' } : undefined,
          listen: opts.listenHost !== undefined || port !== undefined ? { host: opts.listenHost, port } : undefined,
          siteClientName: opts.siteClient,
          dryRun: opts.dryRun === true,
        },
        labels: {
          name: '--name',
          direction: '--direction',
          protocol: '--protocol',
          transport: '--transport',
          config: '--config',
          subnets: '--subnet',
          description: '--description',
          'listen.host': '--listen-host',
          'listen.port': '--listen-port',
          siteClientName: '--site-client',
          ...manualLabels(opts.protocol),
        },
      }).catch((e: unknown) => {
        target?.abandon();
        throw withFlagHint(e, { ...CREATE_FLAGS, ...manualLabels(opts.protocol) });
      });
      // The router needs the agent's public key as its peer (the server made the pair when no --private-key-file was given).
      const publicKeyHint = result.agentPublicKey ? `agent public key (enter it as the peer on the router): ${result.agentPublicKey}` : null;
      if (opts.json) {
        printJson(io, result.review);
        if (publicKeyHint) io.err(publicKeyHint);
      } else {
        io.out(renderReview(result.review));
        if (publicKeyHint) io.out(publicKeyHint);
        if (result.vpn?.listen) io.out(`clients dial ${result.vpn.listen.host}:${result.vpn.listen.port}/${result.vpn.transport}`);
        io.out(result.dryRun ? 'dry run: nothing was changed' : renderChanges({ changes: result.changes, revision: result.revision }));
      }
      if (result.credentials) deliverProfile(io, result.credentials, target, opts.out);
      else target?.abandon();
    });

  addManualOptions(siteVpn.command('edit <vpn>'))
    .description('change name, description, subnets, (outgoing) the upload or (hosted) where clients dial; a subnet with devices behind it is removed only with --confirm (SPEC D8)')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--name <name>', 'new name')
    .option('--description <text>', 'new description')
    .option('--subnet <cidr>', 'the complete new subnet list (repeat)', collect)
    .option('--config <file>', 'outgoing: a new .conf / .ovpn (or the by-hand flags) replacing endpoint and keys, checked like on create')
    .option('--username <name>', 'new credentials for a profile with auth-user-pass; the password is read from standard input')
    .option('--listen-host <host>', 'hosted: the address or name clients dial (profiles issued before keep the old one)')
    .option('--listen-port <port>', 'hosted: the port clients dial (profiles issued before keep the old one)')
    .option('--confirm', 'remove subnets although network devices are behind them (the devices go with them)')
    .option('--json', JSON_HELP)
    .action(
      async (
        vpn: string,
        opts: ManualOptions & {
          plant: string;
          listenHost?: string;
          listenPort?: string;
          name?: string;
          description?: string;
          subnet?: string[];
          config?: string;
          username?: string;
          confirm?: boolean;
          json?: boolean;
        },
      ) => {
        const port = opts.listenPort === undefined ? undefined : Number(opts.listenPort);
        if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
          throw new CliError('--listen-port: must be a port number 1–65535', 'usage');
        const config = opts.config === undefined ? undefined : readConfig(opts.config);
        const manual = manualFromOptions(opts);
        const password = opts.username !== undefined ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
        const result = await withDeviceHint(
          callEndpoint(client(io), directVpnApi.update, {
            params: { id: opts.plant, vpn },
            body: {
              name: opts.name,
              description: opts.description,
              subnets: opts.subnet,
              config,
              manual,
              credentials: opts.username !== undefined ? { username: opts.username, password: password ?? '' } : undefined,
              listen: opts.listenHost !== undefined || port !== undefined ? { host: opts.listenHost, port } : undefined,
              confirm: opts.confirm === true,
            },
            labels: {
              'listen.host': '--listen-host',
              'listen.port': '--listen-port',
              name: '--name',
              description: '--description',
              subnets: '--subnet',
              config: '--config',
              credentials: '--username',
              ...manualLabels(opts.remote !== undefined ? 'openvpn' : 'wireguard'),
            },
          }).catch((e: unknown) => {
            throw withFlagHint(e, { ...CREATE_FLAGS, ...manualLabels(opts.remote !== undefined ? 'openvpn' : 'wireguard') });
          }),
        );
        if (opts.json) return printJson(io, result);
        io.out(renderChanges({ changes: result.changes, revision: result.revision }));
      },
    );

  for (const [verb, endpoint, what] of [
    ['disable', directVpnApi.disable, 'stop the tunnel (its subnets stay plant subnets)'],
    ['enable', directVpnApi.enable, 'start it again'],
  ] as const) {
    siteVpn
      .command(`${verb} <vpn>`)
      .description(what)
      .requiredOption('--plant <plant>', PLANT_HELP)
      .option('--json', JSON_HELP)
      .action(async (vpn: string, opts: { plant: string; json?: boolean }) => {
        const result = await callEndpoint(client(io), endpoint, { params: { id: opts.plant, vpn } });
        if (opts.json) return printJson(io, result);
        io.out(renderChanges({ changes: result.changes, revision: result.revision }));
      });
  }

  registerSiteVpnOpsCommands(siteVpn, io);

  siteVpn
    .command('delete <vpn>')
    .description('delete it: its subnets leave the plant and their routes end')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--confirm', 'also when network devices are behind its subnets (they are removed with them)')
    .option('--json', JSON_HELP)
    .action(async (vpn: string, opts: { plant: string; confirm?: boolean; json?: boolean }) => {
      const result = await withDeviceHint(
        callEndpoint(client(io), directVpnApi.remove, { params: { id: opts.plant, vpn }, query: { confirm: opts.confirm ? 'true' : undefined } }),
      );
      if (opts.json) return printJson(io, result);
      io.out(renderChanges({ changes: result.changes, revision: result.revision }));
    });
}

type CreateOptions = ManualOptions & {
  plant: string;
  name: string;
  direction: string;
  protocol: string;
  transport?: string;
  config?: string;
  subnet?: string[];
  description?: string;
  cipher?: string;
  auth?: string;
  compression?: string;
  tlsMin?: string;
  username?: string;
  listenHost?: string;
  listenPort?: string;
  siteClient?: string;
  out?: string;
  dryRun?: boolean;
  json?: boolean;
};

/** Set when `--config -` took standard input: the password of --username cannot come from there too. */
let configFromStdin = false;

async function readStdin(): Promise<string> {
  if (configFromStdin) throw new CliError('--username: standard input already carried the config (--config -); name the config file so the password can come on standard input', 'usage');
  return readAllStdin();
}

function readConfig(file: string): string {
  if (file === '-') {
    configFromStdin = true;
    try {
      return readFileSync(0, 'utf8');
    } catch (e) {
      throw new CliError(`--config: cannot read standard input: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'usage');
    }
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--config: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'usage');
  }
}

/** The server names its request fields (credentials, listen.host …); the CLI user types flags. */
const CREATE_FLAGS: Record<string, string> = {
  credentials: '--username NAME (the password on standard input)',
  'credentials.username': '--username NAME',
  'credentials.password': 'the password on standard input (with --username)',
  'listen.host': '--listen-host',
  'listen.port': '--listen-port',
  siteClientName: '--site-client',
  'advanced.cipher': '--cipher',
  'advanced.auth': '--auth',
  'advanced.compression': '--compression',
  'advanced.tlsMin': '--tls-min',
};

function withFlagHint(e: unknown, flags: Record<string, string>): unknown {
  if (!(e instanceof ApiClientError)) return e;
  const field = (e.body as { field?: unknown } | null)?.field;
  const flag = typeof field === 'string' ? flags[field] : undefined;
  return flag ? new ApiClientError(e.status, e.code, `${e.message}\n(on the command line: ${flag})`, e.body) : e;
}

async function withDeviceHint<T>(call: Promise<T>): Promise<T> {
  return call.catch((e: unknown) => {
    // keep status, server code, field and the devices (problems) for --json: only the hint is added
    if (serverCode(e) === 'subnet-has-devices' && e instanceof ApiClientError) throw new ApiClientError(e.status, e.code, `${e.message}\nre-run with --confirm to remove them`, e.body);
    throw e;
  });
}

function renderReview(review: Review): string {
  const lines = [`${review.direction} ${review.protocol}`, `subnets routed: ${review.subnets.join(', ') || '(none)'}`];
  if (review.subnetsFromConfig.length > 0) lines.push(`ranges in the upload: ${review.subnetsFromConfig.join(', ')}`);
  for (const s of review.stripped) lines.push(`stripped default route ${s.what} (line ${s.line})`);
  for (const i of review.ignored) lines.push(`ignored ${i.directive} (line ${i.line}): plantgate decides this on the agent`);
  if (review.needsCredentials) lines.push('the upload asks for a username and password (--username, password on standard input)');
  if (review.crypto)
    lines.push(
      `crypto: cipher ${review.crypto.cipher ?? 'default'}, auth ${review.crypto.auth ?? 'default'}, compression ${review.crypto.compression ?? 'none'}, TLS min ${review.crypto.tlsMin ?? 'default'}`,
    );
  return lines.join('\n');
}

function renderView(v: View): string {
  return [
    `${v.name} (${v.id}) on plant ${v.plant}`,
    `${v.direction} ${v.protocol}/${v.transport}, ${v.enabled ? 'enabled' : 'disabled'}`,
    ...(v.description ? [v.description] : []),
    `live: ${stateText(v.live)}`,
    `traffic: ${trafficText(v.live)}`,
    v.listen
      ? `clients dial: ${v.listen.host}:${v.listen.port}/${v.transport} (${v.clientCount ?? 0} client(s): site-vpn client list)`
      : `endpoints: ${v.endpoints.join(', ') || '(none)'}`,
    ...(v.agentPublicKey ? [`agent public key (the router's peer): ${v.agentPublicKey}`] : []),
    `subnets: ${v.subnets.join(', ')}`,
    ...(v.crypto
      ? [
          `crypto: cipher ${v.crypto.cipher ?? 'default'}, auth ${v.crypto.auth ?? 'default'}, compression ${v.crypto.compression ?? 'none'}, TLS min ${v.crypto.tlsMin ?? 'default'}`,
        ]
      : []),
  ].join('\n');
}
