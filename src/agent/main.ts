import { httpAgentControlPlane } from '../daemon/http-control-plane.ts';
import { realDaemonPorts } from '../daemon/real-ports.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { startAgentDaemon } from './daemon.ts';
import { resolve } from 'node:path';
import { OpenVpnProcessDriver } from '../os/openvpn/openvpn-process-driver.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConntrackCliSource } from '../os/conntrack/conntrack-cli-source.ts';
import { DirectorySpoolFiles } from '../daemon/flow-spool.ts';
import { CONNTRACK, flowCaptureEnabled } from '../daemon/flow-capture-mode.ts';

/** `plantgate agent`: only wiring — real drivers, HTTP control plane, state dir, real clock. */

export type AgentCommandOptions = {
  /** One or more control-plane URLs (replicas, or one load balancer); tried in turn. */
  server: string[];
  token?: string;
  stateDir: string;
  name?: string;
  lanInterface: string;
  tunnelInterface: string;
  table: string;
  metricsListen: string;
  reconcileSeconds: number;
  /** Fail static for at most this long without the control plane, then user access is withdrawn. */
  maxStaleHours?: number;
  keepOnExit: boolean;
  /** Flow capture of hosted direct VPN clients for the audit trail: 'auto' (default) runs it when conntrack is installed. */
  flowCapture?: 'auto' | 'on' | 'off';
  flowReportSeconds?: number;
  /** conntrack's netlink receive buffer (`--buffer-size`); default 8 MiB. */
  conntrackBufferBytes?: number;
};

export function runAgent(options: AgentCommandOptions, output: DaemonOutput): Promise<number> {
  return runDaemon('agent', options, output, ({ log, metrics, signal, withdraw }) => {
    const flows = flowCaptureEnabled(options.flowCapture, existsSync(CONNTRACK));
    if (!flows) log.warn('client flow capture off: no flow records of hosted direct VPN clients from this agent', { mode: options.flowCapture ?? 'auto', conntrack: existsSync(CONNTRACK) });
    return startAgentDaemon(
      {
        token: options.token,
        name: options.name,
        ifaces: { tunnel: options.tunnelInterface, lan: options.lanInterface },
        table: options.table,
        keepOnExit: options.keepOnExit,
        version: daemonVersion(),
        stateDir: resolve(options.stateDir),
        loop: loopOptions(options.reconcileSeconds, options.maxStaleHours),
        flows: flows ? { reportMs: (options.flowReportSeconds ?? 60) * 1000 } : undefined,
      },
      {
        ...realDaemonPorts(options, { log, metrics, withdraw }, (servers, identity) => httpAgentControlPlane(servers, identity.id, identity.credential)),
        openvpn: new OpenVpnProcessDriver(),
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
