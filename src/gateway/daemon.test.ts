import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { memoryLogger } from '../daemon/log.ts';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { FakeClock, settle } from '../daemon/testing/fake-clock.ts';
import { FakeControlPlane } from '../daemon/testing/fake-control-plane.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { type GatewayDaemonConfig, startGatewayDaemon } from './daemon.ts';
import { FakeIpConfigDriver } from './drivers/fake-ip-config-driver.ts';
import { FakeNftDriver } from './drivers/fake-nft-driver.ts';
import { FakeWireGuardDriver } from './drivers/fake-wireguard-driver.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../crypto/wireguard-keys.ts';

const service = generateWireGuardKeyPair();
const TOKEN = 'pge_enrol-once';
const config: GatewayDaemonConfig = {
  token: TOKEN,
  siteEndpoint: '203.0.113.5:51821',
  userPort: 51820,
  sitePort: 51821,
  ifaces: { users: 'pgu0', sites: 'pgs0' },
  table: 'plantgate',
  keepOnExit: false,
  version: 'test',
  loop: { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000, backoff: { initialMs: 500, maxMs: 4000 } },
};
const initial: GatewayDesiredState = { ...twoPlantsState, revision: 1, servicePublicKey: service.publicKey };

function world() {
  const clock = new FakeClock();
  const cp = new FakeControlPlane<GatewayDesiredState>(clock, initial, { kind: 'gateway', id: 'gw-1', name: 'eu-central-1', credential: 'pgd_secret', region: 'eu-central', plantId: null }, TOKEN);
  cp.secretsValue = { servicePrivateKey: service.privateKey, servicePublicKey: service.publicKey };
  cp.registerAnswer = { siteTunnelIp: '100.64.0.9' };
  const store = new MemoryStateStore();
  const host = { wireguard: new FakeWireGuardDriver(), nft: new FakeNftDriver(), ip: new FakeIpConfigDriver() };
  const start = async (overrides: Partial<GatewayDaemonConfig> = {}) => {
    const log = memoryLogger();
    const metrics = new DaemonMetrics('gateway', clock);
    const daemon = await startGatewayDaemon({ ...config, ...overrides }, {
      enrolment: cp,
      controlPlane: (identity) => {
        assert.equal(identity.credential, 'pgd_secret');
        return { register: (r) => cp.register(r), secrets: () => cp.secrets(), state: (r) => cp.fetchState(r), status: (r) => cp.status(r) };
      },
      store,
      ...host,
      clock,
      log,
      metrics,
    });
    await settle();
    return { daemon, log, metrics };
  };
  return { clock, cp, store, host, start };
}

