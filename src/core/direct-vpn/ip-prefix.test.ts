import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPrefix, isDefaultRoute, parsePrefix, prefixesOverlap } from './ip-prefix.ts';

describe('parsePrefix: IPv4 and IPv6 CIDRs in canonical form', () => {
  const cases: Array<{ text: string; canonical: string | null; hostBits?: boolean }> = [
    { text: '192.168.1.0/24', canonical: '192.168.1.0/24' },
    { text: '192.168.1.7/24', canonical: '192.168.1.0/24', hostBits: true },
    { text: '10.0.0.1', canonical: '10.0.0.1/32' },
    { text: '2001:DB8:0:0::/48', canonical: '2001:db8::/48' },
    { text: '::/0', canonical: '::/0' },
    { text: '8000::/1', canonical: '8000::/1' },
    { text: 'fd00:0:0:1::1/128', canonical: 'fd00:0:0:1::1/128' },
    { text: '::ffff:10.0.0.1/128', canonical: '::ffff:a00:1/128' },
    { text: '1:2:3:4:5:6:7:8/64', canonical: '1:2:3:4::/64', hostBits: true },
    { text: '1:0:0:2:0:0:0:3/128', canonical: '1:0:0:2::3/128' },
    { text: '256.1.1.1/24', canonical: null },
    { text: '10.0.0.0/33', canonical: null },
    { text: '::/129', canonical: null },
    { text: '1:2:3:4:5:6:7:8:9/64', canonical: null },
    { text: '1::2::3/64', canonical: null },
    { text: '1.2.3.4::/64', canonical: null },
    { text: 'fe80::1%eth0/64', canonical: null },
    { text: 'example.com/24', canonical: null },
    { text: '10.0.0.0/-1', canonical: null },
  ];
  for (const { text, canonical, hostBits } of cases) {
    it(`${text} → ${canonical ?? 'refused'}`, () => {
      const parsed = parsePrefix(text);
      if (canonical === null) {
        assert.equal(parsed.ok, false);
        return;
      }
      assert.ok(parsed.ok);
      assert.equal(formatPrefix(parsed.prefix), canonical);
      assert.equal(parsed.hostBits, hostBits ?? false);
    });
  }
});

describe('D5: isDefaultRoute covers /0 and the /1 split forms of both families', () => {
  for (const text of ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '::/0', '::/1', '8000::/1']) {
    it(`${text} is a default route`, () => {
      const parsed = parsePrefix(text);
      assert.ok(parsed.ok && isDefaultRoute(parsed.prefix));
    });
  }
  for (const text of ['0.0.0.0/2', '10.0.0.0/8', '2000::/3']) {
    it(`${text} is not`, () => {
      const parsed = parsePrefix(text);
      assert.ok(parsed.ok && !isDefaultRoute(parsed.prefix));
    });
  }
});

describe('prefixesOverlap', () => {
  const cases: Array<[string, string, boolean]> = [
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.1.0.0/16', '10.0.0.0/8', true],
    ['10.0.0.0/16', '10.1.0.0/16', false],
    ['192.168.1.0/24', '192.168.1.255/32', true],
    ['fd00::/8', 'fd12::/16', true],
    ['10.0.0.0/8', '::a00:0/104', false],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} and ${b}: ${expected ? 'overlap' : 'disjoint'}`, () => {
      const pa = parsePrefix(a);
      const pb = parsePrefix(b);
      assert.ok(pa.ok && pb.ok);
      assert.equal(prefixesOverlap(pa.prefix, pb.prefix), expected);
    });
  }
});
