import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { memoryLogger } from '../daemon/log.ts';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { FakeClock, settle } from '../daemon/testing/fake-clock.ts';
import { FakeControlPlane, gatewayStateAnswers } from '../daemon/testing/fake-control-plane.ts';
import type { GatewayControlPlane } from '../daemon/control-plane.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { type GatewayDaemonConfig, startGatewayDaemon } from './daemon.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
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

function world(options: { fullOnly?: () => boolean } = {}) {
  const clock = new FakeClock();
  const cp = new FakeControlPlane<GatewayDesiredState>(clock, initial, { kind: 'gateway', id: 'gw-1', name: 'eu-central-1', credential: 'pgd_secret', region: 'eu-central', plantId: null }, TOKEN);
  cp.secretsValue = { servicePrivateKey: service.privateKey, servicePublicKey: service.publicKey };
  cp.registerAnswer = { siteTunnelIp: '100.64.0.9' };
  const store = new MemoryStateStore();
  const host = { wireguard: new FakeWireGuardDriver(), nft: new FakeNftDriver(), ip: new FakeIpConfigDriver() };
  const start = async (overrides: Partial<GatewayDaemonConfig> = {}, controlPlane?: (cp: FakeControlPlane<GatewayDesiredState>) => GatewayControlPlane) => {
    const log = memoryLogger();
    const metrics = new DaemonMetrics('gateway', clock);
    const daemon = await startGatewayDaemon({ ...config, ...overrides }, {
      enrolment: cp,
      controlPlane: (identity) => {
        assert.equal(identity.credential, 'pgd_secret');
        if (controlPlane) return controlPlane(cp);
        return { register: (r) => cp.register(r), secrets: () => cp.secrets(), state: gatewayStateAnswers(cp, { full: options.fullOnly }), status: (r) => cp.status(r) };
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
    const text = await metrics.render();
    for (const series of [
      'plantgate_gateway_apply_duration_seconds_count{reason="reconnect"} 1',
      'plantgate_gateway_applied_revision 1',
      'plantgate_gateway_wireguard_peers{interface="users"} 2',
      // five pairs in the document, two spellings of one: four elements in the set
      'plantgate_gateway_nft_set_elements{set="allowed"} 4',
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

  it('issue 6: an update travels as a delta and is applied without reading the gateway back', async () => {
    const { cp, host, start } = world();
    const { daemon } = await start();
    const reads = host.nft.reads;
    cp.publish((state) => ({ ...state, allowed: state.allowed.filter((pair) => pair.userIp !== '100.64.0.10') }));
    await settle();
    assert.equal(daemon.loop.appliedRevision, 2);
    assert.equal(host.nft.reads, reads, 'no nft -j list table for one change');
    assert.match(host.nft.appliedScripts.at(-1) ?? '', /^delete element ip plantgate allowed_28/);
    await daemon.stop();
  });

  it('a delta that does not follow the revision held makes the daemon fetch the full document', async () => {
    const { cp, host, start } = world();
    const { daemon, log } = await start(undefined, (fake) => ({
      register: (r) => fake.register(r),
      secrets: () => fake.secrets(),
      state: async (request) => {
        const answer = await gatewayStateAnswers(fake)(request);
        // a replica that lost track: its delta starts from a revision the daemon never had
        return answer.kind === 'delta' ? { ...answer, fromRevision: answer.fromRevision - 1 } : answer;
      },
      status: (r) => fake.status(r),
    }));
    cp.publish((state) => ({ ...state, peers: state.peers.slice(1) }));
    await settle();
    assert.equal(daemon.loop.appliedRevision, 2);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 1);
    assert.deepEqual(cp.stateRequests.slice(-3).map((request) => request.after), [1, null, 2]);
    assert.ok(log.lines.some((line) => line.message.startsWith('the delta does not follow')));
    await daemon.stop();
  });

  it('the state dir keeps every delta: a restart without the control plane serves the latest revision, not the last snapshot', async () => {
    const { cp, host, store, start } = world();
    const first = await start();
    cp.publish((state) => ({ ...state, peers: state.peers.slice(1), allowed: state.allowed.filter((pair) => pair.userIp !== '100.64.0.2') }));
    await settle();
    assert.equal(first.daemon.loop.appliedRevision, 2);
    await first.daemon.stop();
    assert.equal(((await store.readLines('desired-journal')) ?? []).length, 1, 'one journal line, no new snapshot');
    cp.up = false;
    const second = await start({ token: undefined });
    assert.equal(second.daemon.loop.appliedRevision, 2);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 1, 'the revoked peer stays revoked');
    await second.daemon.stop();
  });

  it('issue 6 fail static bounded: restarted without the control plane after more than --max-stale-hours, user access is withdrawn, site tunnels stay', async () => {
    const { cp, host, clock, start } = world();
    await (await start()).daemon.stop();
    cp.up = false;
    await clock.advance(25 * 3600_000);
    const { daemon, metrics } = await start({ token: undefined });
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 0, 'no user peer');
    assert.equal((await host.wireguard.readDump('pgs0'))?.peers.length, 2, 'site tunnels kept');
    assert.equal((await host.nft.readTable('plantgate'))?.allowed.length, 0, 'no allowed pair');
    assert.equal(daemon.loop.mode, 'stale-withdrawn');
    assert.ok((await metrics.render()).includes('plantgate_gateway_serving_mode{mode="stale-withdrawn"} 1'));
    // the control plane comes back: serving again
    cp.up = true;
    await clock.advance(30_000);
    assert.equal(daemon.loop.mode, 'serving');
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 2);
    assert.ok((await metrics.render()).includes('plantgate_gateway_serving_mode{mode="serving"} 1'));
    assert.equal(cp.reports.at(-1)?.mode, 'serving');
    await daemon.stop();
  });

  it('issue 6 fail static bounded: a running gateway that cannot reach the control plane for longer than the max age withdraws user access and says so in its status', async () => {
    const { cp, host, clock, start } = world();
    const { daemon } = await start({ loop: { ...config.loop, maxStaleMs: 3600_000 } });
    cp.up = false;
    await clock.advance(30 * 60_000);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 2, 'within the max age: still serving');
    assert.equal(daemon.loop.mode, 'serving');
    await clock.advance(31 * 60_000);
    assert.equal(daemon.loop.mode, 'stale-withdrawn');
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 0);
    assert.equal((await host.wireguard.readDump('pgs0'))?.peers.length, 2);
    assert.match(daemon.loop.lastError ?? '', /user access withdrawn/);
    await daemon.stop();
  });

  it('issue 7: a tunnelRange of 0.0.0.0/0 is refused, not routed into the users interface', async () => {
    const { cp, host, start, clock } = world();
    const { daemon, log } = await start();
    cp.publish((state) => ({ ...state, tunnelRange: '0.0.0.0/0' }));
    await clock.advance(2000);
    assert.deepEqual(host.ip.routes.get('pgu0'), ['100.64.0.0/12'], 'the route stays the pinned range');
    assert.equal(daemon.loop.appliedRevision, 1);
    assert.match(daemon.loop.lastError ?? '', /tunnelRange: 0\.0\.0\.0\/0 must be between \/8 and \/28/);
    assert.ok(log.lines.some((line) => /tunnelRange/.test(String(line.fields.error))));
    await daemon.stop();
  });

  it('issue 7: ranges are pinned on first apply; a later document with another mappedSpace is refused and reported', async () => {
    const { cp, host, start, clock, store } = world();
    const { daemon } = await start();
    assert.deepEqual(await store.read('pinned-ranges'), { tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' });
    cp.publish((state) => ({ ...state, mappedSpace: '10.0.0.0/8' }));
    await clock.advance(2000);
    assert.ok(host.ip.routes.get('pgs0')?.includes('100.80.0.0/12'));
    assert.ok(!host.ip.routes.get('pgs0')?.includes('10.0.0.0/8'));
    assert.match(daemon.loop.lastError ?? '', /mappedSpace 10\.0\.0\.0\/8 differs from the pinned 100\.80\.0\.0\/12/);
    await clock.advance(10_000);
    assert.match(cp.reports.at(-1)?.lastError ?? '', /differs from the pinned/);
    await daemon.stop();
  });

  it('issue 6: a revoke that arrives while the periodic reconcile reads the gateway back is applied at once, not behind the read-back', async () => {
    const { cp, host, clock, start } = world();
    const { daemon } = await start();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const readTable = host.nft.readTable.bind(host.nft);
    host.nft.readTable = async (name) => {
      await gate; // `nft -j list table` of 100,000 elements: seconds
      return readTable(name);
    };
    await clock.advance(30_000); // the reconcile starts reading back
    cp.publish((state) => ({ ...state, peers: state.peers.filter((peer) => peer.tunnelIp !== '100.64.0.2'), allowed: state.allowed.filter((pair) => pair.userIp !== '100.64.0.2') }));
    await settle();
    assert.equal(daemon.loop.appliedRevision, 2, 'applied while the read-back is still running');
    assert.deepEqual((await host.wireguard.readDump('pgu0'))?.peers.map((peer) => peer.allowedIps[0]), ['100.64.0.3/32']);
    release();
    await settle();
    // the read-back predates the revoke: the reconcile does not act on it
    assert.deepEqual((await host.wireguard.readDump('pgu0'))?.peers.map((peer) => peer.allowedIps[0]), ['100.64.0.3/32']);
    host.nft.readTable = readTable;
    await daemon.stop();
  });

  it('issue 6: the control plane answering again after a break (another replica), the gateway resumes with a delta: no full document, no read-back', async () => {
    const { cp, host, clock, start } = world();
    const { daemon, log } = await start();
    const reads = host.nft.reads;
    cp.up = false;
    cp.publish((state) => ({ ...state, peers: state.peers.slice(1) })); // wakes the open long-poll, which then fails
    await settle();
    assert.equal(daemon.loop.connected, false);
    cp.up = true;
    await clock.advance(1000);
    assert.equal(daemon.loop.connected, true);
    assert.equal(daemon.loop.appliedRevision, 2);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 1);
    assert.equal(host.nft.reads, reads, 'no read-back');
    assert.ok(cp.stateRequests.slice(1).every((request) => request.after !== null), 'never the whole document again');
    assert.ok(log.lines.some((line) => line.message === 'connected to the control plane' && line.fields.resumed === true));
    await daemon.stop();
  });

  it('a replica that has not caught up answers an older full document: not applied (it would undo a revoke); asked again until the current one comes', async () => {
    const { cp, host, clock, start } = world();
    let lagging = 0;
    const { daemon, log } = await start(undefined, (fake) => ({
      register: (r) => fake.register(r),
      secrets: () => fake.secrets(),
      state: async (request) => {
        if (request.after !== null && lagging > 0) {
          lagging--;
          return { kind: 'full', state: fake.history.get(1) ?? fake.state };
        }
        return gatewayStateAnswers(fake)(request);
      },
      status: (r) => fake.status(r),
    }));
    cp.publish((state) => ({ ...state, peers: state.peers.slice(1) })); // revoke at revision 2
    await settle();
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 1);
    lagging = 3;
    cp.publish((state) => ({ ...state, allowed: state.allowed.slice(1) })); // revision 3, first answered by a lagging replica
    await clock.advance(1000);
    assert.equal(daemon.loop.appliedRevision, 3);
    assert.equal((await host.wireguard.readDump('pgu0'))?.peers.length, 1, 'the revoked peer never came back');
    assert.ok(log.lines.some((line) => line.message.startsWith('the control plane answered an older revision')));
    await daemon.stop();
  });
});
