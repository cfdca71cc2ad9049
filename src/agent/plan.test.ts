import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentDesiredState } from '../core/wire/daemon.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';
import { renderAgentRuleset } from './nft-ruleset.ts';
import { desiredGatewayPeers, expectedAgentStructure, planAgentApply, planGatewayPeers } from './plan.ts';

const ifaces = { tunnel: 'pga0', lan: 'lan0' };
const GW1 = 'Aq1X+EdMVhPxyg4HTHvsYEvdMhMsXotxawsvFCOsOw4=';
const GW2 = 'V4NcchRA0lZU/FocplXLH0zt9FEPAOskWBnih/OGZ18=';
const state: AgentDesiredState = {
  revision: 3,
  agent: { id: 'ag-1', name: 'agent-a', plantId: 'p-a', plantName: 'Solarpark A', tunnelIp: '100.64.1.1' },
  directVpns: [],
      discoveries: [],
  translations: [
    { mapped: '100.80.1.0/24', real: '192.168.1.0/24' },
    { mapped: '100.80.0.16/28', real: '10.1.1.16/28' },
  ],
  gateways: [
    { id: 'g1', name: 'eu-1', region: 'eu-central', publicKey: GW1, endpoint: '198.51.100.1:51821', siteTunnelIp: '100.64.0.9' },
    { id: 'g2', name: 'us-1', region: 'us-east', publicKey: GW2, endpoint: 'gw.us.example:51821', siteTunnelIp: '100.64.0.10' },
  ],
};

/** What an agent that applied `desired` observes (the gateway endpoint host name resolved by wg). */
function converged(desired: AgentDesiredState): { tunnel: WgDump; nft: NonNullable<Awaited<ReturnType<FakeNftDriver['readTable']>>> } {
  return {
    tunnel: {
      interface: { publicKey: 'k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=', listenPort: 40000, fwmark: null },
      peers: desiredGatewayPeers(desired).map((peer) => ({
        publicKey: peer.publicKey,
        hasPresharedKey: false,
        endpoint: peer.endpoint?.startsWith('gw.') ? '203.0.113.10:51821' : (peer.endpoint ?? null),
        allowedIps: peer.allowedIps,
        latestHandshake: 1_700_000_000,
        rxBytes: 1,
        txBytes: 2,
        persistentKeepalive: 25,
      })),
    },
    nft: { ...expectedAgentStructure(desired.translations, ifaces), allowed: [], allowedLengths: [], native: [], nativeShards: [], foreignElements: [] },
  };
}

