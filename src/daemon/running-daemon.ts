import type { DaemonIdentity } from './identity.ts';
import type { SyncLoop } from './sync-loop.ts';

/** What starting a daemon (gateway or agent) hands back. */
export type RunningDaemon = {
  identity: DaemonIdentity;
  loop: SyncLoop<{ revision: number }>;
  /** Stops the loops; removes interfaces and table unless keepOnExit. */
  stop(): Promise<void>;
};
