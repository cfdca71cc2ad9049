import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessExplanation, CooperationView, OrgSummary, PlantDetail } from '../core/wire/org.ts';
import { renderCooperations, renderEvents, renderExplanation, summariseDetails } from './org-render-access.ts';
import { renderChanges, renderInvitationCreated, renderOrganization, renderPlant, renderPlants } from './org-render.ts';

const org: OrgSummary = { id: 'o1', name: 'SolarCo', myRole: 'moderator', members: 4, plants: 2, portfolios: 1, cooperationsOwned: 1, cooperationsAsPartner: 0 };

const plant: PlantDetail = {
  id: 'p1',
  name: 'Park A',
  organization: { id: 'o1', name: 'SolarCo' },
  subnets: [{ id: 's1', cidr: '192.168.1.0/24', mapped: '100.80.3.0/24', devices: 1 }],
  devices: 2,
  portfolios: [{ id: 'f1', name: 'North' }],
  agent: { id: 'a1', name: 'agent-park-a', connected: false, lastSeenAt: '2026-11-30T10:00:00Z' },
  devicesList: [
    { id: 'd1', name: 'inverter-1', ip: '192.168.1.17', kind: 'inverter', ports: [80, 502], mappedIp: '100.80.3.17', subnet: '192.168.1.0/24' },
    { id: 'd2', name: 'old-logger', ip: '10.9.9.9', kind: 'logger', ports: [], mappedIp: null, subnet: null },
  ],
  sharedWith: [{ id: 'o2', name: 'WindServ' }],
};

