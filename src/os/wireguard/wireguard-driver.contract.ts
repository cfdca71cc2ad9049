import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../crypto/wireguard-keys.ts';
import type { WireGuardDriver } from './wireguard-driver.ts';

/**
 * The behaviour every WireGuardDriver must have; run against the fake and against
 * wireguard-go in a network namespace, so the fake cannot drift from the real thing.
 */
export type WireGuardDriverHarness = {
  driver: WireGuardDriver;
  /** A run-unique interface name for `base` (≤ 15 characters). */
  interfaceName(base: string): string;
  teardown(): Promise<void>;
};

export function wireGuardDriverContract(label: string, setup: () => Promise<WireGuardDriverHarness>): void {
  describe(`WireGuardDriver contract: ${label}`, () => {
    let harness: WireGuardDriverHarness;
    before(async () => {
      harness = await setup();
    });
    after(async () => {
      await harness?.teardown();
    });

    const keys = Array.from({ length: 4 }, () => generateWireGuardKeyPair());
    const [alice, bob, carol] = keys.map((pair) => pair.publicKey);

    it('creates an interface whose dump shows the derived public key, the port, and no secret', async () => {
      const own = generateWireGuardKeyPair();
      const name = harness.interfaceName('ca');
      await harness.driver.createInterface({ name, privateKey: own.privateKey, listenPort: 51111, addresses: ['100.64.0.1/32'], routes: ['100.64.0.0/12'] });
      const dump = await harness.driver.readDump(name);
      assert.ok(dump);
      assert.equal(dump.interface.publicKey, own.publicKey);
      assert.equal(dump.interface.listenPort, 51111);
      assert.deepEqual(dump.peers, []);
      assert.ok(!JSON.stringify(dump).includes(own.privateKey));
      await harness.driver.deleteInterface(name);
    });

    it('reads a missing interface as null and deletes it without error', async () => {
      const name = harness.interfaceName('cm');
      assert.equal(await harness.driver.readDump(name), null);
      await harness.driver.deleteInterface(name);
    });

    it('refuses a second interface with a name in use, and frees the name on delete', async () => {
      const name = harness.interfaceName('cd');
      const spec = { name, privateKey: keys[3].privateKey, listenPort: null, addresses: [], routes: [] };
      await harness.driver.createInterface(spec);
      await assert.rejects(harness.driver.createInterface(spec), /in use/);
      await harness.driver.deleteInterface(name);
      assert.equal(await harness.driver.readDump(name), null);
      await harness.driver.createInterface(spec);
      await harness.driver.deleteInterface(name);
    });

    it('changes peers: upserted AllowedIPs replace (not extend) the old list; removes drop the peer', async () => {
      const name = harness.interfaceName('cp');
      await harness.driver.createInterface({ name, privateKey: keys[3].privateKey, listenPort: null, addresses: [], routes: [] });
      await harness.driver.changePeers(name, {
        remove: [],
        upsert: [
          { publicKey: alice, allowedIps: ['100.64.0.2/32'] },
          { publicKey: bob, allowedIps: ['100.80.1.0/24', '100.64.1.1/32'] },
        ],
      });
      await harness.driver.changePeers(name, { remove: [alice], upsert: [{ publicKey: bob, allowedIps: ['100.80.2.0/24'] }] });
      const dump = await harness.driver.readDump(name);
      assert.deepEqual(
        dump?.peers.map((peer) => [peer.publicKey, peer.allowedIps]),
        [[bob, ['100.80.2.0/24']]],
      );
      await harness.driver.deleteInterface(name);
    });

    it('P2 rotation in one step: the new key takes the tunnel IP the old key gives back', async () => {
      const name = harness.interfaceName('cr');
      await harness.driver.createInterface({ name, privateKey: keys[3].privateKey, listenPort: null, addresses: [], routes: [] });
      await harness.driver.changePeers(name, { remove: [], upsert: [{ publicKey: alice, allowedIps: ['100.64.0.2/32'] }] });
      await harness.driver.changePeers(name, { remove: [alice], upsert: [{ publicKey: carol, allowedIps: ['100.64.0.2/32'] }] });
      const dump = await harness.driver.readDump(name);
      assert.deepEqual(dump?.peers.map((peer) => [peer.publicKey, peer.allowedIps]), [[carol, ['100.64.0.2/32']]]);
      await harness.driver.deleteInterface(name);
    });

    it('syncs the whole peer list, keeping the private key and the listen port', async () => {
      const own = generateWireGuardKeyPair();
      const name = harness.interfaceName('cs');
      await harness.driver.createInterface({ name, privateKey: own.privateKey, listenPort: 51112, addresses: [], routes: [] });
      await harness.driver.changePeers(name, {
        remove: [],
        upsert: [
          { publicKey: alice, allowedIps: ['100.64.0.2/32'] },
          { publicKey: bob, allowedIps: ['100.64.0.3/32'] },
        ],
      });
      await harness.driver.syncPeers(name, [
        { publicKey: bob, allowedIps: ['100.64.0.30/32'] },
        { publicKey: carol, allowedIps: ['100.64.0.4/32'] },
      ]);
      const dump = await harness.driver.readDump(name);
      assert.equal(dump?.interface.publicKey, own.publicKey);
      assert.equal(dump?.interface.listenPort, 51112);
      const peers = new Map(dump?.peers.map((peer) => [peer.publicKey, peer.allowedIps]));
      assert.deepEqual(peers, new Map([[bob, ['100.64.0.30/32']], [carol, ['100.64.0.4/32']]]));
      await harness.driver.syncPeers(name, []);
      assert.deepEqual((await harness.driver.readDump(name))?.peers, []);
      await harness.driver.deleteInterface(name);
    });

    it('issue 9: setconf (on stdin) replaces key, port and peers; a pre-shared key shows only as present', async () => {
      const name = harness.interfaceName('cf');
      await harness.driver.createInterface({ name, privateKey: keys[3].privateKey, listenPort: null, addresses: [], routes: [] });
      await harness.driver.changePeers(name, { remove: [], upsert: [{ publicKey: carol, allowedIps: ['100.64.0.9/32'] }] });
      const own = generateWireGuardKeyPair();
      const psk = generateWireGuardKeyPair().privateKey;
      const text = ['[Interface]', `PrivateKey = ${own.privateKey}`, 'ListenPort = 51114', '', '[Peer]', `PublicKey = ${alice}`, `PresharedKey = ${psk}`, 'Endpoint = 192.0.2.7:51820', 'AllowedIPs = 10.40.0.0/24, 10.41.0.0/24', 'PersistentKeepalive = 25', ''].join('\n');
      await harness.driver.setConf(name, text);
      const dump = await harness.driver.readDump(name);
      assert.equal(dump?.interface.publicKey, own.publicKey);
      assert.equal(dump?.interface.listenPort, 51114);
      assert.deepEqual(
        dump?.peers.map((peer) => [peer.publicKey, peer.allowedIps, peer.endpoint, peer.persistentKeepalive, peer.hasPresharedKey]),
        [[alice, ['10.40.0.0/24', '10.41.0.0/24'], '192.0.2.7:51820', 25, true]],
      );
      assert.ok(!JSON.stringify(dump).includes(psk) && !JSON.stringify(dump).includes(own.privateKey));
      await harness.driver.deleteInterface(name);
    });

    it('sets a new private key', async () => {
      const name = harness.interfaceName('ck');
      await harness.driver.createInterface({ name, privateKey: keys[3].privateKey, listenPort: null, addresses: [], routes: [] });
      const next = generateWireGuardKeyPair();
      await harness.driver.setPrivateKey(name, next.privateKey, 51113);
      const dump = await harness.driver.readDump(name);
      assert.equal(dump?.interface.publicKey, next.publicKey);
      assert.equal(dump?.interface.listenPort, 51113);
      await harness.driver.deleteInterface(name);
    });
  });
}
