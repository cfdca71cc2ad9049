import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DirectVpnSubnetContext, validateDirectVpnSubnets } from './subnet-validation.ts';

const context: DirectVpnSubnetContext = {
  tunnelRanges: ['100.64.0.0/12'],
  mappedSpaces: ['100.80.0.0/12'],
  organizationVpnRoutes: [{ cidr: '10.200.0.0/16', organization: 'Nordwind Energie GmbH' }],
  otherDirectVpns: [
    { name: 'Park router (OpenVPN)', subnets: ['192.168.10.0/24', 'fd00:10::/64'] },
    { name: 'Substation', subnets: ['172.20.0.0/22'] },
  ],
};

describe('D4: validateDirectVpnSubnets refuses, naming the field, the clashing range and its owner', () => {
  const refusals: Array<{ name: string; subnets: string[]; field: string; reason: string; message: RegExp }> = [
    { name: 'no subnet at all', subnets: [], field: 'subnets', reason: 'empty', message: /at least one/ },
    { name: 'not a CIDR', subnets: ['192.168.1.0'], field: 'subnets[0]', reason: 'malformed', message: /"192\.168\.1\.0" is not a CIDR/ },
    { name: 'garbage', subnets: ['10.0.0.0/24', 'plant-lan'], field: 'subnets[1]', reason: 'malformed', message: /not a CIDR/ },
    {
      name: 'host bits set: the canonical form is suggested',
      subnets: ['192.168.1.7/24'],
      field: 'subnets[0]',
      reason: 'host-bits-set',
      message: /did you mean 192\.168\.1\.0\/24\?/,
    },
    { name: 'IPv6 host bits', subnets: ['fd00:1::1/64'], field: 'subnets[0]', reason: 'host-bits-set', message: /did you mean fd00:1::\/64\?/ },
    { name: 'D5: 0.0.0.0/0', subnets: ['0.0.0.0/0'], field: 'subnets[0]', reason: 'default-route', message: /default route/ },
    { name: 'D5: the /1 split form', subnets: ['128.0.0.0/1'], field: 'subnets[0]', reason: 'default-route', message: /default route/ },
    { name: 'D5: ::/0', subnets: ['::/0'], field: 'subnets[0]', reason: 'default-route', message: /default route/ },
    {
      name: 'inside the tunnel range',
      subnets: ['100.64.5.0/24'],
      field: 'subnets[0]',
      reason: 'overlap',
      message: /100\.64\.5\.0\/24 overlaps 100\.64\.0\.0\/12, plantgate's reserved tunnel range/,
    },
    {
      name: 'covering the mapped space',
      subnets: ['100.0.0.0/8'],
      field: 'subnets[0]',
      reason: 'overlap',
      message: /overlaps 100\.64\.0\.0\/12, plantgate's reserved tunnel range/,
    },
    {
      name: 'inside the mapped space',
      subnets: ['100.90.1.0/24'],
      field: 'subnets[0]',
      reason: 'overlap',
      message: /overlaps 100\.80\.0\.0\/12, plantgate's mapped space/,
    },
    {
      name: 'an organization VPN route',
      subnets: ['10.200.4.0/24'],
      field: 'subnets[0]',
      reason: 'overlap',
      message: /overlaps 10\.200\.0\.0\/16, a VPN route of organization "Nordwind Energie GmbH"/,
    },
    {
      name: 'another direct VPN on the plant',
      subnets: ['10.1.0.0/16', '192.168.0.0/16'],
      field: 'subnets[1]',
      reason: 'overlap',
      message: /overlaps 192\.168\.10\.0\/24, direct VPN "Park router \(OpenVPN\)" on this plant/,
    },
    {
      name: 'another direct VPN, IPv6',
      subnets: ['fd00:10::/48'],
      field: 'subnets[0]',
      reason: 'overlap',
      message: /overlaps fd00:10::\/64, direct VPN "Park router \(OpenVPN\)"/,
    },
    {
      name: 'a duplicate within the list',
      subnets: ['10.1.0.0/16', '10.1.0.0/16'],
      field: 'subnets[1]',
      reason: 'duplicate',
      message: /listed twice \(also subnets\[0\]\)/,
    },
    {
      name: 'an overlap within the list',
      subnets: ['10.1.0.0/16', '10.1.2.0/24'],
      field: 'subnets[1]',
      reason: 'overlap',
      message: /overlaps 10\.1\.0\.0\/16 \(subnets\[0\]\) of the same direct VPN/,
    },
  ];
  for (const { name, subnets, field, reason, message } of refusals) {
    it(name, () => {
      const result = validateDirectVpnSubnets(subnets, context);
      assert.equal(result.ok, false);
      if (result.ok) return;
      const problem = result.problems.find((p) => p.field === field);
      assert.ok(problem, JSON.stringify(result.problems));
      assert.equal(problem.reason, reason);
      assert.match(problem.message, message);
    });
  }

  it('the clash is also given as data (range and owner) for the web UI to show inline', () => {
    const result = validateDirectVpnSubnets(['172.20.1.0/24'], context);
    assert.ok(!result.ok);
    assert.deepEqual(result.problems[0]?.clash, { range: '172.20.0.0/22', owner: { kind: 'direct-vpn', name: 'Substation' } });
  });

  it('every problem of a list is reported, not just the first', () => {
    const result = validateDirectVpnSubnets(['0.0.0.0/0', '10.0.0.1/8', '100.81.0.0/16', '10.50.0.0/16'], context);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => [p.field, p.reason]),
      [
        ['subnets[0]', 'default-route'],
        ['subnets[1]', 'host-bits-set'],
        ['subnets[2]', 'overlap'],
      ],
    );
  });
});

describe('D4: accepted subnets', () => {
  it('canonical, sorted (IPv4 before IPv6); neighbours of reserved ranges are fine', () => {
    const result = validateDirectVpnSubnets(['192.168.11.0/24', 'fd00:11::/64', '100.96.0.0/16', '10.0.0.0/9'], context);
    assert.deepEqual(result, { ok: true, subnets: ['10.0.0.0/9', '100.96.0.0/16', '192.168.11.0/24', 'fd00:11::/64'] });
  });

  it('editing a direct VPN: its own current subnets are not in otherDirectVpns, so keeping them is fine', () => {
    const result = validateDirectVpnSubnets(['192.168.10.0/24'], {
      ...context,
      otherDirectVpns: context.otherDirectVpns.filter((vpn) => vpn.name !== 'Park router (OpenVPN)'),
    });
    assert.deepEqual(result, { ok: true, subnets: ['192.168.10.0/24'] });
  });
});
