import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProxyTargetEntry } from './proxy-document.ts';
import { SESSION_COOKIE, deviceHost, rewriteLocation, rewriteSetCookie, sessionCookieOf, withoutSessionCookie } from './rewrite.ts';

const target: ProxyTargetEntry = {
  id: 't1',
  host: 't-abc',
  plantId: 'p1',
  scheme: 'http',
  mappedAddress: '100.80.3.10',
  port: 80,
  path: '/',
  deviceIp: '192.168.1.10',
};
const origin = 'https://t-abc.proxy.example';

test('O2 redirects: a Location naming the device is moved to the target origin; others stay', () => {
  const rows: Array<[string, string, string]> = [
    ['real address, default port', 'http://192.168.1.10/login?next=%2F#x', `${origin}/login?next=%2F#x`],
    ['mapped address, explicit default port', 'http://100.80.3.10:80/a', `${origin}/a`],
    ['relative location untouched', '/relative/path', '/relative/path'],
    ['another host untouched', 'http://192.168.1.11/a', 'http://192.168.1.11/a'],
    ['another port is another service', 'http://192.168.1.10:8080/a', 'http://192.168.1.10:8080/a'],
    ['another scheme is another service', 'https://192.168.1.10/a', 'https://192.168.1.10/a'],
    ['garbage untouched', 'http://[::1', 'http://[::1'],
  ];
  for (const [name, location, expected] of rows) assert.equal(rewriteLocation(location, target, origin), expected, name);
  const https = { ...target, scheme: 'https' as const, port: 8443 };
  assert.equal(rewriteLocation('https://192.168.1.10:8443/x', https, origin), `${origin}/x`, 'https target with its own port');
});

test('O2 cookies: Domain= is stripped, Path kept, the proxy cookie cannot be overwritten by a device', () => {
  assert.equal(rewriteSetCookie('sid=1; Domain=192.168.1.10; Path=/cgi; HttpOnly'), 'sid=1; Path=/cgi; HttpOnly');
  assert.equal(rewriteSetCookie('sid=1; domain=.example; path=/'), 'sid=1; path=/');
  assert.equal(rewriteSetCookie('a=b'), 'a=b');
  assert.equal(rewriteSetCookie(`${SESSION_COOKIE}=evil; Secure; Path=/`), null);
});

test('O2 cookies: the session cookie is read from, and never forwarded in, the Cookie header', () => {
  const header = `a=1; ${SESSION_COOKIE}=secret; b=2`;
  assert.equal(sessionCookieOf(header), 'secret');
  assert.equal(withoutSessionCookie(header), 'a=1; b=2');
  assert.equal(withoutSessionCookie(`${SESSION_COOKIE}=secret`), null);
  assert.equal(sessionCookieOf('a=1'), null);
  assert.equal(sessionCookieOf(undefined), null);
});

test('O2 Host header: the device gets its own address, with a non-default port', () => {
  assert.equal(deviceHost(target), '192.168.1.10');
  assert.equal(deviceHost({ ...target, port: 8080, deviceIp: null }), '100.80.3.10:8080');
});
