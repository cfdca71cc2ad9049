import { z } from 'zod';
import { DaemonInfo } from './daemon.ts';

/**
 * What `admin gateway|agent list` reads back. The report a daemon sends is checked
 * strictly on the way in (DaemonStatusReport: bounded, no unknown keys); a stored report
 * is read back leniently — a row written before a bound or a field existed must still
 * list (its text is escaped on the terminal), or the operator could not see the fleet.
 */
export const DaemonStatusView = z.looseObject({
  appliedRevision: z.number(),
  version: z.string(),
  peers: z.array(z.looseObject({ publicKey: z.string(), latestHandshake: z.number() })),
  lastError: z.string().nullable(),
  peerCount: z.number().optional(),
  peersWithRecentHandshake: z.number().optional(),
});

export const DaemonListing = z.array(DaemonInfo.extend({ status: DaemonStatusView.nullable() }));
export type DaemonListing = z.infer<typeof DaemonListing>;
