import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateGatewayFill } from '../../bench/gateway-fill.ts';
import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { GatewayApplier, type GatewayDataPlane, observeGateway } from './apply.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { type GatewayApplyPlan, planGatewayApply } from './plan.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { canonicalAllowedElement } from '../os/nft/nft-elements.ts';
import { renderSetDelta } from './nft-ruleset.ts';

const ifaces = { users: 'pgu0', sites: 'pgs0' };

function fakePlane(privateKey: string): GatewayDataPlane & { wireguard: FakeWireGuardDriver; nft: FakeNftDriver } {
  const spec = (name: string, port: number) => ({
    name,
    privateKey,
    listenPort: port,
    addresses: [],
    routes: [],
  });
  return {
    wireguard: new FakeWireGuardDriver(),
    nft: new FakeNftDriver(),
    ifaces,
    interfaceSpecs: { users: spec('pgu0', 51820), sites: spec('pgs0', 51821) },
  };
}

/** A plan with its lists sorted, so two plans compare regardless of list order. */
function normalised(plan: GatewayApplyPlan) {
  const sortBy = <T>(items: T[]) => [...items].map((item) => JSON.stringify(item)).sort();
  const peers = (peerPlan: GatewayApplyPlan['users']) =>
    peerPlan.kind === 'set'
      ? {
          kind: 'set',
          remove: [...peerPlan.remove].sort(),
          upsert: sortBy(peerPlan.upsert),
        }
      : peerPlan.kind === 'sync'
        ? { kind: 'sync', peers: sortBy(peerPlan.peers) }
        : peerPlan;
  const nft =
    plan.nft.kind === 'delta'
      ? {
          kind: 'delta',
          addAllowed: sortBy(plan.nft.delta.addAllowed),
          removeAllowed: sortBy(plan.nft.delta.removeAllowed),
          addNative: sortBy(plan.nft.delta.addNative),
          removeNative: sortBy(plan.nft.delta.removeNative),
        }
      : plan.nft;
  return {
    missingInterfaces: plan.missingInterfaces,
    users: peers(plan.users),
    sites: peers(plan.sites),
    nft,
    problems: plan.problems,
  };
}

