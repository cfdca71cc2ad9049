import { hash } from 'node:crypto';
import type { StoredFlow } from './flow.ts';

/**
 * The part of a stored record that repeats across records (migration 0017, B7 storage):
 * who (user, tunnel address), where (organization, plant name, subnet with its prefixes,
 * device name) and through which gateway. Stored once in `audit_identities`, frozen
 * forever (SPEC A5): a later rename yields another identity, never an edited one.
 */
export type Identity = Pick<
  StoredFlow,
  'gatewayId' | 'userId' | 'userEmail' | 'tunnelIp' | 'orgId' | 'plantName' | 'subnetId' | 'subnetCidr' | 'subnetMapped' | 'deviceName'
>;

export function identityOf(r: Identity): Identity {
  return {
    gatewayId: r.gatewayId,
    userId: r.userId,
    userEmail: r.userEmail,
    tunnelIp: r.tunnelIp,
    orgId: r.orgId,
    plantName: r.plantName,
    subnetId: r.subnetId,
    subnetCidr: r.subnetCidr,
    subnetMapped: r.subnetMapped,
    deviceName: r.deviceName,
  };
}

/** The identity's content as one string (field order fixed; JSON keeps null apart from "null"). */
export function identityText(r: Identity): string {
  return JSON.stringify([r.gatewayId, r.userId, r.userEmail, r.tunnelIp, r.orgId, r.plantName, r.subnetId, r.subnetCidr, r.subnetMapped, r.deviceName]);
}

/** Content address of an identity: SHA-256 of identityText (the store's unique key; equal content, one row). */
export function identityDigest(r: Identity): Buffer {
  return hash('sha256', identityText(r), 'buffer');
}

/**
 * The lookup key of a gateway's record (the idempotency index holds only this), a safe
 * integer on both engines: the minute the record was first seen (26 bits, wrapping every
 * 127 years) above 27 bits of SHA-256("gateway\nrecord id") — 53 bits, the largest safe
 * integer. The minute keeps a batch's entries together at the index's recent end (a pure
 * hash spread each batch over every leaf page: B6); a resent record is the same record, so
 * it has the same key. Different records may share a key: a match counts only when the
 * full gateway and record ids are equal too, so a collision costs a comparison, never a
 * record. 27 bits, not fewer: a minute at 50,000 flows/s holds 3 million records, and with
 * 22 bits a third of every batch's lookups hit a stranger's row (B6 fell from 43k to 22k
 * flows/s within 1.5 million records of one minute).
 */
export function recordKey(gatewayId: string, recordId: string, firstSeen: string): number {
  const minutes = Math.floor(Date.parse(firstSeen) / 60_000);
  const wrapped = ((minutes % KEY_MINUTES) + KEY_MINUTES) % KEY_MINUTES;
  return wrapped * KEY_HASH + (hash('sha256', `${gatewayId}\n${recordId}`, 'buffer').readUInt32BE(0) >>> 5);
}

const KEY_MINUTES = 2 ** 26;
const KEY_HASH = 2 ** 27;

/** The chain hash (64 hex digits) as stored (32 bytes) and back. */
export function hashBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

export function hashHex(bytes: Uint8Array | string): string {
  // A store migrated from text may still hand back hex (never after 0017, but cheap to accept).
  return typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
