import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalAddress, canonicalPrefix, comparePrefixes, netmask } from './ipv4.ts';

describe('canonicalPrefix', () => {
  const rows: Array<[string, string]> = [
    ['100.80.1.7/24', '100.80.1.0/24'],
    ['100.81.0.0/8', '100.0.0.0/8'], // nft masks the same way; a diff must not see a change
    ['192.168.1.5', '192.168.1.5/32'], // nft prints /32 elements as bare addresses
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/31', '255.255.255.254/31'],
  ];
  for (const [input, expected] of rows) {
    it(`${input} → ${expected}`, () => assert.equal(canonicalPrefix(input), expected));
  }
  for (const bad of ['1.2.3.4/33', '1.2.3/24', '1.2.3.256/24', '1.2.3.4/', '01.2.3.4/24', '1.2.3.4/x', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => canonicalPrefix(bad)));
  }
});

describe('canonicalAddress / comparePrefixes', () => {
  it('validates addresses', () => {
    assert.equal(canonicalAddress('100.64.0.10'), '100.64.0.10');
    assert.throws(() => canonicalAddress('100.64.0.1 . 1.1.1.1'));
  });
  it('orders numerically, then by length', () => {
    const sorted = ['100.80.10.0/24', '100.80.2.0/24', '100.80.2.0/23', '9.0.0.0/8'].sort(comparePrefixes);
    assert.deepEqual(sorted, ['9.0.0.0/8', '100.80.2.0/23', '100.80.2.0/24', '100.80.10.0/24']);
  });
});

describe('netmask', () => {
  const rows: Array<[number, string]> = [
    [0, '0.0.0.0'],
    [1, '128.0.0.0'],
    [23, '255.255.254.0'],
    [24, '255.255.255.0'],
    [32, '255.255.255.255'],
  ];
  for (const [length, expected] of rows) it(`/${length} → ${expected}`, () => assert.equal(netmask(length), expected));
});
