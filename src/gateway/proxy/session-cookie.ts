import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The browser proxy's session cookie (docs/browser-proxy-gateway.md): any gateway holding the
 * fleet's proxy cookie key (GatewaySecrets.proxyCookieKey) can check it without having issued
 * it — so a session survives a gateway restart and works on every gateway of the region. The
 * value names the session and its expiry and carries an HMAC-SHA256 over (session, target,
 * user, expiry) with that key: it is valid only on its own target, for its own user, until the
 * session's `expiresAt`. Whether the session is still open is not the cookie's to say: the
 * proxy accepts it only while the session is in the current desired document (revocation is
 * unchanged: a session that leaves the document is refused and cut at once).
 */

export type CookieSession = { id: string; targetId: string; userId: string; expiresAt: string };

/** `<session id>.<expiry ms, base 36>.<mac, base64url>`: only cookie-safe characters (session ids are UUIDs). */
export function makeSessionCookie(key: Buffer, session: CookieSession): string {
  const expires = Date.parse(session.expiresAt);
  return `${session.id}.${expires.toString(36)}.${mac(key, session.id, session.targetId, session.userId, expires)}`;
}

/** The session id a cookie names, when the cookie was made with `key` for exactly this session (target, user, expiry) and has not expired. */
export function verifySessionCookie(key: Buffer, cookie: string, session: (id: string) => CookieSession | undefined, now: number): string | null {
  const parts = cookie.split('.');
  if (parts.length < 3) return null;
  const given = parts.pop() as string;
  const expiresText = parts.pop() as string;
  const id = parts.join('.');
  if (!/^[0-9a-z]{1,12}$/.test(expiresText)) return null;
  const expires = Number.parseInt(expiresText, 36);
  if (!(expires > now)) return null;
  const known = session(id);
  if (known === undefined || Date.parse(known.expiresAt) !== expires) return null;
  const expected = Buffer.from(mac(key, id, known.targetId, known.userId, expires));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : null;
}

/** The key as the control plane sends it (32 bytes, base64url); null for anything else. */
export function cookieKeyOf(text: string | null | undefined): Buffer | null {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  return Buffer.from(text, 'base64url');
}

function mac(key: Buffer, id: string, targetId: string, userId: string, expires: number): string {
  // newline-separated: no field can contain one (ids are UUIDs, expiry is a number)
  return createHmac('sha256', key).update(`plantgate proxy cookie v1\n${id}\n${targetId}\n${userId}\n${expires}`).digest('base64url');
}