describe('gateway daemon (fake drivers, fake control plane)', () => {
  it('first start: enrols, keeps credential and site key, registers, builds both interfaces, its table, addresses and routes', async () => {
    const { cp, store, host, start } = world();
    const { daemon } = await start();
    assert.equal(cp.enrolments, 1);
    const identity = (await store.read('identity')) as { credential: string };
    assert.equal(identity.credential, 'pgd_secret');
    const key = (await store.read('wireguard-key')) as { privateKey: string; publicKey: string };
    assert.deepEqual(cp.registrations, [{ sitePublicKey: key.publicKey, siteEndpoint: '203.0.113.5:51821' }]);
    const users = await host.wireguard.readDump('pgu0');
    const sites = await host.wireguard.readDump('pgs0');
    assert.equal(users?.interface.publicKey, service.publicKey);
    assert.equal(users?.interface.listenPort, 51820);
    assert.equal(sites?.interface.publicKey, wireGuardPublicKey(key.privateKey));
    assert.equal(sites?.interface.listenPort, 51821);
    assert.equal(users?.peers.length, 2);
    assert.equal(sites?.peers.length, 2);
    assert.deepEqual(host.ip.addresses.get('pgu0'), ['100.64.0.1/32']);
    assert.deepEqual(host.ip.addresses.get('pgs0'), ['100.64.0.9/32']);
    assert.deepEqual(host.ip.routes.get('pgu0'), ['100.64.0.0/12']);
    assert.deepEqual(host.ip.routes.get('pgs0'), ['100.64.1.1/32', '100.64.1.2/32', '100.80.0.0/12']);
    assert.equal(host.ip.forwarding, true);
    assert.match(host.nft.appliedScripts[0], /oifname "pgs0" snat ip to 100\.64\.0\.9/);
    assert.equal(daemon.loop.appliedRevision, 1);
    assert.deepEqual(await store.read('secrets'), cp.secretsValue);
    await daemon.stop();
  });

  it('a second start needs no token and does not enrol again', async () => {
    const { cp, start } = world();
    await (await start()).daemon.stop();
    const { daemon } = await start({ token: undefined });
    assert.equal(cp.enrolments, 1);
    assert.equal(cp.registrations.length, 2, 'registers at every start');
    await daemon.stop();
  });

  it('P3: a revocation arrives by long-poll and is applied as a small delta, at once', async () => {
    const { cp, host, start, clock } = world();
    const { daemon } = await start();
    const scripts = host.nft.appliedScripts.length;
    const t0 = clock.now();
    cp.publish((state) => ({
      ...state,
      peers: state.peers.filter((peer) => peer.tunnelIp !== '100.64.0.2'),
      allowed: state.allowed.filter((pair) => pair.userIp !== '100.64.0.2'),
      native: state.native.filter((mapping) => mapping.userIp !== '100.64.0.2'),
    }));
    await settle();
    assert.equal(clock.now(), t0);
    assert.equal(daemon.loop.appliedRevision, 2);
    assert.equal(host.nft.appliedScripts.length, scripts + 1);
    assert.match(host.nft.appliedScripts.at(-1) ?? '', /^delete element ip plantgate allowed/);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 1);
    assert.equal(cp.stateRequests.at(-1)?.after, 2);
    await daemon.stop();
  });

  it('reconcile repairs drift: an nft element deleted by hand and a peer added by hand', async () => {
    const { host, start, clock } = world();
    const { daemon, log } = await start();
    await host.nft.applyScript('delete element ip plantgate allowed_24 { 100.64.0.3 . 100.80.2.0 }\n');
    const stranger = generateWireGuardKeyPair().publicKey;
    await host.wireguard.changePeers('pgu0', { remove: [], upsert: [{ publicKey: stranger, allowedIps: ['100.64.9.9/32'] }] });
    await clock.advance(30_000);
    const table = await host.nft.readTable('plantgate');
    assert.ok(table?.allowed?.some((pair) => pair.userIp === '100.64.0.3' && pair.mapped === '100.80.2.0/24'));
    assert.ok(!(await host.wireguard.readDump('pgu0'))?.peers.some((peer) => peer.publicKey === stranger));
    assert.ok(log.lines.some((line) => line.message === 'drift repaired'));
    await daemon.stop();
  });

  it('fail static: the control plane goes away, the data plane stays; a restart without it rebuilds from the state dir', async () => {
    const { cp, host, start, clock } = world();
    const first = await start();
    cp.up = false;
    await clock.advance(60_000);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 2, 'still forwarding');
    await first.daemon.stop(); // removes interfaces and table
    assert.equal(await host.wireguard.readDump('pgu0'), null);
    const second = await start({ token: undefined });
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 2, 'rebuilt from the state dir');
    assert.equal((await host.wireguard.readDump('pgu0'))?.interface.publicKey, service.publicKey);
    assert.ok(second.log.lines.some((line) => line.message.startsWith('starting from the desired state in the state dir')));
    // the control plane returns with a change made meanwhile: applied on reconnect
    cp.publish((state) => ({ ...state, peers: state.peers.slice(0, 1) }));
    cp.up = true;
    await clock.advance(4000);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 1);
    assert.equal(second.daemon.loop.appliedRevision, 2);
    await second.daemon.stop();
  });

  it('reports status with the peers of both interfaces every 10 s, and serves the metrics', async () => {
    const { cp, start, clock } = world();
    const { daemon, metrics } = await start();
    await clock.advance(10_000);
    const report = cp.reports.at(-1);
    assert.equal(report?.appliedRevision, 1);
    assert.equal(report?.peers.length, 4);
    assert.equal(report?.lastError, null);
    const text = metrics.render();
    for (const series of [
      'plantgate_gateway_apply_duration_seconds_count{reason="reconnect"} 1',
      'plantgate_gateway_applied_revision 1',
      'plantgate_gateway_wireguard_peers{interface="users"} 2',
      'plantgate_gateway_nft_set_elements{set="allowed"} 5',
      'plantgate_gateway_sync_lag_seconds 10',
      'plantgate_gateway_errors_total{kind="apply"} 0',
      'plantgate_gateway_control_plane_connected 1',
    ]) {
      assert.ok(text.includes(series), `${series} in\n${text}`);
    }
    await daemon.stop();
  });

  it('shutdown removes its interfaces and only its own table; --keep-on-exit leaves them running', async () => {
    const { host, start } = world();
    await host.nft.applyScript('table ip other {}\n');
    const { daemon } = await start();
    await daemon.stop();
    assert.equal(await host.wireguard.readDump('pgu0'), null);
    assert.equal(await host.wireguard.readDump('pgs0'), null);
    assert.equal(await host.nft.readTable('plantgate'), null);
    assert.notEqual(await host.nft.readTable('other'), null);
    const kept = await start({ token: undefined, keepOnExit: true });
    await kept.daemon.stop();
    assert.notEqual(await host.wireguard.readDump('pgu0'), null);
    assert.notEqual(await host.nft.readTable('plantgate'), null);
  });

  it('a used or wrong enrolment token is a clear, fatal error', async () => {
    const { start } = world();
    await assert.rejects(start({ token: 'pge_wrong' }), /enrolment refused: .*unknown, used or expired/);
    const fresh = world();
    await assert.rejects(fresh.start({ token: undefined }), /not enrolled yet: give the token .* --token-file FILE or PLANTGATE_ENROL_TOKEN/);
  });
});
