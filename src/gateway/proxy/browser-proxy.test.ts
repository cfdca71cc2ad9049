import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { BIG_BYTES, type WebDevice, startWebDevice } from '../../../test/e2e/fixtures/web-device.ts';
import { type Reply, proxyGet, session, sessionCookieFrom, startLegacyTlsDevice } from '../../../test/support/browser-proxy-kit.ts';
import { memoryLogger } from '../../daemon/log.ts';
import { BrowserProxy, GRANT_PATH } from './browser-proxy.ts';
import type { ProxiedRequest } from './proxy-flows.ts';
import type { ProxyDocumentPart, ProxyTargetEntry } from './proxy-document.ts';
import { selfSignedCertificate } from './self-signed.ts';

/**
 * The proxy engine against real devices on loopback: a Node device (redirects, cookies,
 * basic auth, WebSocket, 50 MB) and the real `openssl s_server -tls1` as a TLS-1.0-only
 * device. The network-namespace path (site tunnels, two plants) is test/e2e/browser-proxy.test.ts.
 */

const DOMAIN = 'px.test';
const LOOP = '127.0.0.1';
let clock = Date.parse('2026-11-30T12:00:00Z');
const requests: ProxiedRequest[] = [];
let device: WebDevice;
let legacy: { stop: () => void };
let proxy: BrowserProxy;
let port = 0;
let web: ProxyTargetEntry;
let tls1: ProxyTargetEntry;
const LEGACY_PORT = 20000 + Math.floor(Math.random() * 20000);

before(async () => {
  device = await startWebDevice('plant-A', LOOP, 0, LOOP);
  legacy = await startLegacyTlsDevice(LOOP, LEGACY_PORT, '<h1>legacy logger</h1>');
  web = { id: 'tw', host: 't-web', plantId: 'pA', scheme: 'http', mappedAddress: LOOP, port: device.port, path: '/start' };
  tls1 = { id: 'tl', host: 't-legacy', plantId: 'pA', scheme: 'https', mappedAddress: LOOP, port: LEGACY_PORT, path: '/index.html' };
  proxy = new BrowserProxy({
    domain: DOMAIN,
    listen: { host: LOOP, port: 0 },
    tls: await selfSignedCertificate([`*.${DOMAIN}`], new Date()),
    now: () => clock,
    log: memoryLogger(),
    onRequest: (r) => requests.push(r),
    grantWaitMs: 1500,
    sweepMs: 50,
  });
  port = (await proxy.start()).port;
});

after(async () => {
  await proxy.stop();
  await device.close();
  legacy.stop();
});

const host = (target: ProxyTargetEntry) => `${target.host}.${DOMAIN}`;
const get = (target: ProxyTargetEntry, path: string, headers: Record<string, string> = {}): Promise<Reply> => proxyGet(LOOP, port, host(target), path, headers);

function part(...sessions: ProxyDocumentPart['sessions']): ProxyDocumentPart {
  return { targets: [web, tls1], sessions };
}

/** Opens a session on the target through its grant and returns the cookie header value. */
async function open(target: ProxyTargetEntry, token: string): Promise<string> {
  const reply = await get(target, `${GRANT_PATH}?token=${token}`);
  assert.equal(reply.status, 303, `grant on ${target.host}`);
  assert.equal(reply.headers.location, target.path);
  const cookie = sessionCookieFrom(reply);
  assert.ok(cookie, 'a session cookie is set');
  const attributes = String(reply.headers['set-cookie']);
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) assert.ok(attributes.includes(attribute), attribute);
  assert.ok(!/domain=/i.test(attributes), 'the cookie stays on this origin');
  return cookie;
}

