import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens look like `pgt_<id>_<secret>`. Only sha256(secret) is stored: the secret
 * has 256 bits of entropy, so a fast hash is enough, and the id makes lookup an index
 * hit while the secret is compared in constant time.
 */
export type MintedToken = { id: string; token: string; secretHash: string };

export function mintToken(): MintedToken {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `pgt_${id}_${secret}`, secretHash: hashSecret(secret) };
}

export function splitToken(token: string): { id: string; secret: string } | null {
  const m = /^pgt_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1] as string, secret: m[2] as string } : null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
