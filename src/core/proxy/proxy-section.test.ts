import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRoleName, OrgRole } from '../model.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { type SessionRow, type TargetRow, buildProxySection } from './proxy-section.ts';

const NOW = '2026-11-30T12:00:00.000Z';
const LATER = '2026-11-30T20:00:00.000Z';
const CONFIG = { domain: 'proxy.example.net', port: 443 };

/** SolarCo owns Park A and Park B (the same subnet) and shares Park A with WindServ. */
function fleet(): FleetFixture {
  const f = new FleetFixture();
  f.org('SolarCo');
  f.org('WindServ');
  f.plant('SolarCo', 'Park A', ['192.168.1.0/24']);
  f.plant('SolarCo', 'Park B', ['192.168.1.0/24']);
  f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park A'] });
  f.user('u');
  return f;
}

const target = (over: Partial<TargetRow> = {}): TargetRow => ({ id: 'ta', plantId: 'Park A', host: 't-aaaaaaaaaaaa', scheme: 'http', port: 80, path: '/', deviceIp: '192.168.1.17', ...over });
const session = (over: Partial<SessionRow> = {}): SessionRow => ({
  id: 's1',
  targetId: 'ta',
  userId: 'u',
  userEmail: 'u@example.test',
  grantHash: 'a'.repeat(64),
  grantExpiresAt: '2026-11-30T12:00:30.000Z',
  expiresAt: LATER,
  closedAt: null,
  tokenRevokedAt: null,
  tokenExpiresAt: LATER,
  userDisabledAt: null,
  ...over,
});

type Row = {
  name: string;
  orgRole?: OrgRole;
  partnerRole?: OrgRole;
  jobRoles?: Array<{ plant: string; role: JobRoleName; coop?: boolean }>;
  coopActive?: boolean;
  session?: Partial<SessionRow>;
  target?: Partial<TargetRow>;
  /** The session is in the section. */
  open: boolean;
  /** The reason it is recorded closed (null: not recorded — open, or ended by time/closed already). */
  ended: string | null;
};

const OPERATOR: Row['jobRoles'] = [{ plant: 'Park A', role: 'operator' }];

const rows: Row[] = [
  { name: 'P4: a member with the Operator job role on the plant keeps the session', orgRole: 'member', jobRoles: OPERATOR, open: true, ended: null },
  { name: 'P4: a Technical Manager keeps it too', orgRole: 'member', jobRoles: [{ plant: 'Park A', role: 'technical-manager' }], open: true, ended: null },
  { name: 'P4: a Viewer loses it (permission lost)', orgRole: 'member', jobRoles: [{ plant: 'Park A', role: 'viewer' }], open: false, ended: 'permission lost' },
  { name: 'P4: a Guest loses it even as Operator', orgRole: 'guest', jobRoles: OPERATOR, open: false, ended: 'permission lost' },
  { name: 'P4: an Admin without a job role does not reach the plant', orgRole: 'admin', open: false, ended: 'permission lost' },
  { name: 'P4: a job role on the other plant of the same subnet does not count', orgRole: 'member', jobRoles: [{ plant: 'Park B', role: 'operator' }], open: false, ended: 'permission lost' },
  { name: 'P4: the cooperation Operator of the partner keeps it', partnerRole: 'member', jobRoles: [{ plant: 'Park A', role: 'operator', coop: true }], open: true, ended: null },
  { name: 'P4: an ended cooperation ends it', partnerRole: 'member', jobRoles: [{ plant: 'Park A', role: 'operator', coop: true }], coopActive: false, open: false, ended: 'permission lost' },
  { name: 'P4: a cooperation Technical Manager does not reach the plant', partnerRole: 'member', jobRoles: [{ plant: 'Park A', role: 'technical-manager', coop: true }], open: false, ended: 'permission lost' },
  { name: 'a disabled user loses it', orgRole: 'member', jobRoles: OPERATOR, session: { userDisabledAt: NOW }, open: false, ended: 'user disabled' },
  { name: 'logout (token revoked) ends it', orgRole: 'member', jobRoles: OPERATOR, session: { tokenRevokedAt: NOW }, open: false, ended: 'logged out' },
  { name: 'an expired platform session ends it', orgRole: 'member', jobRoles: OPERATOR, session: { tokenExpiresAt: NOW }, open: false, ended: 'platform session expired' },
  { name: 'a personal token without expiry keeps it', orgRole: 'member', jobRoles: OPERATOR, session: { tokenExpiresAt: null }, open: true, ended: null },
  { name: 'an expired session is left out, not recorded (it ended by time)', orgRole: 'member', jobRoles: OPERATOR, session: { expiresAt: NOW }, open: false, ended: null },
  { name: 'a closed session is left out, not recorded again', orgRole: 'member', jobRoles: OPERATOR, session: { closedAt: NOW }, open: false, ended: null },
  { name: 'a session of a target that is gone is ended', orgRole: 'member', jobRoles: OPERATOR, session: { targetId: 'gone' }, open: false, ended: 'target removed' },
  { name: 'a target whose device left every subnet is not served; its session waits, not ended', orgRole: 'member', jobRoles: OPERATOR, target: { deviceIp: '10.9.9.9' }, open: false, ended: null },
];

describe('buildProxySection: the gateways’ proxy section (issue 12 item 4)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const f = fleet();
      if (row.coopActive === false) f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park A'] }, false);
      if (row.orgRole) f.member('SolarCo', 'u', row.orgRole);
      if (row.partnerRole) f.member('WindServ', 'u', row.partnerRole);
      for (const jr of row.jobRoles ?? []) f.jobRole('u', { plant: jr.plant }, jr.role, jr.coop ? 'coop' : null);
      const { section, ended } = buildProxySection(f.model, CONFIG, [target(row.target)], [session(row.session)], NOW);
      assert.equal(section.sessions.length === 1, row.open);
      assert.deepEqual(
        ended.map((e) => e.reason),
        row.ended === null ? [] : [row.ended],
      );
    });
  }

  it('P5: the same device address in two plants of one subnet goes to two different mapped addresses', () => {
    const f = fleet();
    const { section } = buildProxySection(f.model, CONFIG, [target(), target({ id: 'tb', plantId: 'Park B', host: 't-bbbbbbbbbbbb' })], [], NOW);
    const [a, b] = section.targets;
    assert.ok(a && b);
    assert.notEqual(a.mappedAddress, b.mappedAddress);
    assert.ok(a.mappedAddress.endsWith('.17') && b.mappedAddress.endsWith('.17'));
    assert.deepEqual(Object.keys(a).sort(), ['host', 'id', 'mappedAddress', 'path', 'plantId', 'port', 'scheme']);
  });

  it('the section names the domain and port and publishes only the grant hash', () => {
    const f = fleet();
    f.member('SolarCo', 'u', 'member');
    f.jobRole('u', { plant: 'Park A' }, 'operator');
    const { section } = buildProxySection(f.model, CONFIG, [target()], [session()], NOW);
    assert.deepEqual([section.domain, section.port], ['proxy.example.net', 443]);
    assert.deepEqual(Object.keys(section.sessions[0] ?? {}).sort(), ['expiresAt', 'grantExpiresAt', 'grantHash', 'id', 'targetId', 'userEmail', 'userId']);
  });
});
