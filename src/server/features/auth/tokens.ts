import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens look like `pgt_<id>_<secret>`. Only sha256(secret) is stored: the secret
 * has 256 bits of entropy, so a fast hash is enough, and the id makes lookup an index
 * hit while the secret is compared in constant time.
 */
export type MintedToken = { id: string; token: string; secretHash: string };

/**
 * Prefixes keep the kinds apart: `pgt` user tokens, `pgd` daemon credentials,
 * `pge` enrolment tokens. A token of one kind never parses as another.
 */
export type TokenKind = 'pgt' | 'pgd' | 'pge';

export function mintToken(kind: TokenKind = 'pgt'): MintedToken {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${kind}_${id}_${secret}`, secretHash: hashSecret(secret) };
}

export function splitToken(token: string, kind: TokenKind = 'pgt'): { id: string; secret: string } | null {
  if (!token.startsWith(`${kind}_`) || token.length !== kind.length + 1 + 12 + 1 + 43) return null;
  const id = token.slice(kind.length + 1, kind.length + 13);
  const secret = token.slice(kind.length + 14);
  if (token[kind.length + 13] !== '_' || !/^[A-Za-z0-9_-]+$/.test(id + secret)) return null;
  return { id, secret };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
