import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OpenVpnProcessDriver } from '../os/openvpn/openvpn-process-driver.ts';
import { ConntrackCliFlush } from '../os/conntrack/conntrack-flush.ts';
import { ConntrackCliSource } from '../os/conntrack/conntrack-cli-source.ts';
import { DirectorySpoolFiles } from '../daemon/flow-spool.ts';
import { CONNTRACK, flowCaptureEnabled } from '../daemon/flow-capture-mode.ts';
import { httpGatewayControlPlane } from '../daemon/http-control-plane.ts';
import { realDaemonPorts } from '../daemon/real-ports.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { startGatewayDaemon } from './daemon.ts';
import type { ProxyHostConfig } from './proxy/proxy-host.ts';

const OPENVPN_BINARIES = ['/usr/sbin/openvpn', '/usr/bin/openvpn'];

function openVpnConfig(options: GatewayCommandOptions) {
  const [udp = 'pgo0', tcp = 'pgt0'] = (options.openvpnInterfaces ?? 'pgo0,pgt0').split(',').map((name) => name.trim());
  return { directory: join(options.stateDir, 'openvpn'), port: options.openvpnPort ?? 1194, interfaces: { udp, tcp } };
}

/** `plantgate gateway`: only wiring — real drivers, HTTP control plane, state dir, real clock. */

export type GatewayCommandOptions = {
  /** One or more control-plane URLs (replicas, or one load balancer); tried in turn. */
  server: string[];
  token?: string;
  stateDir: string;
  name?: string;
  siteEndpoint?: string;
  userPort: number;
  sitePort: number;
  userInterface: string;
  siteInterface: string;
  table: string;
  metricsListen: string;
  reconcileSeconds: number;
  /** Fail static for at most this long without the control plane, then user access is withdrawn. */
  maxStaleHours?: number;
  keepOnExit: boolean;
  /** Flow capture for the audit trail: 'auto' (default) runs it when conntrack is installed. */
  flowCapture?: 'auto' | 'on' | 'off';
  flowReportSeconds?: number;
  /** conntrack's netlink receive buffer (`--buffer-size`); default 8 MiB. */
  conntrackBufferBytes?: number;
  /** OpenVPN certificate profiles (issue 11): 'auto' (default) runs the servers when openvpn is installed. */
  openvpn?: 'auto' | 'on' | 'off';
  openvpnPort?: number;
  /** "UDP,TCP" tun names. */
  openvpnInterfaces?: string;
  /** Browser proxy listener: `off`, `HOST` (port from the control plane's proxy settings) or `HOST:PORT`; default all addresses. */
  proxyListen?: string;
  /** PEM certificate (chain) and key for `*.<proxy domain>`; without them a self-signed certificate is served. */
  proxyCert?: string;
  proxyKey?: string;
};

export function runGateway(options: GatewayCommandOptions, output: DaemonOutput): Promise<number> {
  return runDaemon('gateway', options, output, ({ log, metrics, signal, withdraw }) => {
    const flows = flowCaptureEnabled(options.flowCapture, existsSync(CONNTRACK));
    const openvpn = options.openvpn === 'on' || (options.openvpn !== 'off' && OPENVPN_BINARIES.some((path) => existsSync(path)));
    if (!openvpn) log.warn('OpenVPN servers off: OpenVPN certificate profiles cannot connect to this gateway', { mode: options.openvpn ?? 'auto' });
    if (!flows) log.warn('flow capture off: no flow records for the audit trail from this gateway', { mode: options.flowCapture ?? 'auto', conntrack: existsSync(CONNTRACK) });
    return startGatewayDaemon(
      {
        token: options.token,
        name: options.name,
        siteEndpoint: options.siteEndpoint ?? `${hostname()}:${options.sitePort}`,
        userPort: options.userPort,
        sitePort: options.sitePort,
        ifaces: { users: options.userInterface, sites: options.siteInterface },
        table: options.table,
        keepOnExit: options.keepOnExit,
        version: daemonVersion(),
        loop: loopOptions(options.reconcileSeconds, options.maxStaleHours),
        flows: flows ? { reportMs: (options.flowReportSeconds ?? 60) * 1000 } : undefined,
        openvpn: openvpn ? openVpnConfig(options) : undefined,
        proxy: proxyHostConfig(options),
      },
      {
        ...realDaemonPorts(options, { log, metrics, withdraw }, (servers, identity) => httpGatewayControlPlane(servers, identity.id, identity.credential)),
        ...(openvpn ? { openvpn: new OpenVpnProcessDriver(), ...(existsSync(CONNTRACK) ? { conntrackFlush: new ConntrackCliFlush() } : {}) } : {}),
        // the spool carries the browser proxy's flows too, with or without conntrack
        flowSpool: new DirectorySpoolFiles(join(options.stateDir, 'flows')),
        ...(flows
          ? { conntrack: new ConntrackCliSource({ bufferBytes: options.conntrackBufferBytes, warn: (message, fields) => log.warn(message, fields) }) }
          : {}),
      },
      signal,
    );
  });
}

/** `--proxy-listen off|HOST|HOST:PORT`, `--proxy-cert`, `--proxy-key` → the proxy host's config (undefined: off). */
export function proxyHostConfig(options: Pick<GatewayCommandOptions, 'proxyListen' | 'proxyCert' | 'proxyKey'>): ProxyHostConfig | undefined {
  const listen = options.proxyListen ?? '0.0.0.0';
  if (listen === 'off') return undefined;
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(listen);
  const host = match?.[1] ?? '';
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (host.length === 0 || (port !== undefined && (port < 1 || port > 65535))) throw new Error(`--proxy-listen: "${listen}" is not off, HOST or HOST:PORT`);
  if ((options.proxyCert === undefined) !== (options.proxyKey === undefined)) throw new Error('--proxy-cert and --proxy-key go together');
  return { listenHost: host, listenPort: port, certFile: options.proxyCert, keyFile: options.proxyKey };
}
