import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { CliError } from './errors.ts';
import { jobRoleArgument, jobRoleTarget, orgRoleArgument, portArgument, positiveIntArgument } from './org-args.ts';

describe('org role and job role arguments: what people type becomes the wire name, anything else is refused naming the choices', () => {
  const orgRows: Array<[string, string | null]> = [
    ['admin', 'admin'],
    ['Admin', 'admin'],
    [' MODERATOR ', 'moderator'],
    ['guest', 'guest'],
    ['owner', null],
    ['', null],
  ];
  for (const [typed, expected] of orgRows) {
    it(`org role "${typed}" → ${expected ?? 'refused'}`, () => {
      if (expected) return assert.equal(orgRoleArgument(typed), expected);
      assert.throws(() => orgRoleArgument(typed), (e: unknown) => e instanceof InvalidArgumentError && /must be one of admin, moderator, member, guest/.test(e.message));
    });
  }
  const jobRows: Array<[string, string | null]> = [
    ['operator', 'operator'],
    ['Technical Manager', 'technical-manager'],
    ['technical_manager', 'technical-manager'],
    ['asset-manager', 'asset-manager'],
    ['Viewer', 'viewer'],
    ['manager', null],
  ];
  for (const [typed, expected] of jobRows) {
    it(`job role "${typed}" → ${expected ?? 'refused'}`, () => {
      if (expected) return assert.equal(jobRoleArgument(typed), expected);
      assert.throws(() => jobRoleArgument(typed), /must be one of operator, technical-manager, asset-manager, viewer/);
    });
  }
});

describe('repeated --port and numeric flags', () => {
  it('--port collects every occurrence in order', () => assert.deepEqual(portArgument('502', portArgument('80')), [80, 502]));
  for (const bad of ['0', '65536', '80.5', '-1', 'http', '']) {
    it(`--port ${JSON.stringify(bad)} is refused`, () => assert.throws(() => portArgument(bad), /is not a port \(1–65535\)/));
  }
  it('--limit 0 is refused', () => assert.throws(() => positiveIntArgument('0'), /not a positive whole number/));
  it('--limit 20 is 20', () => assert.equal(positiveIntArgument('20'), 20));
});

describe('job role target: exactly one of --plant or --portfolio (usage error otherwise)', () => {
  it('--plant', () => assert.deepEqual(jobRoleTarget({ plant: 'Park A' }), { plant: 'Park A' }));
  it('--portfolio', () => assert.deepEqual(jobRoleTarget({ portfolio: 'North' }), { portfolio: 'North' }));
  for (const [label, opts] of [
    ['neither', {}],
    ['both', { plant: 'Park A', portfolio: 'North' }],
  ] as const) {
    it(`${label} → exit 2`, () => assert.throws(() => jobRoleTarget(opts), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--plant/.test(e.message)));
  }
});
