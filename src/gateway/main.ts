import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OpenVpnProcessDriver } from '../os/openvpn/openvpn-process-driver.ts';
import { ConntrackCliSource } from '../os/conntrack/conntrack-cli-source.ts';
import { DirectorySpoolFiles } from '../daemon/flow-spool.ts';
import { CONNTRACK, flowCaptureEnabled } from '../daemon/flow-capture-mode.ts';
import { httpGatewayControlPlane } from '../daemon/http-control-plane.ts';
import { realDaemonPorts } from '../daemon/real-ports.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { startGatewayDaemon } from './daemon.ts';

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
      },
      {
        ...realDaemonPorts(options, { log, metrics, withdraw }, (servers, identity) => httpGatewayControlPlane(servers, identity.id, identity.credential)),
        ...(openvpn ? { openvpn: new OpenVpnProcessDriver() } : {}),
        ...(flows
          ? {
              conntrack: new ConntrackCliSource({ bufferBytes: options.conntrackBufferBytes, warn: (message, fields) => log.warn(message, fields) }),
              flowSpool: new DirectorySpoolFiles(join(options.stateDir, 'flows')),
            }
          : {}),
      },
      signal,
    );
  });
}
