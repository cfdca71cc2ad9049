import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { type WebDevice, startWebDevice } from '../../../test/e2e/fixtures/web-device.ts';
import { proxyGet, session, sessionCookieFrom } from '../../../test/support/browser-proxy-kit.ts';
import type { FlowBatch } from '../../core/wire/audit.ts';
import type { GatewayDesiredState, GatewayProxy } from '../../core/wire/gateway-state.ts';
import { generateWireGuardKeyPair } from '../../crypto/wireguard-keys.ts';
import { DaemonMetrics } from '../../daemon/daemon-metrics.ts';
import { MemorySpoolFiles } from '../../daemon/flow-spool.ts';
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
 * The proxy inside the gateway daemon (issue 12 items 3–4): started from the desired
 * document's `proxy` section, a session removed by the control plane is cut within the
 * P3 bound after the document reaches the gateway, and the requests land in the flow spool.
 * Data plane drivers are fakes; the proxy, the device and the sockets are real.
 */

const TOKEN = 'pge_enrol-once';
const service = generateWireGuardKeyPair();
const LISTEN = 30000 + Math.floor(Math.random() * 20000);
let device: WebDevice;
let target: ProxyTargetEntry;
let cp: FakeControlPlane<GatewayDesiredState>;
let daemon: RunningDaemon;
const clock = new FakeClock();
const batches: FlowBatch[] = [];
const log = memoryLogger();

function section(sessions: GatewayProxy['sessions']): GatewayProxy {
  return { domain: 'px.test', port: 443, targets: [target], sessions };
}

before(async () => {
  device = await startWebDevice('plant-A', '127.0.0.1', 0, '127.0.0.1');
  target = { id: 'tw', host: 't-web', plantId: 'plant-a', scheme: 'http', mappedAddress: '127.0.0.1', port: device.port, path: '/' };
  const initial: GatewayDesiredState = {
    ...twoPlantsState,
    revision: 1,
    servicePublicKey: service.publicKey,
    proxy: section([session('s1', target, 'tok-1', clock.now())]),
  };
  cp = new FakeControlPlane<GatewayDesiredState>(
    clock,
    initial,
    { kind: 'gateway', id: 'gw-1', name: 'eu-central-1', credential: 'pgd_secret', region: 'eu-central', plantId: null },
    TOKEN,
  );
  cp.secretsValue = { servicePrivateKey: service.privateKey, servicePublicKey: service.publicKey };
  cp.registerAnswer = { siteTunnelIp: '100.64.0.9' };
  daemon = await startGatewayDaemon(
    {
      token: TOKEN,
      siteEndpoint: '203.0.113.5:51821',
      userPort: 51820,
      sitePort: 51821,
      ifaces: { users: 'pgu0', sites: 'pgs0' },
      table: 'plantgate',
      keepOnExit: false,
      version: 'test',
      loop: { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000, backoff: { initialMs: 500, maxMs: 4000 } },
      flows: { reportMs: 100 },
      proxy: { listenHost: '127.0.0.1', listenPort: LISTEN },
    },
    {
      enrolment: cp,
      controlPlane: () => ({
        register: (r) => cp.register(r),
        secrets: () => cp.secrets(),
        state: gatewayStateAnswers(cp),
        status: (r) => cp.status(r),
        flows: async (batch) => {
          batches.push(batch);
          return { batchId: batch.batchId, duplicate: false, stored: batch.records.length, alreadyStored: 0, unattributed: 0, gaps: 0 };
        },
      }),
      store: new MemoryStateStore(),
      wireguard: new FakeWireGuardDriver(),
      nft: new FakeNftDriver(),
      ip: new FakeIpConfigDriver(),
      flowSpool: new MemorySpoolFiles(),
      clock,
      log,
      metrics: new DaemonMetrics('gateway', clock),
    },
  );
  await settle();
  for (let i = 0; i < 50 && !log.lines.some((l) => l.message === 'browser proxy listening'); i++) await sleep(20);
});

after(async () => {
  await daemon.stop();
  await device.close();
});

const HOST = 't-web.px.test';

test('O2/P3: a proxy session removed from the desired document is cut (WebSocket closed) < 1 s after the document reaches the gateway', async (t) => {
  const grant = await proxyGet('127.0.0.1', LISTEN, HOST, `${GRANT_PATH}?token=tok-1`);
  assert.equal(grant.status, 303);
  const cookie = sessionCookieFrom(grant) ?? '';
  assert.equal((await proxyGet('127.0.0.1', LISTEN, HOST, '/', { cookie })).status, 200);
  const socket = new WebSocket(`wss://127.0.0.1:${LISTEN}/`, { headers: { host: HOST, cookie }, rejectUnauthorized: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  const published = performance.now();
  cp.publish((state) => ({ ...state, proxy: section([]) }));
  const cutMs = (await closed) - published;
  t.diagnostic(`WebSocket cut ${cutMs.toFixed(1)} ms after the document was published`);
  assert.ok(cutMs < 1000, `cut after ${cutMs.toFixed(1)} ms`);
  assert.equal((await proxyGet('127.0.0.1', LISTEN, HOST, '/', { cookie })).status, 404);
});

test('A1: the proxied requests reach the flow spool and the upload: the device’s mapped address and port, the session, requests and bytes', async () => {
  // the page and the WebSocket may fall into two report windows (100 ms each); up to 10 s for a loaded CI machine
  const records = () => batches.flatMap((b) => b.records).filter((r) => r.session === 'proxy:s1');
  for (let i = 0; i < 200 && records().reduce((n, r) => n + r.connections, 0) < 2; i++) await sleep(50);
  assert.ok(records().length > 0, 'records uploaded');
  const requests = records().reduce((n, r) => n + r.connections, 0);
  assert.equal(requests, 2, 'the page and the WebSocket');
  for (const r of records()) {
    assert.equal(r.destinationIp, '127.0.0.1');
    assert.equal(r.port, device.port);
    assert.equal(r.protocol, 'tcp');
    assert.equal(r.tunnelIp, '100.64.0.9', 'the gateway’s site-side address');
  }
  assert.ok(records().reduce((n, r) => n + r.bytesIn, 0) > 0);
  assert.ok(log.lines.some((l) => l.message === 'proxy request' && l.fields.path === '/' && l.fields.status === 200 && l.fields.user === 's1@example.test'));
});

test('O2: the proxy stops serving when the control plane turns it off', async () => {
  cp.publish((state) => {
    const { proxy: _off, ...rest } = state;
    return rest;
  });
  let refused = false;
  for (let i = 0; i < 50 && !refused; i++) {
    refused = await proxyGet('127.0.0.1', LISTEN, HOST, '/').then(
      () => false,
      () => true,
    );
    if (!refused) await sleep(20);
  }
  assert.ok(refused, 'the listener is closed');
});
