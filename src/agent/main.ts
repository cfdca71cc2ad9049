import { systemClock } from '../daemon/clock.ts';
import { httpAgentControlPlane, httpEnrolment } from '../daemon/http-control-plane.ts';
import { type DaemonOutput, daemonVersion, loopOptions, runDaemon } from '../daemon/run.ts';
import { FileStateStore } from '../daemon/state-store.ts';
import { IpCliConfigDriver } from '../gateway/drivers/ip-cli-config-driver.ts';
import { NftCliDriver } from '../gateway/drivers/nft-cli-driver.ts';
import { WireGuardGoDriver } from '../gateway/drivers/wireguard-go-driver.ts';
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
  return runDaemon('agent', options, output, ({ log, metrics, signal }) =>
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
      {
        enrolment: httpEnrolment(options.server),
        controlPlane: (identity) => httpAgentControlPlane(options.server, identity.id, identity.credential),
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