test('O2 grant: a one-time grant opens its target once; the device page comes through; the session cookie never reaches the device', async () => {
  proxy.apply(part(session('s1', web, 'tok-1', clock)));
  const cookie = await open(web, 'tok-1');
  const page = await get(web, '/start', { cookie });
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /plant-A/);
  const seen = JSON.parse((await get(web, '/headers', { cookie: `${cookie}; theme=dark`, 'x-forwarded-for': '6.6.6.6' })).body.toString());
  assert.equal(seen.cookie, 'theme=dark', 'only the device’s own cookies are forwarded');
  assert.equal(seen.forwarded, null, 'forged forwarding headers are dropped');
  assert.equal(seen.host, `${LOOP}:${device.port}`, 'the device sees its own address as Host');
  assert.equal((await get(web, `${GRANT_PATH}?token=tok-1`)).status, 404, 'the grant works once');
});

test('O2 grant misuse: another target’s grant or cookie, no cookie, an unknown host, an expired grant: refused without saying why', async () => {
  proxy.apply(
    part(
      session('s2', web, 'tok-2', clock),
      session('s3', tls1, 'tok-3', clock),
      session('s4', web, 'tok-4', clock, { grantExpiresAt: new Date(clock - 1).toISOString() }),
    ),
  );
  assert.equal((await get(tls1, `${GRANT_PATH}?token=tok-2`)).status, 404, 'grant of another target');
  const cookie = await open(web, 'tok-2');
  const refused = await get(tls1, '/index.html', { cookie });
  assert.equal(refused.status, 404, 'cookie of another target');
  assert.doesNotMatch(refused.body.toString(), /legacy|plant-|t-web|s2/);
  assert.equal((await get(web, '/start')).status, 404, 'no cookie');
  assert.equal((await get(web, `${GRANT_PATH}?token=tok-4`)).status, 404, 'expired grant');
  assert.equal((await proxyGet(LOOP, port, `t-nothing.${DOMAIN}`, '/')).status, 404, 'unknown target');
  assert.equal((await proxyGet(LOOP, port, 'evil.example', '/')).status, 404, 'another domain');
  const same = [await proxyGet(LOOP, port, `t-nothing.${DOMAIN}`, '/x'), await get(tls1, '/index.html', { cookie })];
  assert.equal(same[0]?.body.toString(), same[1]?.body.toString(), 'every refusal reads the same');
});

test('O2 grant: a grant that arrives before its document waits for it (≤ 2 s)', async () => {
  proxy.apply(part());
  const pending = get(web, `${GRANT_PATH}?token=tok-late`);
  await sleep(200);
  proxy.apply(part(session('late', web, 'tok-late', clock)));
  assert.equal((await pending).status, 303);
});

test('O2 legacy TLS: a TLS-1.0-only device with a self-signed certificate (openssl s_server -tls1) is served', async () => {
  proxy.apply(part(session('s5', tls1, 'tok-5', clock)));
  const cookie = await open(tls1, 'tok-5');
  const page = await get(tls1, '/index.html', { cookie });
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /legacy logger/);
  // the same device with Node's TLS defaults: refused, so the legacy settings are what made it work
  const direct = await new Promise<string>((resolve) => {
    const req = httpsRequest({ host: LOOP, port: LEGACY_PORT, path: '/index.html', rejectUnauthorized: false, agent: false }, () => resolve('answered'));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
  assert.equal(direct, 'EPROTO');
});

test('O2 device UIs: absolute redirects to the device, Domain cookies with paths, basic auth prompts', async () => {
  proxy.apply(part(session('s6', web, 'tok-6', clock)));
  const cookie = await open(web, 'tok-6');
  const redirect = await get(web, '/redirect', { cookie });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.location, `https://${host(web)}:${port}/landing`);
  const set = await get(web, '/cookie', { cookie });
  assert.deepEqual(set.headers['set-cookie'], ['device-sid=plant-A; Path=/app; HttpOnly']);
  const prompt = await get(web, '/auth', { cookie });
  assert.equal(prompt.status, 401);
  assert.equal(prompt.headers['www-authenticate'], 'Basic realm="inverter"');
  const authorised = await get(web, '/auth', { cookie, authorization: `Basic ${Buffer.from('installer:solar').toString('base64')}` });
  assert.equal(authorised.status, 200);
  assert.equal(authorised.body.toString(), 'settings of plant-A');
});

