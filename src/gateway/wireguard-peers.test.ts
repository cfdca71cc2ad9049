import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertGolden } from '../../test/golden.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { desiredSitePeers, desiredUserPeers } from './wireguard-peers.ts';
import { checkedPublicKey, renderPeersConf } from '../os/wireguard/wireguard-peer.ts';

describe('gateway WireGuard peers', () => {
  it('renders the syncconf text of both interfaces (no [Interface] keys, so no secret)', () => {
    const text = [
      '# users',
      renderPeersConf(desiredUserPeers(twoPlantsState)),
      '# sites',
      renderPeersConf(desiredSitePeers(twoPlantsState)),
    ].join('\n');
    assertGolden(text, new URL('./__golden__/gateway-peers.conf', import.meta.url));
    assert.doesNotMatch(text, /PrivateKey|ListenPort/);
  });

  it('site peers: mapped prefixes plus the agent tunnel IP; unenrolled agents have none', () => {
    assert.deepEqual(desiredSitePeers(twoPlantsState), [
      { publicKey: 'Ed7VjUhf+UlQnmYdEOk59czGqi241fWjoD/7zWErfgo=', allowedIps: ['100.64.1.1/32', '100.80.0.16/28', '100.80.1.0/24'] },
      { publicKey: 'k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=', allowedIps: ['100.64.1.2/32', '100.80.2.0/24'] },
    ]);
  });

  it('O1: an organization VPN client is a peer only on the gateways of its region', () => {
    const orgClient = { publicKey: 'Ed7VjUhf+UlQnmYdEOk59czGqi241fWjoD/7zWErfgo=', tunnelIp: '100.64.9.9', profileId: 'org-vpn:c', region: 'eu' };
    const peers = [...twoPlantsState.peers, orgClient];
    const inRegion = desiredUserPeers({ peers, region: 'eu' }).map((p) => p.allowedIps[0]);
    const elsewhere = desiredUserPeers({ peers, region: 'us' }).map((p) => p.allowedIps[0]);
    assert.ok(inRegion.includes('100.64.9.9/32'));
    assert.ok(!elsewhere.includes('100.64.9.9/32'));
    assert.equal(elsewhere.length, twoPlantsState.peers.length, 'personal profiles stay in every region (P8)');
  });

  for (const bad of ['', 'short=', 'V4NcchRA0lZU/FocplXLH0zt9FEPAOskWBnih/OGZ18', 'V4NcchRA0lZU/FocplXLH0zt9FEPAOskWBnih/OGZ18=\nPostUp = x']) {
    it(`refuses public key ${JSON.stringify(bad)}`, () => assert.throws(() => checkedPublicKey(bad)));
  }
});
