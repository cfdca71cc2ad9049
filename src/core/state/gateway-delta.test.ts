import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayDesiredState } from '../wire/gateway-state.ts';
import { applyGatewayDelta, canonicalGatewayState, diffGatewayStates, isEmptyDelta } from './gateway-delta.ts';

const base: GatewayDesiredState = {
  revision: 4,
  region: 'eu',
  gateway: null,
  servicePublicKey: 'svc',
  serviceTunnelIp: '100.64.0.1',
  tunnelRange: '100.64.0.0/12',
  mappedSpace: '100.80.0.0/12',
  peers: [
    { publicKey: 'k1', tunnelIp: '100.64.0.10', profileId: 'p1' },
    { publicKey: 'k2', tunnelIp: '100.64.0.11', profileId: 'p2' },
  ],
  allowed: [
    { userIp: '100.64.0.10', mapped: '100.80.0.0/24' },
    { userIp: '100.64.0.11', mapped: '100.80.1.0/24' },
  ],
  native: [{ userIp: '100.64.0.10', native: '192.168.1.0/24', mapped: '100.80.0.0/24' }],
  sites: [{ plantId: 'a', plantName: 'A', agentPublicKey: null, agentTunnelIp: null, translations: [{ mapped: '100.80.0.0/24', real: '192.168.1.0/24' }] }],
};

const PROXY: NonNullable<GatewayDesiredState['proxy']> = {
  domain: 'proxy.example.net',
  port: 443,
  targets: [{ id: 't1', host: 't-aaaaaaaaaaaa', plantId: 'a', scheme: 'https', mappedAddress: '100.80.0.17', port: 443, path: '/' }],
  sessions: [{ id: 's1', targetId: 't1', userId: 'u1', userEmail: 'u@example.test', grantHash: 'a'.repeat(64), grantExpiresAt: '2026-11-30T12:00:30Z', expiresAt: '2026-11-30T20:00:00Z' }],
};

describe('gateway delta: the proxy section (docs/browser-proxy.md)', () => {
  const withProxy: GatewayDesiredState = { ...base, proxy: PROXY };
  it('a session removed (revocation) sends the whole section without it', () => {
    const next = { ...withProxy, revision: 5, proxy: { ...PROXY, sessions: [] } };
    const delta = diffGatewayStates(withProxy, next);
    assert.deepEqual(delta.proxy, next.proxy);
    const applied = applyGatewayDelta(withProxy, delta);
    assert.ok(applied.ok);
    assert.deepEqual(applied.state.proxy?.sessions, []);
  });
  it('the proxy turned off: null removes the section', () => {
    const delta = diffGatewayStates(withProxy, { ...base, revision: 5 });
    assert.equal(delta.proxy, null);
    const applied = applyGatewayDelta(withProxy, delta);
    assert.ok(applied.ok);
    assert.equal('proxy' in applied.state, false);
  });
  it('an unchanged section is not sent, and a delta without it keeps it', () => {
    const delta = diffGatewayStates(withProxy, { ...withProxy, revision: 5 });
    assert.equal('proxy' in delta, false);
    assert.ok(isEmptyDelta(delta));
    const applied = applyGatewayDelta(withProxy, delta);
    assert.ok(applied.ok);
    assert.deepEqual(applied.state.proxy, PROXY);
  });
});

describe('gateway delta', () => {
  const cases: { name: string; next: GatewayDesiredState }[] = [
    { name: 'revoke: peer and its pairs go', next: { ...base, revision: 5, peers: base.peers.slice(1), allowed: base.allowed.slice(1), native: [] } },
    {
      name: 'rotate: same tunnel IP, new key',
      next: { ...base, revision: 5, peers: [{ publicKey: 'k9', tunnelIp: '100.64.0.10', profileId: 'p1' }, base.peers[1]!] },
    },
    {
      name: 'native swap: same native, other mapped',
      next: {
        ...base,
        revision: 5,
        allowed: [...base.allowed, { userIp: '100.64.0.10', mapped: '100.80.1.0/24' }],
        native: [{ userIp: '100.64.0.10', native: '192.168.1.0/24', mapped: '100.80.1.0/24' }],
      },
    },
    {
      name: 'site renamed and one added',
      next: {
        ...base,
        revision: 5,
        sites: [
          { ...base.sites[0]!, plantName: 'A2' },
          { plantId: 'b', plantName: 'B', agentPublicKey: 'ak', agentTunnelIp: '100.64.0.5', translations: [] },
        ],
      },
    },
    { name: 'nothing changed', next: { ...base, revision: 5 } },
    { name: 'browser proxy turned on: the section travels whole', next: { ...base, revision: 5, proxy: PROXY } },
  ];
  for (const { name, next } of cases) {
    it(`${name}: diff applied to the old document gives the new one`, () => {
      const delta = diffGatewayStates(base, next);
      const applied = applyGatewayDelta(base, delta);
      assert.ok(applied.ok);
      assert.deepEqual(canonicalGatewayState(applied.state), canonicalGatewayState(next));
      const twice = applyGatewayDelta({ ...applied.state, revision: delta.fromRevision }, delta);
      assert.ok(twice.ok);
      assert.deepEqual(canonicalGatewayState(twice.state), canonicalGatewayState(next), 'applying twice is a no-op');
    });
  }
  it('an empty change is an empty delta', () => assert.ok(isEmptyDelta(diffGatewayStates(base, { ...base, revision: 5 }))));
  it('a delta for another revision is refused', () => {
    const delta = diffGatewayStates(base, { ...base, revision: 5 });
    assert.deepEqual(applyGatewayDelta({ ...base, revision: 3 }, delta), { ok: false, reason: 'revision-mismatch' });
  });
});
