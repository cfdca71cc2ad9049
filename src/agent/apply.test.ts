import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable, NetnsLab } from '../../test/e2e/netns.ts';
import type { AgentDesiredState } from '../core/wire/daemon.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { IpCliConfigDriver } from '../os/ip/ip-cli-config-driver.ts';
import { NftCliDriver } from '../os/nft/nft-cli-driver.ts';
import { WireGuardGoDriver } from '../os/wireguard/wireguard-go-driver.ts';
import { AgentApplier } from './apply.ts';

/**
 * Issue 7 item 5 against the real thing: wireguard-go, wg, nft and ip in a network
 * namespace of the test's own. `wg set` with one endpoint name that does not resolve fails
 * as a whole; the agent must still bring up every other gateway's peer.
 */
describe('AgentApplier on real wireguard-go (network namespace)', { timeout: 120_000 }, () => {
  let lab: NetnsLab;
  let ns: string;
  before(async () => {
    await assertNetnsCapable();
    lab = new NetnsLab();
    ns = await lab.addNamespace('agp');
  });
  after(async () => {
    await lab?.cleanup();
  });

  it('issue 7 #5: an unresolvable gateway endpoint (gw-us-1-internal:51821) is skipped and reported; the other gateways are applied', async () => {
    const tunnel = lab.name('pga');
    lab.trackWireGuardInterface(tunnel);
    const wireguard = new WireGuardGoDriver({ netns: ns });
    const applier = new AgentApplier({
      wireguard,
      nft: new NftCliDriver({ netns: ns }),
      ip: new IpCliConfigDriver({ netns: ns }),
      ifaces: { tunnel, lan: 'lan0' },
      tableName: lab.name('pgt'),
      key: generateWireGuardKeyPair(),
    });
    const [good, bad, other] = [generateWireGuardKeyPair().publicKey, generateWireGuardKeyPair().publicKey, generateWireGuardKeyPair().publicKey];
    const state: AgentDesiredState = {
      revision: 1,
      agent: { id: 'ag-1', name: 'agent-a', plantId: 'p-a', plantName: 'A', tunnelIp: '100.64.1.1' },
  directVpns: [],
      discoveries: [],
      translations: [{ mapped: '100.80.1.0/24', real: '192.168.1.0/24' }],
      gateways: [
        { id: 'g1', name: 'eu-1', region: 'eu', publicKey: good, endpoint: '10.231.0.1:51821', siteTunnelIp: '100.64.0.9' },
        { id: 'g2', name: 'us-1', region: 'us', publicKey: bad, endpoint: 'gw-us-1-internal:51821', siteTunnelIp: '100.64.0.10' },
      ],
    };
    const first = await applier.apply(state, { observe: true });
    assert.deepEqual((await wireguard.readDump(tunnel))?.peers.map((peer) => peer.publicKey), [good]);
    assert.equal(first.failedPeers.length, 1);
    assert.match(first.failedPeers[0], /^gateway us-1 \(gw-us-1-internal:51821\) not applied: /);
    // the next change still goes through (one more gateway), and the bad one is tried again
    const second = await applier.apply({ ...state, revision: 2, gateways: [...state.gateways, { id: 'g3', name: 'ap-1', region: 'ap', publicKey: other, endpoint: '10.231.0.3:51821', siteTunnelIp: '100.64.0.11' }] });
    assert.deepEqual((await wireguard.readDump(tunnel))?.peers.map((peer) => peer.publicKey).sort(), [good, other].sort());
    assert.equal(second.observed, false);
    assert.equal(second.failedPeers.length, 1);
    await wireguard.deleteInterface(tunnel);
  });
});
