import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type WebDevice, startWebDevice } from '../../../test/e2e/fixtures/web-device.ts';
import { proxyGet, session, sessionCookieFrom } from '../../../test/support/browser-proxy-kit.ts';
import type { GatewayDesiredState, GatewayProxy } from '../../core/wire/gateway-state.ts';
import { generateWireGuardKeyPair } from '../../crypto/wireguard-keys.ts';
import { DaemonMetrics } from '../../daemon/daemon-metrics.ts';
import { memoryLogger } from '../../daemon/log.ts';
import type { RunningDaemon } from '../../daemon/running-daemon.ts';
import { MemoryStateStore } from '../../daemon/state-store.ts';
import { FakeClock, settle } from '../../daemon/testing/fake-clock.ts';
import { FakeControlPlane, gatewayStateAnswers } from '../../daemon/testing/fake-control-plane.ts';
import { FakeIpConfigDriver } from '../../os/ip/fake-ip-config-driver.ts';
import { FakeNftDriver } from '../../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../../os/wireguard/fake-wireguard-driver.ts';
import { twoPlantsState } from '../__fixtures__/desired-state.ts';
import { startGatewayDaemon } from '../daemon.ts';
import { GRANT_PATH } from './browser-proxy.ts';
import type { ProxyTargetEntry } from './proxy-document.ts';

/**
 * Issue 12: a browser-proxy session survives a restart of the gateway daemon and is served by
 * another gateway of the region — the cookie is an HMAC with the fleet's proxy cookie key
 * (from the gateway's secrets, kept in its state dir), checked against the sessions of the
 * current document. Revocation is unchanged: a session gone from the document is refused.
 * Data-plane drivers are fakes; the daemons, proxies, device and sockets are real.
 */

const service = generateWireGuardKeyPair();
const cookieKey = randomBytes(32).toString('base64url');
const BASE = 30000 + Math.floor(Math.random() * 20000);
const HOST = 't-web.px.test';
const clock = new FakeClock();
let device: WebDevice;
let target: ProxyTargetEntry;
const running: RunningDaemon[] = [];

function section(sessions: GatewayProxy['sessions']): GatewayProxy {
  return { domain: 'px.test', port: 443, targets: [target], sessions };
}

/** A control plane as two gateways of one region see it: the same document and secrets (each fake enrols one gateway). */
function controlPlane(name: string, key: string | null = cookieKey): FakeControlPlane<GatewayDesiredState> {
  const initial: GatewayDesiredState = { ...twoPlantsState, revision: 1, servicePublicKey: service.publicKey, proxy: section([session('s1', target, 'tok-1', clock.now())]) };
  const cp = new FakeControlPlane<GatewayDesiredState>(clock, initial, { kind: 'gateway', id: name, name, credential: `pgd_${name}`, region: 'eu-central', plantId: null }, `pge_${name}`);
  cp.secretsValue = { servicePrivateKey: service.privateKey, servicePublicKey: service.publicKey, ...(key === null ? {} : { proxyCookieKey: key }) };
  cp.registerAnswer = { siteTunnelIp: '100.64.0.9' };
  return cp;
}

async function startGateway(cp: FakeControlPlane<GatewayDesiredState>, store: MemoryStateStore, port: number, name: string): Promise<{ daemon: RunningDaemon; log: ReturnType<typeof memoryLogger> }> {
  const log = memoryLogger();
  const daemon = await startGatewayDaemon(
    {
      token: `pge_${name}`,
      siteEndpoint: '203.0.113.5:51821',
      userPort: 51820,
      sitePort: 51821,
      ifaces: { users: 'pgu0', sites: 'pgs0' },
      table: 'plantgate',
      keepOnExit: false,
      version: 'test',
      loop: { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000, backoff: { initialMs: 500, maxMs: 4000 } },
      proxy: { listenHost: '127.0.0.1', listenPort: port },
    },
    {
      enrolment: cp,
      controlPlane: () => ({ register: (r) => cp.register(r), secrets: () => cp.secrets(), state: gatewayStateAnswers(cp), status: (r) => cp.status(r) }),
      store,
      wireguard: new FakeWireGuardDriver(),
      nft: new FakeNftDriver(),
      ip: new FakeIpConfigDriver(),
      clock,
      log,
      metrics: new DaemonMetrics('gateway', clock),
    },
  );
  running.push(daemon);
  await settle();
  for (let i = 0; i < 100 && !log.lines.some((l) => l.message === 'browser proxy listening'); i++) await sleep(20);
  assert.ok(log.lines.some((l) => l.message === 'browser proxy listening'), `${name} serves the proxy`);
  return { daemon, log };
}