describe('org output: what an admin reads', () => {
  it('qa A4: an event detail list of objects (direct VPN stripped lines) reads as JSON, not [object Object]', () => {
    assert.equal(
      summariseDetails({ directVpn: 'o1', stripped: [{ what: 'redirect-gateway def1', line: 16 }], ignored: [], subnets: ['10.50.0.0/24'] }),
      'directVpn: o1; stripped: {"what":"redirect-gateway def1","line":16}; ignored: -; subnets: 10.50.0.0/24',
    );
  });

  it('a change prints the server\u2019s change lines and the revision', () => {
    assert.equal(renderChanges({ changes: ['+ plant Park C (SolarCo)', '+ subnet 10.1.0.0/24 of plant Park C (SolarCo) → mapped 100.80.9.0/24'], revision: 42 }),
      '+ plant Park C (SolarCo)\n+ subnet 10.1.0.0/24 of plant Park C (SolarCo) → mapped 100.80.9.0/24\n2 changes applied (revision 42)');
    assert.equal(renderChanges({ changes: [], revision: 42 }), 'no changes (revision 42)');
  });

  it('org show: a Moderator is shown what a Moderator may do, not what only an Admin may (shared permission table)', () => {
    const text = renderOrganization(org, false);
    assert.match(text, /your role: +moderator/);
    assert.match(text, /invite members \(org invite\)/);
    assert.match(text, /add and rename plants/);
    assert.doesNotMatch(text, /change org roles/);
    assert.doesNotMatch(text, /remove plants/);
    assert.match(text, /invitations you may send: member, guest$/m);
  });

  it('org show: a platform operator who is no member may do everything', () => {
    const text = renderOrganization({ ...org, myRole: null }, true);
    assert.match(text, /your role: +none \(platform operator\)/);
    assert.match(text, /change org roles/);
    assert.match(text, /invitations you may send: admin, moderator, member, guest/);
  });

  it('org show: a Guest may only see the organization', () => {
    const text = renderOrganization({ ...org, myRole: 'guest' }, false);
    assert.deepEqual(text.split('you may:\n')[1], '  see the organization');
  });

  it('the invitation link is printed alone on its line, once, saying it is shown only now', () => {
    const text = renderInvitationCreated({
      id: 'i1', email: 'dora@example.test', role: 'member', invitedBy: 'alice@solarco.example', createdAt: '2026-11-30T12:00:00Z',
      expiresAt: '2026-12-07T12:00:00Z', status: 'pending', token: 'pgi_x', link: 'https://cp.example.com/invite#pgi_x',
    });
    const lines = text.split('\n');
    assert.equal(lines.filter((l) => l.includes('#pgi_x')).length, 1);
    assert.ok(lines.includes('https://cp.example.com/invite#pgi_x'));
    assert.match(text, /shown only now/);
  });

  it('plant show: subnets with their mapped prefix, devices with their mapped address, the agent and whether it is connected', () => {
    const text = renderPlant(plant);
    assert.match(text, /agent: +agent-park-a: not connected \(last seen 2026-11-30T10:00:00Z\)/);
    assert.match(text, /192\.168\.1\.0\/24 +100\.80\.3\.0\/24 +1/);
    assert.match(text, /inverter-1 +192\.168\.1\.17 +100\.80\.3\.17 +192\.168\.1\.0\/24 +inverter +80,502/);
    assert.match(text, /old-logger +10\.9\.9\.9 +- \(in no subnet\)/);
    assert.match(text, /shared with: +WindServ/);
    assert.match(renderPlant({ ...plant, agent: { ...plant.agent!, connected: true } }), /agent-park-a: connected/);
    assert.match(renderPlant({ ...plant, agent: null, subnets: [], devicesList: [] }), /agent: +none enrolled[\s\S]*no subnets[\s\S]*no devices/);
  });

  it('plants: one row per plant with native → mapped prefixes', () => {
    const text = renderPlants([plant]);
    assert.match(text.split('\n')[1] as string, /^Park A +192\.168\.1\.0\/24 → 100\.80\.3\.0\/24 +2 +North +agent-park-a: not connected/);
    assert.equal(renderPlants([]), 'no plants');
  });

  it('a name with an escape sequence from the server is shown escaped, not obeyed (issue 7 item 10)', () => {
    const text = renderPlants([{ ...plant, name: 'Park\u001b[2J A' }]);
    assert.ok(!text.includes('\u001b'));
    assert.match(text, /Park\\u001b\[2J A/);
  });

  it('explain: the verdict, every step ✓/✗ in order, the routes, and a missing profile said out loud', () => {
    const e: AccessExplanation = {
      user: { id: 'u2', email: 'bob@solarco.example', name: 'Bob' },
      plant: { id: 'p1', name: 'Park A', organization: { id: 'o1', name: 'SolarCo' } },
      reaches: false,
      via: null,
      decisive: 'denied: viewer',
      steps: [
        { ok: true, text: 'Bob is a Member of SolarCo (not a Guest)' },
        { ok: false, text: 'Bob holds Viewer on Park A; Operator or Technical Manager is needed' },
      ],
      routes: [],
      hasActiveProfile: false,
    };
    const lines = renderExplanation(e).split('\n');
    assert.equal(lines[0], 'bob@solarco.example does NOT reach Park A (SolarCo)');
    assert.equal(lines[1], 'decided by: denied: viewer');
    assert.equal(lines[3], '  \u2713 Bob is a Member of SolarCo (not a Guest)');
    assert.equal(lines[4], '  \u2717 Bob holds Viewer on Park A; Operator or Technical Manager is needed');
    assert.ok(lines.includes('routes: none'));
    assert.match(lines.at(-1) as string, /no active personal VPN profile/);
    const granted = renderExplanation({ ...e, reaches: true, via: 'cooperation', decisive: 'granted: operator', hasActiveProfile: true, routes: [{ subnet: '192.168.1.0/24', mapped: '100.80.3.0/24', state: 'conflict' }] });
    assert.match(granted, /^bob@solarco\.example reaches Park A \(SolarCo\) through a cooperation/);
    assert.match(granted, /192\.168\.1\.0\/24 +100\.80\.3\.0\/24 +conflict/);
    assert.doesNotMatch(granted, /no active personal VPN profile/);
  });

  it('cooperations: the shares, and the partner\u2019s job roles listed for both sides', () => {
    const c: CooperationView = {
      id: 'c1', owner: { id: 'o1', name: 'SolarCo' }, partner: { id: 'o2', name: 'WindServ' }, side: 'owner',
      plants: [{ id: 'p1', name: 'Park A', subnets: [] }], portfolios: [{ id: 'f1', name: 'North', plants: [{ id: 'p2', name: 'Park B' }] }],
      createdAt: '2026-11-01T00:00:00Z', endedAt: null,
      jobRoles: [{ id: 'j9', user: { id: 'u5', email: 'carol@windserv.example', name: 'Carol' }, target: { kind: 'plant', id: 'p1', name: 'Park A' }, role: 'operator', cooperationId: 'c1' }],
    };
    const text = renderCooperations([c]);
    assert.match(text, /c1 +owner +SolarCo +WindServ +Park A +North \(Park B\) +1/);
    assert.match(text, /job roles within cooperation c1 \(SolarCo → WindServ\):\n +ID +USER[\s\S]*j9 +carol@windserv\.example +operator +plant Park A +c1/);
  });

  it('events: a page says how to get the next one', () => {
    const page = { events: [{ id: 17, at: '2026-11-30T12:00:00Z', kind: 'org.member-role', actor: 'alice@solarco.example', subject: 'bob@solarco.example', details: { role: 'admin', plants: ['a', 'b', 'c', 'd'] } }], nextBefore: 17 };
    const text = renderEvents(page);
    assert.match(text, /17 +2026-11-30T12:00:00Z +org\.member-role +alice@solarco\.example +bob@solarco\.example +role: admin; plants: a, b, c \(\+1\)/);
    assert.match(text, /older events: add --before 17$/);
    assert.doesNotMatch(renderEvents({ ...page, nextBefore: null }), /older/);
  });
});
