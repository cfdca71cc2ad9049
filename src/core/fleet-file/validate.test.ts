import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidr } from '../net/ipv4.ts';
import { validateFleetFile } from './validate.ts';

const context = {
  knownUserEmails: new Set(['op@example.test']),
  reserved: [
    { name: 'tunnel range', prefix: cidr('100.64.0.0/12') },
    { name: 'mapped space', prefix: cidr('100.80.0.0/12') },
  ],
};

function fleet(plant: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    users: [{ email: 'Bob@Example.test' }],
    organizations: [
      {
        name: 'O',
        members: [{ email: 'bob@example.test', role: 'member' }],
        plants: [{ name: 'P', subnets: ['192.168.1.0/24'], ...plant }],
        jobRoles: [{ user: 'bob@example.test', plant: 'P', role: 'operator' }],
        ...extra,
      },
    ],
  };
}

describe('validateFleetFile', () => {
  it('accepts a good file and lower-cases emails', () => {
    const result = validateFleetFile(fleet(), context);
    assert.ok(result.ok);
    assert.equal(result.fleet.users[0]?.email, 'bob@example.test');
  });

  it('#13: keeps `complete: true` (the file is the whole fleet), absent by default', () => {
    const complete = validateFleetFile({ ...fleet(), complete: true }, context);
    assert.ok(complete.ok);
    assert.equal(complete.fleet.complete, true);
    const partial = validateFleetFile(fleet(), context);
    assert.ok(partial.ok);
    assert.equal(partial.fleet.complete, undefined);
    assert.ok(!validateFleetFile({ ...fleet(), complete: 'yes' }, context).ok);
  });

  it('#13: a partial file may name a stored organization as cooperation partner', () => {
    const input = fleet({}, { cooperations: [{ partner: 'Stored', plants: ['P'] }] });
    assert.ok(!validateFleetFile(input, context).ok, 'unknown without the installation\u2019s organizations');
    assert.ok(validateFleetFile(input, { ...context, knownOrganizations: new Set(['Stored']) }).ok);
  });

  const rows: Array<[string, unknown, string, RegExp]> = [
    ['non-canonical subnet', fleet({ subnets: ['192.168.1.1/24'] }), 'organizations[0].plants[0].subnets[0]', /did you mean 192\.168\.1\.0\/24/],
    [
      'subnets overlapping within a plant',
      fleet({ subnets: ['10.0.0.0/16', '10.0.1.0/24'] }),
      'organizations[0].plants[0].subnets[1]',
      /overlaps 10\.0\.0\.0\/16/,
    ],
    ['reserved tunnel range', fleet({ subnets: ['100.64.5.0/24'] }), 'organizations[0].plants[0].subnets[0]', /reserved tunnel range/],
    ['device outside the plant', fleet({ devices: [{ name: 'd', ip: '10.1.1.1' }] }), 'organizations[0].plants[0].devices[0].ip', /none of the subnets/],
    ['device IP malformed', fleet({ devices: [{ name: 'd', ip: '192.168.1.300' }] }), 'organizations[0].plants[0].devices[0].ip', /not an IPv4 address/],
    [
      'job role on both plant and portfolio',
      fleet({}, { jobRoles: [{ user: 'bob@example.test', plant: 'P', portfolio: 'X', role: 'viewer' }] }),
      'organizations[0].jobRoles[0]',
      /exactly one/,
    ],
    [
      'cooperation job role outside what it shares',
      fleet({}, { cooperations: [{ partner: 'O2', plants: [], jobRoles: [{ user: 'bob@example.test', plant: 'P', role: 'operator' }] }] }),
      'organizations[0].cooperations[0].partner',
      /unknown organization/,
    ],
  ];
  for (const [name, input, field, message] of rows) {
    it(`refuses: ${name}`, () => {
      const result = validateFleetFile(input, context);
      assert.ok(!result.ok);
      const problem = result.problems.find((p) => p.field === field);
      assert.ok(problem, `${field} in ${JSON.stringify(result.problems)}`);
      assert.match(problem.message, message);
    });
  }

  it('refuses unknown keys with their path (a typo is not silently ignored)', () => {
    const result = validateFleetFile({ users: [], organizations: [{ name: 'O', plantz: [] }] }, context);
    assert.ok(!result.ok && result.zodError);
    assert.deepEqual(result.zodError.issues[0]?.path, ['organizations', 0]);
  });

  it('lists every problem, not only the first', () => {
    const result = validateFleetFile(fleet({ subnets: ['192.168.1.1/24', '100.80.0.0/24'] }), context);
    assert.ok(!result.ok);
    assert.equal(result.problems.length, 2);
  });

  it("normalising emails and addresses in place leaves the caller's document as it was (the schema output is a copy)", () => {
    const input = fleet({ subnets: [' 192.168.1.0/24'], devices: [{ name: 'D', ip: ' 192.168.1.5' }] });
    input.organizations[0]?.jobRoles.push({ user: 'BOB@example.test', plant: 'P', role: 'viewer' } as never);
    const before = JSON.stringify(input);
    const result = validateFleetFile(input, context);
    assert.equal(JSON.stringify(input), before);
    assert.ok(!result.ok, 'a second job role for bob on P is refused once the email is lower-cased');
    assert.ok(
      result.problems.some((p) => p.message.includes('bob@example.test has a second job role on P')),
      JSON.stringify(result.problems),
    );
  });

  it('a cooperation job role on a plant shared only through a shared portfolio is accepted; on an unshared plant refused', () => {
    const base = {
      users: [{ email: 'bob@example.test' }],
      organizations: [
        {
          name: 'O',
          plants: [{ name: 'P1' }, { name: 'P2' }],
          portfolios: [{ name: 'F', plants: ['P1'] }],
          cooperations: [{ partner: 'Q', portfolios: ['F'], jobRoles: [{ user: 'bob@example.test', plant: 'P1', role: 'viewer' }] }],
        },
        { name: 'Q' },
      ],
    };
    assert.ok(validateFleetFile(base, context).ok);
    const unshared = structuredClone(base);
    (unshared.organizations[0] as { cooperations: Array<{ jobRoles: Array<{ plant: string }> }> }).cooperations[0]!.jobRoles[0]!.plant = 'P2';
    const result = validateFleetFile(unshared, context);
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, [
      { field: 'organizations[0].cooperations[0].jobRoles[0].plant', message: 'plant "P2" is not shared by this cooperation' },
    ]);
  });
});
