import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateGatewayFill } from '../../bench/gateway-fill.ts';
import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { GatewayApplier, type GatewayDataPlane, observeGateway } from './apply.ts';
import { AppliedGatewayView } from './applied-view.ts';
import { planDrift } from './drift.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { canonicalAllowedElement, canonicalNativeElement } from '../os/nft/nft-elements.ts';
import { renderSetDelta } from './nft-ruleset.ts';
import { type GatewayApplyPlan, planGatewayApply } from './plan.ts';

const ifaces = { users: 'pgu0', sites: 'pgs0' };
const SELF = { id: 'gw-1', name: 'eu-1', siteTunnelIp: '100.64.0.9' };

function normalised(plan: GatewayApplyPlan) {
  const sorted = <T>(items: T[]) => items.map((item) => JSON.stringify(item)).sort();
  const peers = (p: GatewayApplyPlan['users']) =>
    p.kind === 'set' ? { kind: 'set', remove: [...p.remove].sort(), upsert: sorted(p.upsert) } : p.kind === 'sync' ? { kind: 'sync', peers: sorted(p.peers) } : p;
  const nft =
    plan.nft.kind === 'delta'
      ? { kind: 'delta', a: sorted(plan.nft.delta.addAllowed), b: sorted(plan.nft.delta.removeAllowed), c: sorted(plan.nft.delta.addNative), d: sorted(plan.nft.delta.removeNative) }
      : { kind: plan.nft.kind };
  return { missing: plan.missingInterfaces, users: peers(plan.users), sites: peers(plan.sites), nft, problems: plan.problems };
}

describe('planDrift: the reconcile planned against the view', () => {
  it('repairs drift made by hand exactly as planning against the whole document would', async () => {
    const service = generateWireGuardKeyPair();
    const fill = generateGatewayFill({ seed: 9, users: 50, allowed: 400, native: 60, plants: 30 });
    const state: GatewayDesiredState = { ...fill.state, gateway: SELF, servicePublicKey: service.publicKey };
    const spec = (name: string, port: number) => ({ name, privateKey: service.privateKey, listenPort: port, addresses: [], routes: [] });
    const plane: GatewayDataPlane & { wireguard: FakeWireGuardDriver; nft: FakeNftDriver } = {
      wireguard: new FakeWireGuardDriver(),
      nft: new FakeNftDriver(),
      ifaces,
      interfaceSpecs: { users: spec('pgu0', 51820), sites: spec('pgs0', 51821) },
    };
    await new GatewayApplier(plane).apply(state);
    const observedAfter = await observeGateway(plane);
    const view = AppliedGatewayView.afterFullApply(state, ifaces, service.publicKey, { allowedLengths: observedAfter.nft?.allowedLengths ?? [], nativeShards: observedAfter.nft?.nativeShards ?? [] });
    const drifts: Array<[string, () => Promise<void>]> = [
      ['nothing changed', async () => {}],
      ['an allowed element deleted by hand', () => plane.nft.applyScript(renderSetDelta({ addAllowed: [], removeAllowed: [canonicalAllowedElement(state.allowed[3])], addNative: [], removeNative: [] }))],
      ['a native entry deleted by hand', () => plane.nft.applyScript(renderSetDelta({ addAllowed: [], removeAllowed: [], addNative: [], removeNative: [canonicalNativeElement(state.native[0])] }))],
      ['an element added by hand', () => plane.nft.applyScript(renderSetDelta({ addAllowed: [{ ...canonicalAllowedElement(state.allowed[0]), userIp: '100.79.9.9' }], removeAllowed: [], addNative: [], removeNative: [] }))],
      ['a user peer added and one removed by hand', async () => {
        await plane.wireguard.changePeers('pgu0', { remove: [state.peers[0].publicKey], upsert: [{ publicKey: generateWireGuardKeyPair().publicKey, allowedIps: ['100.79.1.1/32'] }] });
      }],
      ['a peer’s allowed IPs changed by hand', () => plane.wireguard.changePeers('pgu0', { remove: [], upsert: [{ publicKey: state.peers[1].publicKey, allowedIps: ['100.79.2.2/32'] }] })],
      ['the table deleted', () => plane.nft.deleteTable('plantgate')],
      ['the sites interface deleted', () => plane.wireguard.deleteInterface('pgs0')],
    ];
    for (const [name, drift] of drifts) {
      await drift();
      const observed = await observeGateway(plane);
      const expected = planGatewayApply(state, ifaces, observed);
      const actual = await planDrift(view.contents, observed, SELF.siteTunnelIp);
      assert.deepEqual(normalised(actual), normalised(expected), name);
    }
  });
});
