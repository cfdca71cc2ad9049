import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStateStore } from '../daemon/state-store.ts';
import type { WgDump, WgPeerDump } from '../os/wireguard/wg-dump.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { SITE_KICK_KEEPALIVE_SECONDS, SiteEndpointMemory, kickPeers, learntEndpoints } from './site-endpoints.ts';

const KEY_A = 'qEXv4H8NDlW0jpw4IVN9H2ZYUvTQkdtRQ1u0c3Bv1Gc=';
const KEY_B = 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=';

const peer = (publicKey: string, endpoint: string | null, latestHandshake: number): WgPeerDump => ({
  publicKey,
  hasPresharedKey: false,
  endpoint,
  allowedIps: ['100.80.1.0/24'],
  latestHandshake,
  rxBytes: 0,
  txBytes: 0,
  persistentKeepalive: null,
});
const dump = (...peers: WgPeerDump[]): WgDump => ({ interface: { publicKey: KEY_B, listenPort: 51821, fwmark: null } as unknown as WgDump['interface'], peers });
const quiet = { info: () => undefined, warn: () => undefined };

describe('issue 11 item 4: a restarted gateway handshakes toward its agents\u2019 last endpoints', () => {
  it('learns only endpoints of peers that completed a handshake', () => {
    assert.deepEqual(learntEndpoints(dump(peer(KEY_A, '10.10.2.2:40000', 1_800_000_000), peer(KEY_B, null, 0))), { [KEY_A]: '10.10.2.2:40000' });
    assert.deepEqual(learntEndpoints(null), {});
  });

  it('points only the fresh interface\u2019s silent peers at a remembered endpoint, with a keepalive that starts the handshake', () => {
    const remembered = { [KEY_A]: '10.10.2.2:40000', [KEY_B]: '10.10.3.2:40001' };
    assert.deepEqual(kickPeers(dump(peer(KEY_A, null, 0), peer(KEY_B, '10.10.3.2:40001', 1_800_000_000)), remembered), [
      { publicKey: KEY_A, allowedIps: ['100.80.1.0/24'], endpoint: '10.10.2.2:40000', persistentKeepalive: SITE_KICK_KEEPALIVE_SECONDS },
    ]);
    assert.deepEqual(kickPeers(dump(peer(KEY_A, null, 0)), {}), [], 'never seen: nothing to dial');
  });

  it('remembers across a restart (state dir) and kicks once per process', async () => {
    const store = new MemoryStateStore();
    const before = new SiteEndpointMemory(store, quiet);
    await before.remember(dump(peer(KEY_A, '10.10.2.2:40000', 1_800_000_000)));
    const wireguard = new FakeWireGuardDriver();
    await wireguard.createInterface({ name: 'pgs0', privateKey: 'OHRAkcx8gxEdHpiIpsvG6ZsvXeoumXqCXaPHLfoR/nA=', listenPort: 51821, addresses: [], routes: [] });
    await wireguard.changePeers('pgs0', { remove: [], upsert: [{ publicKey: KEY_A, allowedIps: ['100.80.1.0/24'] }] });
    const after = new SiteEndpointMemory(store, quiet);
    assert.equal(await after.kickOnce(wireguard, 'pgs0'), 1);
    const kicked = (await wireguard.readDump('pgs0'))?.peers[0];
    assert.equal(kicked?.endpoint, '10.10.2.2:40000');
    assert.equal(kicked?.persistentKeepalive, SITE_KICK_KEEPALIVE_SECONDS);
    assert.equal(await after.kickOnce(wireguard, 'pgs0'), 0, 'once per process');
  });

  it('forgets the endpoint of a peer that left the interface', async () => {
    const store = new MemoryStateStore();
    const memory = new SiteEndpointMemory(store, quiet);
    await memory.remember(dump(peer(KEY_A, '10.10.2.2:40000', 1), peer(KEY_B, '10.10.3.2:1', 1)));
    await memory.remember(dump(peer(KEY_B, '10.10.3.2:1', 1)));
    assert.deepEqual(await store.read('site-endpoints'), { [KEY_B]: '10.10.3.2:1' });
  });
});
