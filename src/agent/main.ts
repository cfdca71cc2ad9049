import { httpAgentControlPlane } from '../daemon/http-control-plane.ts';
import { realDaemonPorts } from '../daemon/real-ports.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { startAgentDaemon } from './daemon.ts';
import { resolve } from 'node:path';
import { OpenVpnProcessDriver } from '../os/openvpn/openvpn-process-driver.ts';

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
};

export function runAgent(options: AgentCommandOptions, output: DaemonOutput): Promise<number> {
  return runDaemon('agent', options, output, ({ log, metrics, signal, withdraw }) =>
    startAgentDaemon(
      {
        token: options.token,
        name: options.name,
        ifaces: { tunnel: options.tunnelInterface, lan: options.lanInterface },
        table: options.table,
        keepOnExit: options.keepOnExit,
        version: daemonVersion(),
        stateDir: resolve(options.stateDir),
        loop: loopOptions(options.reconcileSeconds, options.maxStaleHours),
      },
      {
        ...realDaemonPorts(options, { log, metrics, withdraw }, (servers, identity) => httpAgentControlPlane(servers, identity.id, identity.credential)),
        openvpn: new OpenVpnProcessDriver(),
      },
      signal,
    ),
  );
}
