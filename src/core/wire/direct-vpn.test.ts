import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { reviewOutgoingUpload } from '../direct-vpn/review.ts';
import { DirectVpnReview } from './direct-vpn.ts';

const dir = new URL('../direct-vpn/corpus/', import.meta.url);
const context = { tunnelRanges: ['100.64.0.0/12'], mappedSpaces: ['100.80.0.0/12'], organizationVpnRoutes: [], otherDirectVpns: [] };

describe('issue 9 contract: the create --json review on the wire', () => {
  for (const file of readdirSync(dir).sort()) {
    it(`the review of ${file} matches the wire schema`, () => {
      const protocol = file.endsWith('.conf') ? 'wireguard' : 'openvpn';
      const result = reviewOutgoingUpload({ protocol, configText: readFileSync(new URL(file, dir), 'utf8'), subnets: ['192.168.200.0/24'], context });
      assert.ok(result.ok, JSON.stringify(result));
      const checked = DirectVpnReview.safeParse(result.review);
      assert.ok(checked.success, JSON.stringify(checked.error?.issues));
    });
  }

  const bad: Array<[string, Record<string, unknown>]> = [
    ['a default route among the subnets', { subnets: ['0.0.0.0/0'] }],
    ['a split default route among the subnets', { subnets: ['::/1'] }],
    ['a subnet with host bits', { subnets: ['10.0.0.1/8'] }],
    ['an unknown field', { extra: 1 }],
    ['a stripped entry without a line', { stripped: [{ what: '0.0.0.0/0' }] }],
  ];
  const good = {
    direction: 'outgoing',
    protocol: 'wireguard',
    subnets: ['10.0.0.0/8'],
    subnetsFromConfig: [],
    stripped: [],
    ignored: [],
    needsCredentials: false,
    crypto: null,
  };
  it('a well-formed review passes', () => assert.ok(DirectVpnReview.safeParse(good).success));
  for (const [name, change] of bad) {
    it(`refused: ${name}`, () => assert.equal(DirectVpnReview.safeParse({ ...good, ...change }).success, false));
  }
});
