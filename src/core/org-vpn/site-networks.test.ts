import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidr, formatCidr } from '../net/ipv4.ts';
import { checkOrgVpnName, validateSiteNetworks } from './site-networks.ts';

const taken = [
  { prefix: cidr('100.64.0.0/12'), owner: "plantgate's reserved tunnel range" },
  { prefix: cidr('100.80.0.0/12'), owner: "plantgate's mapped space" },
  { prefix: cidr('192.168.1.0/24'), owner: 'plant subnet of "Park A"' },
];

describe('D4: organization VPN routes (site networks)', () => {
  const rows: Array<{ name: string; input: string[]; ok?: string[]; error?: RegExp; conflict?: boolean }> = [
    { name: 'an office LAN is accepted', input: ['10.50.0.0/24'], ok: ['10.50.0.0/24'] },
    { name: 'several networks are accepted', input: ['10.50.0.0/24', '172.20.0.0/16'], ok: ['10.50.0.0/24', '172.20.0.0/16'] },
    { name: 'D5: a default route is refused', input: ['0.0.0.0/0'], error: /networks\[0\]: 0\.0\.0\.0\/0 is broader than a \/8/ },
    { name: 'host bits are refused with the canonical form', input: ['10.50.0.1/24'], error: /networks\[0\].*did you mean 10\.50\.0\.0\/24/ },
    { name: 'garbage names the field', input: ['office'], error: /networks\[0\]: "office" is not an IPv4 network/ },
    { name: 'D4: overlapping the tunnel range names it', input: ['100.64.1.0/24'], error: /overlaps 100\.64\.0\.0\/12, plantgate's reserved tunnel range/, conflict: true },
    { name: 'D4: overlapping the mapped space names it', input: ['100.80.0.0/16'], error: /mapped space/, conflict: true },
    { name: 'D4: overlapping a plant subnet names the plant', input: ['192.168.0.0/16'], error: /networks\[0\]: 192\.168\.0\.0\/16 overlaps 192\.168\.1\.0\/24, plant subnet of "Park A"/, conflict: true },
    { name: 'two networks of one list may not overlap', input: ['10.0.0.0/8', '10.1.0.0/16'], error: /networks\[1\]: 10\.1\.0\.0\/16 overlaps 10\.0\.0\.0\/8 \(networks\[0\]\)/, conflict: true },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const result = validateSiteNetworks(row.input, taken);
      if (row.ok) {
        assert.ok(result.ok, JSON.stringify(result));
        assert.deepEqual(result.networks.map(formatCidr), row.ok);
      } else {
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.match(result.problems[0]?.message ?? '', row.error as RegExp);
        assert.equal(result.problems[0]?.conflict, row.conflict ?? false);
      }
    });
  }
});

describe('organization VPN and client names', () => {
  for (const [name, expect] of [
    ['office', null],
    ['Control room 2', null],
    ['', /must not be empty/],
    ['x'.repeat(65), /at most 64/],
    ['../etc', /use letters/],
    ['a;rm', /use letters/],
  ] as const) {
    it(`"${name.slice(0, 10)}" → ${expect ?? 'ok'}`, () => {
      const problem = checkOrgVpnName('name', name);
      if (expect === null) assert.equal(problem, null);
      else assert.match(problem ?? '', expect);
    });
  }
});