describe('GatewayApplier: planning against its view of the gateway', () => {
  it('plans exactly what an observation would, change after change (random changes on a small fill)', async () => {
    const service = generateWireGuardKeyPair();
    const fill = generateGatewayFill({
      seed: 7,
      users: 60,
      allowed: 500,
      native: 80,
      plants: 40,
    });
    const plane = fakePlane(service.privateKey);
    const applier = new GatewayApplier(plane);
    let state: GatewayDesiredState = {
      ...fill.state,
      servicePublicKey: service.publicKey,
    };
    const first = await applier.apply(state);
    assert.equal(first.observed, true);
    const { rng } = fill;
    for (let step = 0; step < 60; step++) {
      const next = { ...state, revision: state.revision + 1 };
      const kind = step % 6;
      if (kind === 0) next.allowed = state.allowed.filter(() => !rng.chance(0.02));
      if (kind === 1) {
        const userIp = fill.nextUserIp();
        next.peers = [
          ...state.peers,
          {
            publicKey: fill.randomKey(),
            tunnelIp: userIp,
            profileId: `p${step}`,
          },
        ];
        next.allowed = [
          ...state.allowed,
          ...fill.subnets.slice(step, step + 4).map((subnet) => ({ userIp, mapped: subnet.mapped })),
        ];
      }
      if (kind === 2) {
        // swap a native value to another prefix of the same length
        const index = rng.int(0, state.native.length - 1);
        const entry = state.native[index];
        const other = fill.subnets.find(
          (subnet) => subnet.mapped !== entry.mapped && subnet.mapped.endsWith(`/${entry.mapped.split('/')[1]}`),
        );
        next.native = state.native.map((mapping, i) =>
          i === index && other ? { ...mapping, mapped: other.mapped } : mapping,
        );
      }
      if (kind === 3) {
        // revoke a user: peer, pairs and native entries go together
        const victim = state.peers[rng.int(0, state.peers.length - 1)];
        next.peers = state.peers.filter((peer) => peer !== victim);
        next.allowed = state.allowed.filter((pair) => pair.userIp !== victim.tunnelIp);
        next.native = state.native.filter((mapping) => mapping.userIp !== victim.tunnelIp);
      }
      if (kind === 4) {
        // a site gets one more mapped prefix; a non-canonical spelling of an existing pair
        const site = state.sites.findIndex((candidate) => candidate.agentPublicKey !== null);
        next.sites = state.sites.map((candidate, i) =>
          i === site
            ? {
                ...candidate,
                translations: [
                  ...candidate.translations,
                  {
                    mapped: `100.127.${100 + step}.0/24`,
                    real: '172.31.0.0/24',
                  },
                ],
              }
            : candidate,
        );
        const [address, length] = state.allowed[0].mapped.split('/');
        next.allowed = [
          ...state.allowed.slice(1),
          {
            userIp: state.allowed[0].userIp,
            mapped: `${address.replace(/\.0$/, '.1')}/${length}`,
          },
        ];
      }
      if (kind === 5) next.allowed = [...state.allowed].reverse(); // order alone changes nothing
      const expected = planGatewayApply(next, ifaces, await observeGateway(plane));
      const report = await applier.apply(next);
      assert.equal(report.observed, false, `step ${step} used the view`);
      assert.deepEqual(normalised(report.plan), normalised(expected), `step ${step} (kind ${kind})`);
      state = next;
    }
    const final = planGatewayApply(state, ifaces, await observeGateway(plane));
    assert.deepEqual([final.nft.kind, final.users.kind, final.sites.kind], ['unchanged', 'unchanged', 'unchanged']);
  });

  it('a new mapped prefix length or native shard is a reload from the view too; one emptied keeps its set (re-adding is a delta)', async () => {
    const service = generateWireGuardKeyPair();
    const plane = fakePlane(service.privateKey);
    const applier = new GatewayApplier(plane);
    const state = { ...twoPlantsState, servicePublicKey: service.publicKey };
    await applier.apply(state);
    const steps: Array<[GatewayDesiredState, string]> = [
      [{ ...state, allowed: [...state.allowed, { userIp: '100.64.0.3', mapped: '100.80.3.128/25' }] }, 'reload'],
      [{ ...state, allowed: state.allowed.filter((pair) => !pair.mapped.endsWith('/28')) }, 'delta'],
      [state, 'delta'],
      [{ ...state, allowed: [...state.allowed, { userIp: '100.64.0.2', mapped: '100.80.3.128/25' }] }, 'delta'],
      [{ ...state, allowed: [...state.allowed, { userIp: '100.64.0.2', mapped: '100.80.9.9/32' }] }, 'reload'],
      [{ ...state, native: [...state.native, { userIp: '100.64.4.4', native: '192.168.1.0/24', mapped: '100.80.1.0/24' }] }, 'reload'],
      [state, 'delta'],
      [{ ...state, native: [...state.native, { userIp: '100.64.4.5', native: '192.168.1.0/24', mapped: '100.80.2.0/24' }] }, 'delta'],
    ];
    for (const [index, [next, kind]] of steps.entries()) {
      const expected = planGatewayApply(next, ifaces, await observeGateway(plane));
      const report = await applier.apply(next);
      assert.equal(report.observed, false, `step ${index} used the view`);
      assert.equal(report.plan.nft.kind, kind, `step ${index}`);
      assert.deepEqual(normalised(report.plan), normalised(expected), `step ${index}`);
    }
    const final = planGatewayApply(steps.at(-1)?.[0] ?? state, ifaces, await observeGateway(plane));
    assert.equal(final.nft.kind, 'unchanged');
  });

  it('a stale view (an element deleted by hand) makes the run fail, and the same apply observes and repairs', async () => {
    const service = generateWireGuardKeyPair();
    const plane = fakePlane(service.privateKey);
    const applier = new GatewayApplier(plane);
    const state = { ...twoPlantsState, servicePublicKey: service.publicKey };
    await applier.apply(state);
    const [gone, ...rest] = state.allowed;
    // by hand: the element the next change removes is already gone
    await plane.nft.applyScript(renderSetDelta({ addAllowed: [], removeAllowed: [canonicalAllowedElement(gone)], addNative: [], removeNative: [] }));
    const report = await applier.apply({ ...state, allowed: rest });
    assert.equal(report.observed, true);
    assert.equal(report.plan.nft.kind, 'unchanged');
    // and a periodic reconcile (observe: true) repairs drift the view cannot see
    await plane.nft.applyScript(renderSetDelta({ addAllowed: [], removeAllowed: [canonicalAllowedElement(rest[0])], addNative: [], removeNative: [] }));
    assert.equal((await applier.apply({ ...state, allowed: rest })).plan.nft.kind, 'unchanged'); // the view does not know
    const reconcile = await applier.apply({ ...state, allowed: rest }, { observe: true });
    assert.equal(reconcile.plan.nft.kind, 'delta');
    const after = planGatewayApply({ ...state, allowed: rest }, ifaces, await observeGateway(plane));
    assert.equal(after.nft.kind, 'unchanged');
  });

  it('refuses a document that maps one native key to two prefixes, like the full planner', async () => {
    const service = generateWireGuardKeyPair();
    const plane = fakePlane(service.privateKey);
    const applier = new GatewayApplier(plane);
    const state = { ...twoPlantsState, servicePublicKey: service.publicKey };
    await applier.apply(state);
    const [first] = state.native;
    const other = state.allowed.find((pair) => pair.mapped !== first.mapped)?.mapped ?? '100.80.9.0/24';
    await assert.rejects(
      applier.apply({
        ...state,
        native: [...state.native, { ...first, mapped: other }],
      }),
      /mapped to both/,
    );
    await assert.rejects(
      applier.apply({
        ...state,
        native: [{ ...first, mapped: other }, ...state.native],
      }),
      /mapped to both/,
    );
  });
});
