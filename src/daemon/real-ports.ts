import { IpCliConfigDriver } from '../os/ip/ip-cli-config-driver.ts';
import { NftCliDriver } from '../os/nft/nft-cli-driver.ts';
import { SystemNetProbe } from '../os/probe/system-net-probe.ts';
import { WireGuardGoDriver } from '../os/wireguard/wireguard-go-driver.ts';
import { systemClock } from './clock.ts';
import type { DaemonMetrics } from './daemon-metrics.ts';
import type { DaemonIdentity } from './identity.ts';
import { httpEnrolment } from './http-control-plane.ts';
import type { Logger } from './log.ts';
import type { DaemonPorts } from './ports.ts';
import { ServerList } from './server-list.ts';
import { FileStateStore } from './state-store.ts';

/** The real drivers, clock, state dir and HTTP control plane both daemons run with. */
export function realDaemonPorts<C>(
  options: { server: readonly string[]; stateDir: string },
  context: { log: Logger; metrics: DaemonMetrics; withdraw: (reason: string) => void },
  controlPlane: (servers: ServerList, identity: DaemonIdentity) => C,
): DaemonPorts<C> {
  const servers = new ServerList(options.server, (from, to, reason) => context.log.warn('control plane failed: moving to the next URL', { from, to, reason }));
  return {
    enrolment: httpEnrolment(servers),
    controlPlane: (identity) => controlPlane(servers, identity),
    store: new FileStateStore(options.stateDir),
    wireguard: new WireGuardGoDriver(),
    nft: new NftCliDriver(),
    ip: new IpCliConfigDriver(),
    probe: new SystemNetProbe(),
    clock: systemClock,
    log: context.log,
    metrics: context.metrics,
    random: Math.random,
    onCredentialRejected: context.withdraw,
  };
}
