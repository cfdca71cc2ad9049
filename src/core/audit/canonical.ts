import type { StoredFlow } from './flow.ts';

/**
 * The exact bytes a record contributes to its chain hash: every stored field in a fixed
 * order as a JSON array (no key order to disagree on, no whitespace, numbers as integers).
 * A field added later is a new version tag, so old chains keep verifying.
 */
export const CANONICAL_VERSION = 'pgaf1';
/** A record with HTTP request detail (the browser proxy's, issue 12): the same fields, then the detail. */
export const CANONICAL_VERSION_HTTP = 'pgaf2';

export function canonicalFlow(r: StoredFlow): string {
  // Records without detail keep exactly their pgaf1 bytes: every existing chain still verifies.
  const plain = canonicalPlain(r);
  if (r.http === undefined) return plain;
  // The same array with the other tag and one more element: the field list is written once.
  const detail = JSON.stringify(r.http.map((e) => [e.method, e.path, e.status, e.requests, e.bytesIn, e.bytesOut]));
  return `[${JSON.stringify(CANONICAL_VERSION_HTTP)}${plain.slice(PLAIN_PREFIX.length, -1)},${detail}]`;
}

const PLAIN_PREFIX = `[${JSON.stringify(CANONICAL_VERSION)}`;

// B6: the common case builds one literal array (no spread per record).
function canonicalPlain(r: StoredFlow): string {
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

