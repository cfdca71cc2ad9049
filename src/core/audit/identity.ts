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

/**
 * The identity's content as a cache key, without building the Identity (B6: the ingest
 * looks one up per record; identityOf + identityText cost 1.3 µs of its ~20). Each field
 * is length-prefixed and null is `~`, so two different identities never share a key,
 * whatever characters a name holds.
 */
export function identityKey(gatewayId: string, r: Omit<Identity, 'gatewayId'>): string {
  return `${part(gatewayId)}${part(r.userId)}${part(r.userEmail)}${part(r.tunnelIp)}${part(r.orgId)}${part(r.plantName)}${part(r.subnetId)}${part(r.subnetCidr)}${part(r.subnetMapped)}${part(r.deviceName)}`;
}

function part(value: string | null): string {
  return value === null ? '~' : `${value.length}:${value}`;
}

/** Content address of an identity: SHA-256 of identityText (the store's unique key; equal content, one row). */
export function identityDigest(r: Identity): Buffer {
  return hash('sha256', identityText(r), 'buffer');
}

/**
 * The lookup key of a gateway's record (the idempotency index holds only this), a safe
 * integer on both engines: the millisecond the record was first seen (41 bits, wrapping
 * every 69 years) above the first 12 bits of SHA-256("gateway\nrecord id") — 53 bits, the
 * largest safe integer. A batch's records were first seen within moments of each other, so
 * their entries land together at the index's recent end: with the first-seen minute on top
 * (migration 0017) a minute's entries were spread by the hash over all of that minute's
 * leaf pages, and every 5,000-record batch rewrote thousands of them (B6 on SQLite fell from
 * 44k to 34k flows/s within 900,000 records; with the millisecond it holds above 50k).
 * A resent record is the same record, so it has the same key. Different records may share
 * a key (a millisecond holds about 50 records at 50,000 flows/s, against 4,096 hash
 * values): a match counts only when the full gateway and record ids are equal too, so a
 * collision costs a comparison, never a record.
 */
export function recordKey(gatewayId: string, recordId: string, firstSeen: string): number {
  return recordKeyAt(gatewayId, recordId, Date.parse(firstSeen));
}

export function recordKeyAt(gatewayId: string, recordId: string, firstSeenMs: number): number {
  const ms = ((firstSeenMs % KEY_MS) + KEY_MS) % KEY_MS;
  return ms * KEY_HASH + (hash('sha256', `${gatewayId}\n${recordId}`, 'buffer').readUInt16BE(0) >>> 4);
}

export const KEY_MS = 2 ** 41;
export const KEY_HASH = 2 ** 12;

/** The chain hash (64 hex digits) as stored (32 bytes) and back. */
export function hashBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

export function hashHex(bytes: Uint8Array | string): string {
  // A store migrated from text may still hand back hex (never after 0017, but cheap to accept).
  return typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
