import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceKey } from './source-address.ts';

describe('sourceKey: what per-source throttling counts as one source', () => {
  const rows: Array<[string, string, string]> = [
    ['IPv4 as is', '192.0.2.7', '192.0.2.7'],
    ['IPv4-mapped IPv6 is the IPv4 address', '::ffff:192.0.2.7', '192.0.2.7'],
    ['IPv6 by its /64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['two hosts of one /64 are one source', '2001:db8:1:2::5', '2001:db8:1:2::/64'],
    ['leading zeros and case do not matter', '2001:0DB8:0001:0002::1', '2001:db8:1:2::/64'],
    ['compressed inside the prefix', '2001:db8::1', '2001:db8:0:0::/64'],
    ['loopback', '::1', '0:0:0:0::/64'],
    ['zone index dropped', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
  ];
  for (const [name, input, expected] of rows) it(name, () => assert.equal(sourceKey(input), expected));
});
