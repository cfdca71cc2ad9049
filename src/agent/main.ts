import { httpAgentControlPlane } from '../daemon/http-control-plane.ts';
import { realDaemonPorts } from '../daemon/real-ports.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { startAgentDaemon } from './daemon.ts';

/** `plantgate agent`: only wiring — real drivers, HTTP control plane, state dir, real clock. */

export type AgentCommandOptions = {
  server: string;
  token?: string;
  stateDir: string;
  name?: string;
  lanInterface: string;
  tunnelInterface: string;
  table: string;
  metricsListen: string;
  reconcileSeconds: number;
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
        loop: loopOptions(options.reconcileSeconds),
      },
      realDaemonPorts(options, { log, metrics, withdraw }, (server, identity) => httpAgentControlPlane(server, identity.id, identity.credential)),
      signal,
    ),
  );
}
