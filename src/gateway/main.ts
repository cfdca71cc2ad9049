import { hostname } from 'node:os';
import { httpGatewayControlPlane } from '../daemon/http-control-plane.ts';
import { realDaemonPorts } from '../daemon/real-ports.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { startGatewayDaemon } from './daemon.ts';

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
};

export function runGateway(options: GatewayCommandOptions, output: DaemonOutput): Promise<number> {
  return runDaemon('gateway', options, output, ({ log, metrics, signal, withdraw }) =>
    startGatewayDaemon(
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
      },
      realDaemonPorts(options, { log, metrics, withdraw }, (servers, identity) => httpGatewayControlPlane(servers, identity.id, identity.credential)),
      signal,
    ),
  );
}
