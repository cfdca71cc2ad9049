import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateGatewayFill } from '../../bench/gateway-fill.ts';
import { applyGatewayDelta, canonicalGatewayState, diffGatewayStates } from '../core/state/gateway-delta.ts';
import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { memoryLogger } from '../daemon/log.ts';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { FakeClock } from '../daemon/testing/fake-clock.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { observeGateway } from './apply.ts';
import { GatewayDocument } from './desired-document.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { GatewaySync } from './gateway-sync.ts';
import { planGatewayApply } from './plan.ts';

const ifaces = { users: 'pgu0', sites: 'pgs0' };
const SELF = { id: 'gw-1', name: 'eu-1', siteTunnelIp: '100.64.0.9' };

function world(service = generateWireGuardKeyPair()) {
  const clock = new FakeClock();
  const host = { wireguard: new FakeWireGuardDriver(), nft: new FakeNftDriver(), ip: new FakeIpConfigDriver() };
  const store = new MemoryStateStore();
  const sync = new GatewaySync(
    { ifaces, table: 'plantgate', userPort: 51820, sitePort: 51821 },
    { ...host, store, clock, log: memoryLogger(), metrics: new DaemonMetrics('gateway', clock) },
    generateWireGuardKeyPair(),
    async () => ({ servicePrivateKey: service.privateKey, servicePublicKey: service.publicKey }),
  );
  const inSync = async (state: GatewayDesiredState) => {
    const plan = planGatewayApply(state, ifaces, await observeGateway({ ...host, ifaces, tableName: 'plantgate' }));
    return [plan.nft.kind, plan.users.kind, plan.sites.kind].join(' ');
  };
  return { service, host, store, sync, inSync };
}

/** Random changes of the kinds a control plane sends (revoke, new profile, native swap, route removed, agent re-enrolled, site gone). */
function randomSteps(seed: number, steps: number) {
  const service = generateWireGuardKeyPair();
  const fill = generateGatewayFill({ seed, users: 60, allowed: 500, native: 80, plants: 40 });
  const { rng } = fill;
  const initial: GatewayDesiredState = { ...fill.state, gateway: SELF, servicePublicKey: service.publicKey };
  const states = [initial];
  for (let step = 0; step < steps; step++) {
    const state = states[states.length - 1];
    const next = { ...state, revision: state.revision + 1 };
    const kind = step % 6;
    if (kind === 0) {
      const victim = state.peers[rng.int(0, state.peers.length - 1)];
      next.peers = state.peers.filter((peer) => peer !== victim);
      next.allowed = state.allowed.filter((pair) => pair.userIp !== victim.tunnelIp);
      next.native = state.native.filter((mapping) => mapping.userIp !== victim.tunnelIp);
    }
    if (kind === 1) {
      const userIp = fill.nextUserIp();
      next.peers = [...state.peers, { publicKey: fill.randomKey(), tunnelIp: userIp, profileId: `p${step}` }];
      next.allowed = [...state.allowed, ...fill.subnets.slice(step, step + 4).map((subnet) => ({ userIp, mapped: subnet.mapped }))];
    }
    if (kind === 2 && state.native.length > 0) {
      const index = rng.int(0, state.native.length - 1);
      const entry = state.native[index];
      const other = fill.subnets.find((subnet) => subnet.mapped !== entry.mapped && subnet.mapped.endsWith(`/${entry.mapped.split('/')[1]}`));
      next.native = state.native.map((mapping, i) => (i === index && other ? { ...mapping, mapped: other.mapped } : mapping));
    }
    if (kind === 3) next.allowed = state.allowed.filter(() => !rng.chance(0.01));
    if (kind === 4) {
      const index = state.sites.findIndex((site) => site.agentPublicKey !== null);
      next.sites = state.sites.map((site, i) => (i === index ? { ...site, agentPublicKey: fill.randomKey() } : site));
    }
    if (kind === 5) next.sites = state.sites.filter((_, i) => i !== rng.int(0, state.sites.length - 1));
    states.push(next);
  }
  return { service, states };
}

