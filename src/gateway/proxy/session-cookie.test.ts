import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { type CookieSession, cookieKeyOf, makeSessionCookie, verifySessionCookie } from './session-cookie.ts';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const key = randomBytes(32);
const s1: CookieSession = { id: '5b0c6a8e-2f4d-4d8e-9a51-3c2f1e0d9b7a', targetId: 'target-a', userId: 'user-alice', expiresAt: new Date(NOW + 3_600_000).toISOString() };
const lookup = (...sessions: CookieSession[]) => (id: string) => sessions.find((s) => s.id === id);

test('O2 cookie: made with the key, it names its session on its own target — any gateway holding the key checks it without having issued it', () => {
  const cookie = makeSessionCookie(key, s1);
  assert.match(cookie, /^[A-Za-z0-9._-]+$/, 'cookie-safe characters only');
  assert.equal(verifySessionCookie(key, cookie, lookup(s1), NOW), s1.id);
  assert.equal(verifySessionCookie(Buffer.from(key), cookie, lookup({ ...s1 }), NOW), s1.id, 'another process with the same key and the session in its document');
});

const refused: Array<{ name: string; cookie: () => string; sessions: CookieSession[]; now?: number; key?: Buffer }> = [
  { name: 'wrong key (another installation, or a forged cookie)', cookie: () => makeSessionCookie(randomBytes(32), s1), sessions: [s1] },
  { name: 'another target: the session moved (or a cookie carried to another origin)', cookie: () => makeSessionCookie(key, s1), sessions: [{ ...s1, targetId: 'target-b' }] },
  { name: 'another user holds the session id now', cookie: () => makeSessionCookie(key, s1), sessions: [{ ...s1, userId: 'user-mallory' }] },
  { name: 'expired (the session’s expiresAt passed)', cookie: () => makeSessionCookie(key, s1), sessions: [s1], now: Date.parse(s1.expiresAt) },
  { name: 'expiry in the cookie moved later (tampered)', cookie: () => makeSessionCookie(key, s1).replace(/\.[0-9a-z]+\./, `.${(NOW + 7_200_000).toString(36)}.`), sessions: [s1] },
  { name: 'MAC tampered', cookie: () => flipLast(makeSessionCookie(key, s1)), sessions: [s1] },
  { name: 'session id swapped for another open session', cookie: () => makeSessionCookie(key, s1).replace(s1.id, 'other-session'), sessions: [s1, { ...s1, id: 'other-session' }] },
  { name: 'the session is not in the document (revoked, closed, permission lost)', cookie: () => makeSessionCookie(key, s1), sessions: [] },
  { name: 'a session whose expiry the document changed', cookie: () => makeSessionCookie(key, s1), sessions: [{ ...s1, expiresAt: new Date(NOW + 60_000).toISOString() }] },
  { name: 'garbage', cookie: () => 'not-a-cookie', sessions: [s1] },
  { name: 'an old random cookie of the in-process scheme', cookie: () => randomBytes(32).toString('base64url'), sessions: [s1] },
];
for (const row of refused) {
  test(`O2 cookie refused: ${row.name}`, () => {
    assert.equal(verifySessionCookie(row.key ?? key, row.cookie(), lookup(...row.sessions), row.now ?? NOW), null);
  });
}

test('O2 cookie key: only a 32-byte base64url key is taken', () => {
  assert.equal(cookieKeyOf(key.toString('base64url'))?.equals(key), true);
  for (const bad of [null, undefined, '', 'short', `${key.toString('base64url')}x`, key.toString('hex')]) assert.equal(cookieKeyOf(bad), null, String(bad));
});

function flipLast(text: string): string {
  return `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`;
}
