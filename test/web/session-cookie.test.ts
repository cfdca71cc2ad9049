import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApp } from '../../src/server/http/app.ts';
import { startTestServer } from '../support/server.ts';
import { USERS, loadWebFleet } from './fleet.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
  await loadWebFleet(server);
});
after(() => server?.close());

const webLogin = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-plantgate-client': 'web', ...headers },
    body: JSON.stringify(USERS.bob),
  });

test('issue 8: the browser login answers without the token; the session cookie is HttpOnly and SameSite=Strict', async () => {
  const r = await webLogin(server.url);
  assert.equal(r.status, 200);
  const body = (await r.json()) as Record<string, unknown>;
  assert.equal(body.token, undefined);
  assert.equal((body.user as { email: string }).email, USERS.bob.email);
  const cookies = r.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('pg_session='));
  assert.match(session ?? '', /; HttpOnly/);
  assert.match(session ?? '', /; SameSite=Strict/);
  assert.doesNotMatch(session ?? '', /; Secure/, 'plain HTTP on loopback: a Secure cookie would never come back');
  assert.doesNotMatch(cookies.find((c) => c.startsWith('pg_csrf=')) ?? 'missing', /HttpOnly|missing/, 'the CSRF cookie is for the page to echo');
  const cli = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USERS.bob) });
  assert.match(((await cli.json()) as { token: string }).token, /^pgt_/, 'the CLI login is unchanged');
  assert.deepEqual(cli.headers.getSetCookie(), []);
});

test('issue 8: served over TLS, both cookies are Secure', async () => {
  const app = createApp(server.ctx);
  const r = await app.request('https://cp.example.test/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-plantgate-client': 'web' },
    body: JSON.stringify(USERS.bob),
  });
  assert.equal(r.status, 200);
  for (const cookie of r.headers.getSetCookie()) assert.match(cookie, /; Secure/);
});

test('issue 8: a cookie session reads without a CSRF header, but changes need it; a login from another origin is refused', async () => {
  const login = await webLogin(server.url);
  const jar = login.headers.getSetCookie().map((c) => c.split(';')[0]);
  const cookie = jar.join('; ');
  const csrf = (jar.find((c) => c?.startsWith('pg_csrf=')) ?? '').slice('pg_csrf='.length);
  assert.equal((await fetch(`${server.url}/api/v1/me`, { headers: { cookie } })).status, 200);
  const post = (headers: Record<string, string>) =>
    fetch(`${server.url}/api/v1/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 't' }) });
  const missing = await post({});
  assert.equal(missing.status, 403);
  assert.equal(((await missing.json()) as { error: { field: string } }).error.field, 'x-plantgate-csrf');
  assert.equal((await post({ 'x-plantgate-csrf': `${csrf}x` })).status, 403);
  assert.equal((await post({ 'x-plantgate-csrf': csrf })).status, 201);
  assert.equal((await webLogin(server.url, { origin: 'https://evil.example' })).status, 403);
  const logout = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, 'x-plantgate-csrf': csrf } });
  assert.equal(logout.status, 204);
  assert.ok(logout.headers.getSetCookie().some((c) => c.startsWith('pg_session=;')), 'logout clears the cookie');
  assert.equal((await fetch(`${server.url}/api/v1/me`, { headers: { cookie } })).status, 401, 'and revoked the token behind it');
});
