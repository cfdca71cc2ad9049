import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';

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

export async function replaceRecoveryCodes(db: Kysely<Database> | Transaction<Database>, userId: string, codes: string[]): Promise<void> {
  await db.deleteFrom('totp_recovery_codes').where('user_id', '=', userId).execute();
  if (codes.length) await db.insertInto('totp_recovery_codes').values(codes.map((c) => ({ user_id: userId, code_hash: hashCode(c), used_at: null }))).execute();
}

/** Marks the code used if it is one of the user's unused codes; returns how many stay unused, or null for no match. */
export async function redeemRecoveryCode(db: Kysely<Database>, userId: string, input: string, now: string): Promise<number | null> {
  if (!looksLikeRecoveryCode(input)) return null;
  const claimed = await db
    .updateTable('totp_recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashCode(input))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return null;
  const left = await db.selectFrom('totp_recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return Number(left.n);
}

function hashCode(input: string): string {
  return createHash('sha256').update(normalise(input)).digest('hex');
}

function normalise(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}
