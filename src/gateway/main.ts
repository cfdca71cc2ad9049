import { hostname } from 'node:os';
import { systemClock } from '../daemon/clock.ts';
import { httpEnrolment, httpGatewayControlPlane } from '../daemon/http-control-plane.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { FileStateStore } from '../daemon/state-store.ts';
import { startGatewayDaemon } from './daemon.ts';
import { IpCliConfigDriver } from './drivers/ip-cli-config-driver.ts';
import { NftCliDriver } from './drivers/nft-cli-driver.ts';
import { WireGuardGoDriver } from './drivers/wireguard-go-driver.ts';

/** `plantgate gateway`: only wiring — real drivers, HTTP control plane, state dir, real clock. */

export type GatewayCommandOptions = {
  server: string;
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
  keepOnExit: boolean;
};

export function runGateway(options: GatewayCommandOptions, output: DaemonOutput): Promise<number> {
  return runDaemon('gateway', options, output, ({ log, metrics, signal }) =>
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
        loop: loopOptions(options.reconcileSeconds),
      },
      {
        enrolment: httpEnrolment(options.server),
        controlPlane: (identity) => httpGatewayControlPlane(options.server, identity.id, identity.credential),
        store: new FileStateStore(options.stateDir),
        wireguard: new WireGuardGoDriver(),
        nft: new NftCliDriver(),
        ip: new IpCliConfigDriver(),
        clock: systemClock,
        log,
        metrics,
        random: Math.random,
      },
      signal,
    ),
  );
}
