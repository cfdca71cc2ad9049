import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseWgDump } from './wg-dump.ts';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('parseWgDump (output captured from wireguard-go + wg 1.0.20210914)', () => {
  it('parses a gateway with a connected peer, a configured peer and a bare peer', () => {
    const result = parseWgDump(fixture('wg-dump-gateway.txt'));
    assert.ok(result.ok);
    assert.deepEqual(result.value.interface, {
      publicKey: 'Aq1X+EdMVhPxyg4HTHvsYEvdMhMsXotxawsvFCOsOw4=',
      listenPort: 51820,
      fwmark: null,
    });
    const byKey = new Map(result.value.peers.map((peer) => [peer.publicKey, peer]));
    assert.deepEqual(byKey.get('V4NcchRA0lZU/FocplXLH0zt9FEPAOskWBnih/OGZ18='), {
      publicKey: 'V4NcchRA0lZU/FocplXLH0zt9FEPAOskWBnih/OGZ18=',
      hasPresharedKey: false,
      endpoint: '10.201.0.2:44161',
      allowedIps: ['100.64.0.2/32', '100.64.0.9/32'],
      latestHandshake: 1795415666,
      rxBytes: 404,
      txBytes: 380,
      persistentKeepalive: 25,
    });
    const bare = byKey.get('Ed7VjUhf+UlQnmYdEOk59czGqi241fWjoD/7zWErfgo=');
    assert.deepEqual(bare?.allowedIps, []);
    assert.equal(bare?.endpoint, null);
    assert.equal(bare?.latestHandshake, 0);
    assert.equal(bare?.persistentKeepalive, null);
  });

  it('parses the client side of the same tunnel', () => {
    const result = parseWgDump(fixture('wg-dump-client.txt'));
    assert.ok(result.ok);
    assert.equal(result.value.interface.listenPort, 44161);
    assert.deepEqual(result.value.peers.map((peer) => peer.allowedIps), [['100.64.0.1/32']]);
  });

  it('never returns the private key (first field of the interface line)', () => {
    const text = fixture('wg-dump-gateway.txt');
    const privateKey = text.split('\t')[0];
    const result = parseWgDump(text);
    assert.ok(result.ok);
    assert.ok(!JSON.stringify(result.value).includes(privateKey));
  });

  const malformed: Array<[string, string]> = [
    ['empty output', ''],
    ['an interface line with 3 fields', 'a\tb\t51820\n'],
    ['a peer line with 7 fields', 'k\tp\t51820\toff\npk\t(none)\t(none)\t(none)\t0\t0\t0\n'],
    ['a non-numeric port', 'k\tp\tport\toff\n'],
  ];
  for (const [name, text] of malformed) {
    it(`refuses ${name} with a reason`, () => {
      const result = parseWgDump(text);
      assert.equal(result.ok, false);
    });
  }
});
