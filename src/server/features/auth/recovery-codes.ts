import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/handle.ts';
import { replaceRecoveryCodeHashes, spendRecoveryCodeHash } from './store.ts';

/**
 * TOTP recovery codes: shown once when the second factor is turned on, stored as
 * SHA-256 (80 random bits each: no offline guessing), each usable once at login
 * instead of a code.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32: no i, l, o, u

export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(16);
    let code = '';
    for (let i = 0; i < 16; i++) code += ALPHABET[(bytes[i] as number) & 31];
    return code.match(/.{4}/g)?.join('-') as string;
  });
}

/** Spaces, dashes and case do not matter when a code is typed back. */
export function looksLikeRecoveryCode(input: string): boolean {
  return /^[0-9a-z]{16}$/.test(normalise(input));
}

export async function replaceRecoveryCodes(db: Db, userId: string, codes: string[]): Promise<void> {
  await replaceRecoveryCodeHashes(db, userId, codes.map(hashRecoveryCode));
}

/** Marks the code used if it is one of the user's unused codes; returns how many stay unused, or null for no match. */
export async function redeemRecoveryCode(db: Db, userId: string, input: string, now: string): Promise<number | null> {
  if (!looksLikeRecoveryCode(input)) return null;
  return spendRecoveryCodeHash(db, userId, hashRecoveryCode(input), now);
}

/** What is stored of a code: its SHA-256, whatever spaces, dashes and case it was typed with. */
export function hashRecoveryCode(input: string): string {
  return createHash('sha256').update(normalise(input)).digest('hex');
}

function normalise(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}
