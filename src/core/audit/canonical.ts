import type { StoredFlow } from './flow.ts';

/**
 * The exact bytes a record contributes to its chain hash: every stored field in a fixed
 * order as a JSON array (no key order to disagree on, no whitespace, numbers as integers).
 * A field added later is a new version tag, so old chains keep verifying.
 */
export const CANONICAL_VERSION = 'pgaf1';

export function canonicalFlow(r: StoredFlow): string {
  const [before, after] = canonicalAroundSeq(r);
  return `${before}${r.seq}${after}`;
}

/**
 * A record's canonical bytes before and after its seq. The ingest computes them before it
 * locks the chain heads, where only the seq and the hashes remain to be done (B6).
 */
export function canonicalAroundSeq(r: Omit<StoredFlow, 'seq'>): [string, string] {
  const before = `[${JSON.stringify(CANONICAL_VERSION)},${JSON.stringify(r.plantId)},`;
  const after = JSON.stringify([
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
  return [before, `,${after.slice(1)}`];
}