test('O2 WebSocket through the proxy; revoking the session closes it and a running download in < 1 s', async () => {
  proxy.apply(part(session('s7', web, 'tok-7', clock)));
  const cookie = await open(web, 'tok-7');
  const socket = new WebSocket(`wss://${LOOP}:${port}/ws`, { headers: { host: host(web), cookie }, rejectUnauthorized: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const echo = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
  socket.send('hello');
  assert.equal(await echo, 'echo plant-A: hello');
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  // a 50 MB download, read slowly, still running at the revoke
  const download = new Promise<string>((resolve) => {
    const req = requestStream(host(web), '/big', cookie, (res) => {
      res.pause();
      setTimeout(() => res.resume(), 2000);
      res.on('data', () => {});
      res.on('end', () => resolve('complete'));
      res.on('error', () => resolve('cut'));
      res.on('aborted', () => resolve('cut'));
    });
    req.on('error', () => resolve('cut'));
  });
  await sleep(200);
  const revokedAt = performance.now();
  proxy.apply(part());
  const cutMs = (await closed) - revokedAt;
  assert.ok(cutMs < 1000, `WebSocket cut after ${cutMs.toFixed(1)} ms`);
  assert.equal(await download, 'cut');
  assert.equal((await get(web, '/start', { cookie })).status, 404, 'the cookie is worthless afterwards');
  assert.ok(
    requests.some((r) => r.sessionId === 's7' && r.status === 101),
    'the WebSocket is in the trail',
  );
});

test('O2 large downloads are streamed: 50 MB arrive whole while the device is held back by the reader', async () => {
  proxy.apply(part(session('s8', web, 'tok-8', clock)));
  const cookie = await open(web, 'tok-8');
  const result = await new Promise<{ bytes: number; writtenAtFirstByte: number }>((resolve, reject) => {
    let bytes = 0;
    let writtenAtFirstByte = -1;
    requestStream(host(web), '/big', cookie, (res) => {
      res.once('data', () => {
        res.pause();
        // the reader stalls: a streaming proxy holds the device back instead of buffering 50 MB
        setTimeout(() => {
          writtenAtFirstByte = device.written();
          res.resume();
        }, 500);
      });
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ bytes, writtenAtFirstByte }));
      res.on('error', reject);
    }).on('error', reject);
  });
  assert.equal(result.bytes, BIG_BYTES);
  assert.ok(result.writtenAtFirstByte < BIG_BYTES / 2, `device had written ${result.writtenAtFirstByte} bytes while the reader stalled`);
  await sleep(100); // the proxy's side of the response closes just after the client's end
  const audited = requests.filter((r) => r.sessionId === 's8' && r.path === '/big');
  assert.equal(audited[0]?.bytesIn, BIG_BYTES);
  assert.equal(audited[0]?.status, 200);
  assert.equal(audited[0]?.userEmail, 's8@example.test');
});

test('O2 expiry: a session whose time ran out is refused and its sockets closed', async () => {
  proxy.apply(part(session('s9', web, 'tok-9', clock, { expiresAt: new Date(clock + 60_000).toISOString() })));
  const cookie = await open(web, 'tok-9');
  assert.equal((await get(web, '/start', { cookie })).status, 200);
  clock += 61_000;
  assert.equal((await get(web, '/start', { cookie })).status, 404);
});

function requestStream(origin: string, path: string, cookie: string, onResponse: (res: IncomingMessage) => void) {
  const req = httpsRequest(
    { host: LOOP, port, path, servername: origin, rejectUnauthorized: false, headers: { host: origin, cookie }, agent: false },
    onResponse,
  );
  req.end();
  return req;
}
