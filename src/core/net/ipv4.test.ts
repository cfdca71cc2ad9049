import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidr, formatCidr, formatIpv4, overlaps, parseCidr, parseIpv4, translateAddress } from './ipv4.ts';

describe('parseCidr', () => {
  const rows: Array<[string, string, string | null]> = [
    ['canonical /24', '192.168.1.0/24', '192.168.1.0/24'],
    ['host route', '10.0.0.7/32', '10.0.0.7/32'],
    ['everything', '0.0.0.0/0', '0.0.0.0/0'],
    ['host bits set', '192.168.1.5/24', null],
    ['octet out of range', '192.168.256.0/24', null],
    ['length out of range', '192.168.1.0/33', null],
    ['missing length', '192.168.1.0', null],
    ['leading zero octet', '192.168.01.0/24', null],
    ['garbage', 'park-a', null],
    ['ipv6', 'fd00::/64', null],
  ];
  for (const [name, input, expected] of rows) {
    it(name, () => {
      const parsed = parseCidr(input);
      if (expected === null) assert.equal(parsed.ok, false);
      else {
        assert.ok(parsed.ok);
        assert.equal(formatCidr(parsed.prefix), expected);
      }
    });
  }
  it('suggests the canonical form when host bits are set', () => {
    const parsed = parseCidr('192.168.1.5/24');
    assert.ok(!parsed.ok);
    assert.equal(parsed.canonical, '192.168.1.0/24');
    assert.match(parsed.message, /did you mean 192\.168\.1\.0\/24/);
  });
});

describe('parseIpv4', () => {
  const rows: Array<[string, number | null]> = [
    ['0.0.0.0', 0],
    ['10.0.0.17', 0x0a000011],
    ['255.255.255.255', 0xffffffff],
    ['192.168.1.100', 0xc0a80164],
    ['1.2.3.4', 0x01020304],
    ['256.0.0.1', null],
    ['1.2.3.999', null],
    ['01.2.3.4', null],
    ['1.2.3.00', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['1..3.4', null],
    ['.1.2.3', null],
    ['1.2.3.', null],
    ['1.2.3.4 ', null],
    [' 1.2.3.4', null],
    ['1.2.3.-4', null],
    ['1.2.3.4/24', null],
    ['a.b.c.d', null],
    ['fd00::1', null],
    ['', null],
    ['0001.2.3.4', null],
  ];
  for (const [input, expected] of rows) it(`"${input}" → ${expected}`, () => assert.equal(parseIpv4(input), expected));
});

describe('ipv4 arithmetic', () => {
  it('round-trips the top address', () => assert.equal(formatIpv4(parseIpv4('255.255.255.255') as number), '255.255.255.255'));
  const overlapRows: Array<[string, string, boolean]> = [
    ['192.168.1.0/24', '192.168.1.0/24', true],
    ['192.168.0.0/16', '192.168.1.0/24', true],
    ['192.168.1.0/24', '192.168.2.0/24', false],
    ['10.0.0.0/8', '11.0.0.0/8', false],
    ['0.0.0.0/0', '203.0.113.0/24', true],
  ];
  for (const [a, b, expected] of overlapRows) {
    it(`${a} overlaps ${b}: ${expected}`, () => {
      assert.equal(overlaps(cidr(a), cidr(b)), expected);
      assert.equal(overlaps(cidr(b), cidr(a)), expected);
    });
  }
  it('P5: preserves the host part when mapping', () => {
    const mapped = translateAddress(parseIpv4('192.168.1.17') as number, cidr('192.168.1.0/24'), cidr('100.80.3.0/24'));
    assert.equal(formatIpv4(mapped), '100.80.3.17');
  });
});
