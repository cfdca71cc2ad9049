import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { cidr, formatIpv4, ipv4ToInt, prefixSize } from '../../src/core/net/ipv4.ts';
import { startLegacyTlsDevice } from '../support/browser-proxy-kit.ts';
import { CHROMIUM, SCREENSHOTS } from '../web/browser.ts';
import { BIG_BYTES } from './fixtures/web-device.ts';
import { assertNetnsCapable } from './netns.ts';
import { DEVICE_IP, GATEWAY_IP, type LabUser, NODE, REGION, ScenarioLab, sleep } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, PLANT_B, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * Issue 12 (SPEC O2) end to end: the browser proxy in the real gateway, reaching devices
 * through the real site tunnels (wireguard-go, the agents' NAT) of two plants on the same
 * 192.168.1.0/24, opened by users in Debian's Chromium through one-time grants from the real
 * control plane. Plant A's device speaks HTTPS with TLS 1.0 only (openssl s_server -tls1) and
 * plain HTTP; Plant B's device, at the same address, plain HTTP.
 */

const DOMAIN = 'px.e2e.test';
const PORT = 8443;
const WEB_DEVICE = new URL('./fixtures/web-device.ts', import.meta.url).pathname;

type Target = { host: string; label: string };

describe('browser proxy through the region gateway (issue 12, real gateway, agents, Chromium)', { timeout: 180_000 }, () => {
  const s = new ScenarioLab();
  let legacy: { stop: () => void } | null = null;
  const targets: Record<'aTls' | 'aWeb' | 'bWeb', Target> = { aTls: { host: '', label: '' }, aWeb: { host: '', label: '' }, bWeb: { host: '', label: '' } };
  const browsers: Browser[] = [];

  before(async () => {
    await assertNetnsCapable();
    await s.build();
    for (const [lan, name] of [['lanA', 'plant-A'], ['lanB', 'plant-B']] as const) {
      await s.lab.startProcess(s.ns[lan] as string, NODE, [WEB_DEVICE, name, '8080', DEVICE_IP, '600000']).waitForLine(/^listening/, 15_000);
    }
    legacy = await startLegacyTlsDevice(DEVICE_IP, 443, '<!doctype html><title>logger</title><h1 id="device">legacy plant-A</h1>', s.ns.lanA);
    s.serverOptions = { args: ['--proxy-domain', DOMAIN, '--proxy-port', String(PORT)] };
    await s.startServer();
    await s.loginAdmin();
    await s.applyFleet(scenarioFleet({}));
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
    await s.startGateway({ args: ['--proxy-listen', `${GATEWAY_IP}:${PORT}`, '--flow-report-seconds', '2'] });
    await s.startAgent('agentA', PLANT_A);
    await s.startAgent('agentB', PLANT_B);
    const olga = await s.addUser(PEOPLE.olga, passwordOf(PEOPLE.olga));
    const add = async (key: keyof typeof targets, plant: string, args: string[]) => {
      const run = await s.as(olga, ['proxy', 'targets', 'add', '--plant', plant, '--device', DEVICE_IP, ...args, '--json']);
      const parsed = JSON.parse(run.stdout) as { target: { host: string; label: string } } | { host: string; label: string };
      targets[key] = 'target' in parsed ? parsed.target : parsed;
    };
    await add('aTls', PLANT_A, ['--scheme', 'https', '--port', '443', '--path', '/index.html', '--name', 'Logger A']);
    await add('aWeb', PLANT_A, ['--scheme', 'http', '--port', '8080', '--name', 'Inverter A']);
    await add('bWeb', PLANT_B, ['--scheme', 'http', '--port', '8080', '--name', 'Inverter B']);
    // the site tunnels are up when the gateway reaches both plants' devices by their mapped addresses
    const bob = await s.addUser(PEOPLE.bob, passwordOf(PEOPLE.bob));
    for (const route of (await s.routes(bob)).filter((r) => r.plant === PLANT_A || r.plant === PLANT_B)) {
      const mapped = cidr(route.mapped);
      const device = formatIpv4(mapped.start + (ipv4ToInt(DEVICE_IP) % prefixSize(mapped.length)));
      let answer = '';
      for (let i = 0; i < 60 && !answer.startsWith('OK'); i++) {
        answer = (await s.lab.exec(s.ns.gw as string, NODE, [new URL('./fixtures/probe.ts', import.meta.url).pathname, 'http', `http://${device}:8080/`, '1000'], { timeoutMs: 15_000 })).stdout.trim();
        if (!answer.startsWith('OK')) await sleep(500);
      }
      assert.match(answer, /^OK/, `the gateway reaches ${route.plant}'s device at ${device}\n${s.daemonOutput().slice(-4000)}`);
    }
  });

  after(async () => {
    for (const browser of browsers) await browser.close().catch(() => {});
    legacy?.stop();
    await s.cleanup();
  });

  /** Chromium inside the user's namespace (a wrapper execs it there), the proxy domain resolved to the gateway. */
  async function browserOf(user: LabUser): Promise<BrowserContext> {
    const wrapper = join(s.work, `chromium-${user.ns}`);
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${user.ns} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const browser = await chromium.launch({
      executablePath: wrapper,
      headless: true,
      timeout: 30_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--host-resolver-rules=MAP *.${DOMAIN} ${GATEWAY_IP}`],
    });
    browsers.push(browser);
    // the gateway serves a self-signed certificate here (no --proxy-cert)
    return browser.newContext({ ignoreHTTPSErrors: true });
  }

  async function openUrl(user: LabUser, target: Target): Promise<string> {
    const opened = JSON.parse((await s.as(user, ['proxy', 'open', target.host, '--json'])).stdout) as { url: string };
    assert.match(opened.url, new RegExp(`^https://${target.host}\\.${DOMAIN.replaceAll('.', '\\.')}:${PORT}/\\.plantgate/grant\\?token=`));
    return opened.url;
  }

  const origin = (target: Target) => `https://${target.host}.${DOMAIN}:${PORT}`;

  it('O2: alice opens three targets in Chromium — the TLS-1.0-only logger and both plants’ devices at the same address — and sees the right plant each time', async () => {
    const alice = await s.addUser(PEOPLE.alice, passwordOf(PEOPLE.alice));
    // alice is Operator of Plant A only; bob of both (P4): B's target is opened by bob
    const bob = s.users.get(PEOPLE.bob) as LabUser;
    const context = await browserOf(alice);
    const page = await context.newPage();
    for (const [target, expected] of [[targets.aTls, 'legacy plant-A'], [targets.aWeb, 'plant-A']] as const) {
      const response = await page.goto(await openUrl(alice, target));
      assert.equal(response?.status(), 200, `${target.label}: ${await page.content()}`);
      assert.equal(await page.textContent('#device'), expected);
      assert.ok(page.url().startsWith(origin(target)), page.url());
      await page.screenshot({ path: join(SCREENSHOTS, `browser-proxy-${target === targets.aTls ? 'tls1-logger' : 'inverter'}-plant-a.png`) });
    }
    const bobPage = await (await browserOf(bob)).newPage();
    for (const [target, expected] of [[targets.bWeb, 'plant-B'], [targets.aWeb, 'plant-A']] as const) {
      await bobPage.goto(await openUrl(bob, target));
      assert.equal(await bobPage.textContent('#device'), expected, `bob on ${target.label}`);
    }
    // alice's cookie for Plant A's inverter is no key to Plant B's
    assert.equal((await page.goto(`${origin(targets.bWeb)}/`))?.status(), 404);
  });

  it('O2 device UI: absolute redirect to the device stays on the origin, WebSocket echo, 50 MB download streamed to the browser', async (t) => {
    const alice = s.users.get(PEOPLE.alice) as LabUser;
    const page = await (await browserOf(alice)).newPage();
    await page.goto(await openUrl(alice, targets.aWeb));
    await page.goto(`${origin(targets.aWeb)}/redirect`);
    assert.equal(page.url(), `${origin(targets.aWeb)}/landing`);
    const echo = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const ws = new WebSocket(`wss://${(globalThis as unknown as { location: { host: string } }).location.host}/ws`);
          ws.onopen = () => ws.send('ping');
          ws.onmessage = (event) => resolve(String(event.data));
          ws.onerror = () => reject(new Error('websocket failed'));
        }),
    );
    assert.equal(echo, 'echo plant-A: ping');
    const started = Date.now();
    const bytes = await page.evaluate(async () => {
      const response = await fetch('/big');
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return total;
        total += value.length;
      }
    });
    assert.equal(bytes, BIG_BYTES);
    t.diagnostic(`50 MB through proxy and site tunnel in ${Date.now() - started} ms`);
  });

  it('O2 misuse: a used grant in another browser, a user without the plant (P4), a Guest: refused with 404', async () => {
    const alice = s.users.get(PEOPLE.alice) as LabUser;
    const url = await openUrl(alice, targets.aWeb);
    const first = await (await browserOf(alice)).newPage();
    assert.equal((await first.goto(url))?.status(), 200);
    const bob = s.users.get(PEOPLE.bob) as LabUser;
    const other = await (await browserOf(bob)).newPage();
    assert.equal((await other.goto(url))?.status(), 404, 'alice’s grant, already used, in bob’s browser');
    const gus = await s.addUser(PEOPLE.gus, passwordOf(PEOPLE.gus));
    const refused = await s.cli(gus.ns, gus.env, ['proxy', 'open', targets.aWeb.host]);
    assert.notEqual(refused.code, 0, 'a Guest may not open the target');
    const alicesB = await s.cli(alice.ns, alice.env, ['proxy', 'open', targets.bWeb.host]);
    assert.notEqual(alicesB.code, 0, 'alice may not reach Plant B');
  });

  it('O2/P3: erin loses her job role — her open WebSocket is cut within 1 s of the change and the page is refused', async (t) => {
    const erin = await s.addUser(PEOPLE.erin, passwordOf(PEOPLE.erin));
    const page = await (await browserOf(erin)).newPage();
    await page.goto(await openUrl(erin, targets.aWeb));
    assert.equal(await page.textContent('#device'), 'plant-A');
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(`wss://${(globalThis as unknown as { location: { host: string } }).location.host}/ws`);
          const state = globalThis as unknown as { closedAt: number | null };
          state.closedAt = null;
          ws.onopen = () => resolve();
          ws.onclose = () => {
            state.closedAt = Date.now();
          };
          ws.onerror = () => reject(new Error('websocket failed'));
        }),
    );
    await s.applyFleet(scenarioFleet({ erinRoleRemoved: true }));
    const changed = Date.now();
    let closedAt: number | null = null;
    for (let i = 0; i < 50 && closedAt === null; i++) {
      closedAt = await page.evaluate(() => (globalThis as unknown as { closedAt: number | null }).closedAt);
      if (closedAt === null) await sleep(100);
    }
    assert.ok(closedAt !== null, `the WebSocket was cut\n${s.gateway?.output().slice(-3000)}`);
    t.diagnostic(`cut ${closedAt - changed} ms after the fleet change returned`);
    assert.ok(closedAt - changed < 1000, `cut ${closedAt - changed} ms after the change`);
    assert.equal((await page.reload())?.status(), 404);
  });

  it('A1: the proxied requests are in Plant A’s audit trail, attributed to the users, per device and port, with method, path and status (issue 12 item 4)', async () => {
    const olga = s.users.get(PEOPLE.olga) as LabUser;
    type Http = { method: string; path: string; status: number; requests: number; bytesIn: number; bytesOut: number };
    type Row = { user: string | null; plant: string; deviceIp: string; protocol: string; port: number | null; connections: number; bytesIn: number; session: string | null; http?: Http[] };
    let proxied: Row[] = [];
    for (const end = Date.now() + 30_000; Date.now() < end; await sleep(1000)) {
      const page = JSON.parse((await s.as(olga, ['audit', 'query', '--plant', PLANT_A, '--json'])).stdout) as { records: Row[] };
      proxied = page.records.filter((r) => r.session?.startsWith('proxy:'));
      if (proxied.some((r) => r.user === PEOPLE.erin && r.http?.some((e) => e.path === '/ws')) && proxied.some((r) => r.port === 443)) break;
    }
    assert.ok(proxied.length > 0, `proxy records in the audit\n${s.gateway?.output().slice(-3000)}`);
    assert.deepEqual([...new Set(proxied.map((r) => r.plant))], [PLANT_A]);
    assert.deepEqual([...new Set(proxied.map((r) => r.deviceIp))], [DEVICE_IP]);
    assert.deepEqual([...new Set(proxied.map((r) => r.port))].sort(), [443, 8080]);
    assert.ok(new Set(proxied.map((r) => r.user)).has(PEOPLE.alice) && new Set(proxied.map((r) => r.user)).has(PEOPLE.erin), JSON.stringify(proxied));
    assert.ok(proxied.every((r) => r.user !== null), 'every proxy record names its user');
    const big = proxied.filter((r) => r.user === PEOPLE.alice && r.port === 8080).reduce((n, r) => n + r.bytesIn, 0);
    assert.ok(big >= BIG_BYTES, `the 50 MB download counted: ${big}`);
    // the requests themselves, as alice's browser made them (the grant redemption is the proxy's own, not proxied)
    const requestsOf = (user: string, port: number) => proxied.filter((r) => r.user === user && r.port === port).flatMap((r) => r.http ?? []);
    const seen = (entries: Http[]) => new Set(entries.map((e) => `${e.method} ${e.path} ${e.status}`));
    const alice8080 = seen(requestsOf(PEOPLE.alice, 8080));
    for (const request of ['GET / 200', 'GET /redirect 302', 'GET /landing 200', 'GET /big 200']) {
      assert.ok(alice8080.has(request), `${request} in alice's audited requests: ${[...alice8080].join(', ')}`);
    }
    // a WebSocket is recorded when it closes: erin's, cut by the revocation (alice's page is still open)
    assert.ok(seen(requestsOf(PEOPLE.erin, 8080)).has('GET /ws 101'), `erin's cut WebSocket: ${[...seen(requestsOf(PEOPLE.erin, 8080))].join(', ')}`);
    assert.ok(seen(requestsOf(PEOPLE.alice, 443)).has('GET /index.html 200'), 'the TLS 1.0 logger page');
    const download = requestsOf(PEOPLE.alice, 8080).filter((e) => e.path === '/big').reduce((n, e) => n + e.bytesIn, 0);
    assert.ok(download >= BIG_BYTES, `the download's bytes on its request: ${download}`);
    for (const r of proxied) {
      assert.ok(r.http !== undefined && r.http.length > 0, `every proxy record carries its requests: ${JSON.stringify(r)}`);
      assert.equal(r.http.reduce((n, e) => n + e.requests, 0), r.connections, 'the requests add up to the record');
    }
    const verified = await s.as(olga, ['audit', 'verify', '--plant', PLANT_A]);
    assert.match(verified.stdout, /verified \d+ records/, 'the chain, request detail included, verifies');
  });
  it('O2 (sessions across restarts): alice’s open page keeps working after the gateway restarts — the same cookie, no new grant', async (t) => {
    const alice = s.users.get(PEOPLE.alice) as LabUser;
    const page = await (await browserOf(alice)).newPage();
    assert.equal((await page.goto(await openUrl(alice, targets.aWeb)))?.status(), 200);
    const cookies = await page.context().cookies();
    await s.gateway?.stop();
    const restarted = Date.now();
    await (await s.startGateway({ args: ['--proxy-listen', `${GATEWAY_IP}:${PORT}`, '--flow-report-seconds', '2'] })).waitForLine(/browser proxy listening/, 30_000);
    // the site tunnel comes back after the restart: until then the device is unreachable (502), never refused (404);
    // a reload sent while the tunnel is still handshaking may wait out TCP's SYN backoff, so each try is bounded
    let status: number | undefined;
    for (const end = Date.now() + 60_000; Date.now() < end; await sleep(500)) {
      status = (await page.reload({ timeout: 10_000 }).catch(() => null))?.status();
      if (status === 200 || status === 404) break;
    }
    t.diagnostic(`served again ${Date.now() - restarted} ms after the restart began`);
    assert.equal(status, 200, `the cookie after the restart\n${s.gateway?.output().slice(-3000)}`);
    assert.equal(await page.textContent('#device'), 'plant-A');
    assert.deepEqual(await page.context().cookies(), cookies, 'the browser was given no new cookie');
  });
});
