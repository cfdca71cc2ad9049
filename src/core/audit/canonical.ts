import type { StoredFlow } from './flow.ts';

/**
 * The exact bytes a record contributes to its chain hash: every stored field in a fixed
 * order as a JSON array (no key order to disagree on, no whitespace, numbers as integers).
 * A field added later is a new version tag, so old chains keep verifying.
 */
export const CANONICAL_VERSION = 'pgaf1';
/**
 * A record with HTTP request detail (the browser proxy's, issue 12): the pgaf1 fields, then
 * the entries as [method, path, status, requests, bytesIn, bytesOut]. A record without detail
 * keeps exactly its pgaf1 bytes, so every existing chain still verifies.
 */
export const CANONICAL_VERSION_HTTP = 'pgaf2';

export function canonicalFlow(r: StoredFlow): string {
  const [before, after] = canonicalAroundSeq(r);
  return `${before}${r.seq}${after}`;
}

/**
 * A record's canonical bytes before and after its seq. The ingest computes them before it
 * locks the chain heads, where only the seq and the hashes remain to be done (B6).
 */
export function canonicalAroundSeq(r: Omit<StoredFlow, 'seq'>): [string, string] {
  const before = `[${JSON.stringify(r.http === undefined ? CANONICAL_VERSION : CANONICAL_VERSION_HTTP)},${JSON.stringify(r.plantId)},`;
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
  if (r.http === undefined) return [before, `,${after.slice(1)}`];
  const detail = JSON.stringify(r.http.map((e) => [e.method, e.path, e.status, e.requests, e.bytesIn, e.bytesOut]));
  return [before, `,${after.slice(1, -1)},${detail}]`];
}