describe('planAgentApply', () => {
  it('a converged agent gets an all-unchanged plan (host-name endpoints are not a difference)', () => {
    assert.deepEqual(planAgentApply(state, ifaces, converged(state)), { createTunnel: false, peers: { kind: 'unchanged' }, nft: { kind: 'unchanged' } });
  });

  it('a fresh agent: tunnel created, peers synced, table loaded', () => {
    const plan = planAgentApply(state, ifaces, { tunnel: null, nft: null });
    assert.equal(plan.createTunnel, true);
    assert.equal(plan.peers.kind, 'sync');
    assert.deepEqual(plan.nft, { kind: 'reload', reasons: ['table missing'] });
  });

  const rows: Array<{ name: string; next: AgentDesiredState; peers?: unknown; nft?: string }> = [
    {
      name: 'a new gateway (another region) adds one peer with its site address, endpoint and keepalive',
      next: { ...state, gateways: [...state.gateways, { id: 'g3', name: 'ap-1', region: 'ap', publicKey: 'k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=', endpoint: '192.0.2.7:51821', siteTunnelIp: '100.64.0.11' }] },
      peers: { kind: 'set', remove: [], upsert: [{ publicKey: 'k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=', allowedIps: ['100.64.0.11/32'], endpoint: '192.0.2.7:51821', persistentKeepalive: 25 }] },
    },
    {
      name: 'a gateway gone is removed',
      next: { ...state, gateways: state.gateways.slice(0, 1) },
      peers: { kind: 'set', remove: [GW2], upsert: [] },
    },
    {
      name: 'a gateway that moved to another endpoint is updated',
      next: { ...state, gateways: [{ ...state.gateways[0], endpoint: '198.51.100.2:51821' }, state.gateways[1]] },
      peers: { kind: 'set', remove: [], upsert: [{ publicKey: GW1, allowedIps: ['100.64.0.9/32'], endpoint: '198.51.100.2:51821', persistentKeepalive: 25 }] },
    },
    {
      name: 'a plant subnet added reloads the table (translations live in anonymous maps)',
      next: { ...state, translations: [...state.translations, { mapped: '100.80.2.0/24', real: '172.16.0.0/24' }] },
      nft: 'reload',
    },
    {
      name: 'the last subnet removed: the table keeps only the drop policy',
      next: { ...state, translations: [] },
      nft: 'reload',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const plan = planAgentApply(row.next, ifaces, converged(state));
      assert.deepEqual(plan.peers, row.peers ?? { kind: 'unchanged' });
      assert.equal(plan.nft.kind, row.nft ?? 'unchanged');
    });
  }

  it('drift: a rule deleted by hand, or a foreign chain, reloads the table', () => {
    const observed = converged(state);
    const forward = observed.nft.chains.find((chain) => chain.name === 'forward');
    assert.ok(forward);
    forward.rules = forward.rules.slice(1);
    assert.equal(planAgentApply(state, ifaces, observed).nft.kind, 'reload');
    const extra = converged(state);
    extra.nft.chains.push({ name: 'sneaky', type: null, hook: null, prio: null, policy: null, rules: [] });
    assert.equal(planAgentApply(state, ifaces, extra).nft.kind, 'reload');
  });

  it('issue 7 #6: a table without the input chain (the agent host reachable through the tunnel) reloads', () => {
    const observed = converged(state);
    observed.nft.chains = observed.nft.chains.filter((chain) => chain.name !== 'input');
    const plan = planAgentApply(state, ifaces, observed).nft;
    assert.equal(plan.kind, 'reload');
    assert.ok(plan.kind === 'reload' && plan.reasons.some((reason) => /chain input missing/.test(reason)));
  });

  it('a peer added by hand is removed, a changed keepalive is put back', () => {
    const observed = converged(state);
    observed.tunnel.peers[0].persistentKeepalive = null;
    observed.tunnel.peers.push({ ...observed.tunnel.peers[1], publicKey: 'k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=', allowedIps: ['0.0.0.0/0'] });
    const plan = planGatewayPeers(desiredGatewayPeers(state), observed.tunnel, { maxIncrementalPeerChanges: 200 });
    assert.equal(plan.kind, 'set');
    assert.ok(plan.kind === 'set' && plan.remove.includes('k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=') && plan.upsert.length === 1);
  });

  for (const translations of [state.translations, state.translations.slice(0, 1), []]) {
    it(`the expected structure is what the table renderAgentRuleset wrote reads back as (${translations.length} translation(s))`, async () => {
      const nft = new FakeNftDriver();
      await nft.applyScript(renderAgentRuleset(translations, ifaces));
      const table = await nft.readTable('plantgate');
      assert.deepEqual(planAgentApply({ ...state, translations }, ifaces, { tunnel: converged(state).tunnel, nft: table }).nft, { kind: 'unchanged' });
    });
  }

  const hostedCases: Array<{ name: string; subnets: string[] }> = [
    { name: 'one subnet', subnets: ['10.40.0.0/24'] },
    { name: 'two subnets (an anonymous set)', subnets: ['10.41.0.0/24', '10.40.0.0/24'] },
  ];
  for (const c of hostedCases) {
    it(`issue 9 hosted server (${c.name}): the hairpin rules read back as expected, and a table without them reloads`, async () => {
      const hosted = [{ iface: 'pgvhost0', network: '100.96.0.0/24', subnets: c.subnets }];
      const nft = new FakeNftDriver();
      await nft.applyScript(renderAgentRuleset(state.translations, ifaces, 'plantgate', ['pgvhost0'], hosted));
      const table = await nft.readTable('plantgate');
      assert.ok(table);
      const forward = table.chains.find((chain) => chain.name === 'forward');
      assert.ok(forward?.rules.some((rule) => /^iifname == pgvhost0 oifname == pgvhost0 ip saddr == 100\.96\.0\.0\/24 ip daddr == /.test(rule)), JSON.stringify(forward?.rules));
      assert.deepEqual(structureOf(table), structureOf({ ...table, chains: expectedAgentStructure(state.translations, ifaces, ['pgvhost0'], hosted).chains }));
      const without = new FakeNftDriver();
      await without.applyScript(renderAgentRuleset(state.translations, ifaces, 'plantgate', ['pgvhost0']));
      const plain = await without.readTable('plantgate');
      assert.equal(structureOf(plain), structureOf(plain));
      assert.notDeepEqual(structureOf(plain), structureOf(table), 'the hairpin rules are part of what the plan compares');
    });
  }
});

function structureOf(table: { chains: Array<{ name: string; rules: string[] }> } | null): string {
  return JSON.stringify(table?.chains.map((chain) => [chain.name, chain.rules]));
}
