import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { NftDriver } from '../os/nft/nft-driver.ts';
import type { NetProbe } from '../os/probe/net-probe.ts';
import type { WireGuardDriver } from '../os/wireguard/wireguard-driver.ts';
import type { Clock } from './clock.ts';
import type { EnrolmentApi } from './control-plane.ts';
import type { DaemonMetrics } from './daemon-metrics.ts';
import type { DaemonIdentity } from './identity.ts';
import type { Logger } from './log.ts';
import type { StateStore } from './state-store.ts';

/** What a gateway or agent daemon is wired with; `C` is its control-plane port. */
export type DaemonPorts<C> = {
  /** Called when the control plane refuses the credential (the daemon was removed). */
  onCredentialRejected?: (reason: string) => void;
  enrolment: EnrolmentApi;
  controlPlane(identity: DaemonIdentity): C;
  store: StateStore;
  wireguard: WireGuardDriver;
  nft: NftDriver;
  ip: IpConfigDriver;
  /** Agents: diagnose checks and discovery probes (issue 9 D7, D11). */
  probe?: NetProbe;
  clock: Clock;
  log: Logger;
  metrics: DaemonMetrics;
  random?: () => number;
};