async function stopGateway(daemon: RunningDaemon): Promise<void> {
  await daemon.stop();
  running.splice(running.indexOf(daemon), 1);
}

before(async () => {
  device = await startWebDevice('plant-A', '127.0.0.1', 0, '127.0.0.1');
  target = { id: 'tw', host: 't-web', plantId: 'plant-a', scheme: 'http', mappedAddress: '127.0.0.1', port: device.port, path: '/' };
});

after(async () => {
  for (const daemon of [...running]) await daemon.stop();
  await device.close();
});

test('O2: a session cookie keeps working after the gateway daemon restarts, and on a second gateway of the region; a session gone from the document is refused on both', async () => {
  const cp = controlPlane('gw-1');
  const store = new MemoryStateStore();
  const first = await startGateway(cp, store, BASE, 'gw-1');
  const grant = await proxyGet('127.0.0.1', BASE, HOST, `${GRANT_PATH}?token=tok-1`);
  assert.equal(grant.status, 303);
  const cookie = sessionCookieFrom(grant) ?? '';
  assert.equal((await proxyGet('127.0.0.1', BASE, HOST, '/', { cookie })).status, 200);
  assert.ok(!first.log.lines.some((l) => JSON.stringify(l).includes(cookieKey)), 'the key is never logged');

  await stopGateway(first.daemon);
  const restarted = await startGateway(cp, store, BASE, 'gw-1');
  assert.equal((await proxyGet('127.0.0.1', BASE, HOST, '/', { cookie })).status, 200, 'the cookie after the restart, no new grant');
  assert.equal((await proxyGet('127.0.0.1', BASE, HOST, `${GRANT_PATH}?token=tok-1`)).status, 303, 'a grant stays one-time per gateway (a restarted one forgot it; its 30 s bound it)');

  const cp2 = controlPlane('gw-2');
  const second = await startGateway(cp2, new MemoryStateStore(), BASE + 1, 'gw-2');
  assert.equal((await proxyGet('127.0.0.1', BASE + 1, HOST, '/', { cookie })).status, 200, 'another gateway of the region takes the cookie');
  assert.equal((await proxyGet('127.0.0.1', BASE + 1, 't-other.px.test', '/', { cookie })).status, 404, 'not on another origin');

  // revocation: the session leaves the document on both gateways → refused at once
  for (const c of [cp, cp2]) c.publish((state) => ({ ...state, proxy: section([]) }));
  let refused = [0, 0];
  for (let i = 0; i < 50 && refused.some((s) => s !== 404); i++) {
    refused = [(await proxyGet('127.0.0.1', BASE, HOST, '/', { cookie })).status, (await proxyGet('127.0.0.1', BASE + 1, HOST, '/', { cookie })).status];
    if (refused.some((s) => s !== 404)) await sleep(20);
  }
  assert.deepEqual(refused, [404, 404]);
  await stopGateway(restarted.daemon);
  await stopGateway(second.daemon);
});

test('O2: a gateway without the control plane’s key (an older server) keeps cookies for its own life only; another key refuses them', async () => {
  const cp = controlPlane('gw-3', null);
  const store = new MemoryStateStore();
  const first = await startGateway(cp, store, BASE + 2, 'gw-3');
  const grant = await proxyGet('127.0.0.1', BASE + 2, HOST, `${GRANT_PATH}?token=tok-1`);
  const cookie = sessionCookieFrom(grant) ?? '';
  assert.equal((await proxyGet('127.0.0.1', BASE + 2, HOST, '/', { cookie })).status, 200);
  await stopGateway(first.daemon);
  const restarted = await startGateway(cp, store, BASE + 2, 'gw-3');
  assert.equal((await proxyGet('127.0.0.1', BASE + 2, HOST, '/', { cookie })).status, 404, 'a cookie of the process before');
  await stopGateway(restarted.daemon);

  const keyed = await startGateway(controlPlane('gw-4'), new MemoryStateStore(), BASE + 3, 'gw-4');
  const other = await startGateway(controlPlane('gw-5', randomBytes(32).toString('base64url')), new MemoryStateStore(), BASE + 4, 'gw-5');
  const fromKeyed = sessionCookieFrom(await proxyGet('127.0.0.1', BASE + 3, HOST, `${GRANT_PATH}?token=tok-1`)) ?? '';
  assert.equal((await proxyGet('127.0.0.1', BASE + 3, HOST, '/', { cookie: fromKeyed })).status, 200);
  assert.equal((await proxyGet('127.0.0.1', BASE + 4, HOST, '/', { cookie: fromKeyed })).status, 404, 'another installation’s key');
  await stopGateway(keyed.daemon);
  await stopGateway(other.daemon);
});
