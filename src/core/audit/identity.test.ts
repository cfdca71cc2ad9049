import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Identity, identityKey, identityText, recordKeyAt, KEY_HASH } from './identity.ts';

const base: Identity = {
  gatewayId: 'gw-1',
  userId: 'u-1',
  userEmail: 'ulla@example.test',
  tunnelIp: '100.96.0.2',
  orgId: 'org-1',
  plantName: 'Solar Park',
  subnetId: 'sub-1',
  subnetCidr: '192.168.1.0/24',
  subnetMapped: '100.64.0.0/24',
  deviceName: 'inverter-1',
};

describe('identityKey (the ingest cache key of an identity)', () => {
  // Pairs that differ in content but would collide under a plain join of the fields.
  const pairs: Array<{ name: string; a: Partial<Identity>; b: Partial<Identity> }> = [
    { name: 'null and the text "null"', a: { userId: null }, b: { userId: 'null' } },
    { name: 'null and the empty text', a: { deviceName: null }, b: { deviceName: '' } },
    { name: 'null and "~"', a: { userEmail: null }, b: { userEmail: '~' } },
    { name: 'a boundary moved between two fields', a: { orgId: 'org-1', plantName: 'Solar Park' }, b: { orgId: 'org-1S', plantName: 'olar Park' } },
    { name: 'a length prefix spelled inside a name', a: { plantName: 'P', subnetId: 'sub-1' }, b: { plantName: 'P5:sub-1', subnetId: '' } },
    { name: 'non-ASCII names', a: { plantName: 'Windpark Süd' }, b: { plantName: 'Windpark Sud' } },
  ];
  for (const { name, a, b } of pairs) {
    it(`keeps apart ${name}`, () => {
      const left = { ...base, ...a };
      const right = { ...base, ...b };
      assert.notEqual(identityText(left), identityText(right));
      assert.notEqual(identityKey(left.gatewayId, left), identityKey(right.gatewayId, right));
    });
  }
  it('is equal for equal content (a rebuilt identity finds its cached id)', () => {
    assert.equal(identityKey('gw-1', { ...base }), identityKey(base.gatewayId, base));
  });
  it('depends on the gateway', () => {
    assert.notEqual(identityKey('gw-1', base), identityKey('gw-2', base));
  });
});

describe('recordKeyAt', () => {
  const cases = [
    { name: 'the first-seen millisecond is the high part', ms: 1_764_547_200_123, id: 'r1' },
    { name: 'a millisecond before 1970 wraps into range', ms: -5, id: 'r1' },
    { name: 'a long non-ASCII id', ms: 1_000, id: `ö${'x'.repeat(127)}` },
  ];
  for (const { name, ms, id } of cases) {
    it(name, () => {
      const key = recordKeyAt('gw-1', id, ms);
      assert.ok(Number.isSafeInteger(key) && key >= 0);
      assert.equal(Math.floor(key / KEY_HASH), ((ms % 2 ** 41) + 2 ** 41) % 2 ** 41);
      assert.equal(recordKeyAt('gw-1', id, ms), key, 'a resent record has the same key');
    });
  }
});
