import type { StoredFlow } from './flow.ts';

/**
 * The exact bytes a record contributes to its chain hash: every stored field in a fixed
 * order as a JSON array (no key order to disagree on, no whitespace, numbers as integers).
 * A field added later is a new version tag, so old chains keep verifying.
 */
export const CANONICAL_VERSION = 'pgaf1';

export function canonicalFlow(r: StoredFlow): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    r.plantId,
    r.seq,
    r.recordId,
    r.gatewayId,
    r.segment,
    r.ingestedAt,
    r.userId,
    r.userEmail,
    r.tunnelIp,
    r.orgId,
    r.plantName,
    r.subnetId,
    r.subnetCidr,
    r.subnetMapped,
    r.destinationIp,
    r.deviceIp,
    r.deviceName,
    r.protocol,
    r.port,
    r.connections,
    r.bytesIn,
    r.bytesOut,
    r.firstSeen,
    r.lastSeen,
    r.session,
  ]);
}