describe('GatewayDocument: a delta applied in place', () => {
  it('gives exactly what the reference applyGatewayDelta gives, change after change', () => {
    const { states } = randomSteps(11, 40);
    const document = GatewayDocument.fromState(states[0]);
    let reference = states[0];
    for (let i = 1; i < states.length; i++) {
      const delta = diffGatewayStates(states[i - 1], states[i]);
      assert.equal(document.applyDelta(delta).ok, true);
      const expected = applyGatewayDelta(reference, delta);
      assert.ok(expected.ok);
      reference = expected.state;
      assert.deepEqual(canonicalGatewayState(document.toState()), canonicalGatewayState(reference), `step ${i}`);
      assert.deepEqual(canonicalGatewayState(document.toState()), canonicalGatewayState(states[i]), `step ${i}`);
    }
  });

  it('refuses a delta that does not start from the revision held, and changes nothing', () => {
    const document = GatewayDocument.fromState(twoPlantsState);
    const next = { ...twoPlantsState, revision: 9, peers: [] };
    const result = document.applyDelta({ ...diffGatewayStates(twoPlantsState, next), fromRevision: 6 });
    assert.deepEqual(result, { ok: false, reason: 'revision-mismatch', held: 7 });
    assert.equal(document.counts.peers, 2);
    assert.equal(document.revision, 7);
  });
});

describe('GatewaySync: the daemon applies a delta against what it last applied', () => {
  it('issue 6: each change is planned from the delta alone (no read-back), and the gateway ends equal to the document', async () => {
    const { service, states } = randomSteps(5, 36);
    const { host, sync, inSync } = world(service);
    await sync.receive({ kind: 'full', state: states[0] });
    await sync.apply({ revision: states[0].revision, change: null }, 'reconnect');
    assert.equal(await inSync(states[0]), 'unchanged unchanged unchanged');
    const readsBefore = host.wireguard.calls.length;
    let planned = 0;
    const bases: string[] = [];
    for (let i = 1; i < states.length; i++) {
      const update = await sync.receive(diffGatewayStates(states[i - 1], states[i]));
      assert.notEqual(update, 'resync');
      if (update === 'resync') return;
      const readTables = host.nft.reads;
      await sync.apply(update, 'update');
      if (host.nft.reads === readTables) planned++;
      assert.equal(sync.lastReport?.observed, false);
      bases.push(sync.lastReport?.basis ?? '');
      assert.equal(await inSync(states[i]), 'unchanged unchanged unchanged', `step ${i}`);
    }
    assert.equal(planned, states.length - 1, 'no update read the table back');
    // only a change that needs a new allowed_N set or native map is planned from the whole document
    assert.ok(bases.filter((basis) => basis === 'delta').length >= (bases.length * 3) / 4, bases.join(' '));
    assert.ok(host.wireguard.calls.slice(readsBefore).every((call) => !call.startsWith('create')));
  });

  it('a delta after a reconcile of the newer document applies nothing twice', async () => {
    const { service, states } = randomSteps(3, 2);
    const { sync, inSync } = world(service);
    await sync.receive({ kind: 'full', state: states[0] });
    await sync.apply({ revision: states[0].revision, change: null }, 'reconnect');
    const update = await sync.receive(diffGatewayStates(states[0], states[1]));
    assert.notEqual(update, 'resync');
    if (update === 'resync') return;
    await sync.apply(update, 'reconcile'); // the reconcile ran first (queued before the update)
    await sync.apply(update, 'update');
    assert.equal(await inSync(states[1]), 'unchanged unchanged unchanged');
  });

  it('a delta from another revision asks for the full document', async () => {
    const { sync } = world();
    const state = { ...twoPlantsState, servicePublicKey: generateWireGuardKeyPair().publicKey };
    await sync.receive({ kind: 'full', state });
    assert.equal(await sync.receive({ ...diffGatewayStates(state, { ...state, revision: 9 }), fromRevision: 3 }), 'resync');
  });
});
