import { randomUUID } from 'node:crypto';
import type { Principal, Row, World } from './access-matrix-suite.ts';

/**
 * Organization self-service rows of the access matrix (issue 8). SolarCo: orgAdmin is its
 * Admin, moderator its Moderator, member a Member, guest a Guest; partner belongs to
 * WindServ (SolarCo's cooperation partner), otherOrg to OtherCo. Whoever may not even see
 * SolarCo gets the 404 of a missing organization; a known but forbidden action is a 403.
 * Changing rows act on a target of the caller's own (`Matrix <principal>`), so each
 * allowed principal's call succeeds on its own.
 */
const ORG = '/orgs/SolarCo';
const SEES = ['operator', 'orgAdmin', 'moderator', 'member', 'guest'];
const NOT_GUEST = ['operator', 'orgAdmin', 'moderator', 'member'];
const ADMIN_MODERATOR = ['operator', 'orgAdmin', 'moderator'];
const ADMIN = ['operator', 'orgAdmin'];

/** Status by the org permission table: allowed → ok, a member without the role → 403, not a member → 404. */
const by = (allowed: string[], ok: number) => (p: Principal) => (allowed.includes(p) ? ok : SEES.includes(p) ? 403 : 404);
const n = (p: Principal) => ({ operator: 1, orgAdmin: 2, moderator: 3 })[p as string] ?? 9;
const plantOf = (p: Principal) => `Matrix%20${p}`;
const cidrOf = (p: Principal) => `10.20${n(p)}.0.0/24`;

/** Another organization's resource looks exactly like a missing one (SPEC S2). */
const orgForeign = (suffix: string) => ({
  other: (_w: World, p: Principal) => ({ path: `/orgs/${p === 'otherOrg' ? 'SolarCo' : p === 'operator' ? 'NoSuchOrgAtAll' : 'OtherCo'}${suffix}` }),
  missing: () => ({ path: `/orgs/NoSuchOrgAtAll${suffix}` }),
});

async function addMembers(w: World, emails: string[]): Promise<void> {
  const document = {
    users: emails.map((email) => ({ email, name: email.split('@')[0], password: 'matrix-password' })),
    organizations: [{ name: 'SolarCo', members: emails.map((email) => ({ email, role: 'member' })) }],
  };
  const r = await w.op.post('/api/v1/admin/fleet', { document });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
}

export const ORG_ROWS: Record<string, Row> = {
  'GET /orgs': { access: 'user', call: () => ({ path: '/orgs' }), ok: 200 },
  'GET /orgs/:org': { access: 'user', call: () => ({ path: ORG }), ok: by(SEES, 200), foreign: orgForeign('') },
  'GET /orgs/:org/members': { access: 'user', call: () => ({ path: `${ORG}/members` }), ok: by(NOT_GUEST, 200), foreign: orgForeign('/members') },
  'PUT /orgs/:org/members/:user': {
    access: 'user',
    setup: (w) => addMembers(w, ['m-role@solarco.example']),
    call: () => ({ path: `${ORG}/members/m-role@solarco.example`, body: { role: 'member' } }),
    ok: by(ADMIN, 200),
  },
  'DELETE /orgs/:org/members/:user': {
    access: 'user',
    setup: (w) => addMembers(w, ['rm-operator@solarco.example', 'rm-orgadmin@solarco.example']),
    call: (_w, p) => ({ path: `${ORG}/members/rm-${p.toLowerCase()}@solarco.example` }),
    ok: by(ADMIN, 200),
  },
  'GET /orgs/:org/invitations': { access: 'user', call: () => ({ path: `${ORG}/invitations` }), ok: by(ADMIN_MODERATOR, 200) },
  'POST /orgs/:org/invitations': {
    access: 'user',
    call: (_w, p) => ({ path: `${ORG}/invitations`, body: { email: `inv-${p.toLowerCase()}@solarco.example`, role: 'member' } }),
    ok: by(ADMIN_MODERATOR, 201),
  },
  'DELETE /orgs/:org/invitations/:id': {
    access: 'user',
    setup: async (w) => {
      for (const p of ADMIN_MODERATOR) {
        w.scratch[`invitation-${p}`] = (await w.op.post(`/api/v1${ORG}/invitations`, { email: `rev-${p.toLowerCase()}@solarco.example`, role: 'guest' })).body.id;
      }
    },
    call: (w, p) => ({ path: `${ORG}/invitations/${w.scratch[`invitation-${p}`] ?? randomUUID()}` }),
    ok: by(ADMIN_MODERATOR, 204),
  },
  'POST /invitations/lookup': {
    access: 'public',
    setup: async (w) => {
      w.scratch.invitationToken = (await w.op.post(`/api/v1${ORG}/invitations`, { email: 'lookup@solarco.example', role: 'guest' })).body.token;
    },
    call: (w) => ({ path: '/invitations/lookup', body: { token: w.scratch.invitationToken } }),
    ok: 200,
  },
  // An unknown token: what each caller gets without a valid link (accepting is in org-self-service-suite.ts).
  'POST /invitations/accept': { access: 'public', call: () => ({ path: '/invitations/accept', body: { token: `pgi_${'A'.repeat(43)}`, password: 'matrix-password' } }), ok: 404 },

  'GET /orgs/:org/plants': { access: 'user', call: () => ({ path: `${ORG}/plants` }), ok: by(NOT_GUEST, 200), foreign: orgForeign('/plants') },
  'GET /orgs/:org/plants/:plant': {
    access: 'user',
    call: () => ({ path: `${ORG}/plants/Park%20A` }),
    ok: by(NOT_GUEST, 200),
    foreign: {
      // OtherCo's plant by its id, asked under SolarCo: as unknown as a made-up id.
      other: async (w) => ({ path: `${ORG}/plants/${[...(await w.server.ctx.fleet.current()).plants.values()].find((x) => x.name === 'Other Park')?.id}` }),
      missing: () => ({ path: `${ORG}/plants/${randomUUID()}` }),
    },
  },
  'POST /orgs/:org/plants': { access: 'user', call: (_w, p) => ({ path: `${ORG}/plants`, body: { name: `Matrix ${p}`, subnets: [] } }), ok: by(ADMIN_MODERATOR, 201) },
  'POST /orgs/:org/plants/:plant/subnets': {
    access: 'user',
    call: (_w, p) => ({ path: `${ORG}/plants/${plantOf(p)}/subnets`, body: { cidr: cidrOf(p) } }),
    ok: by(ADMIN_MODERATOR, 201),
  },
  'POST /orgs/:org/plants/:plant/devices': {
    access: 'user',
    call: (_w, p) => ({ path: `${ORG}/plants/${plantOf(p)}/devices`, body: { name: 'matrix-device', ip: `10.20${n(p)}.0.5` } }),
    ok: by(ADMIN_MODERATOR, 201),
  },
  'PUT /orgs/:org/plants/:plant/devices/:device': {
    access: 'user',
    call: (_w, p) => ({ path: `${ORG}/plants/${plantOf(p)}/devices/matrix-device`, body: { name: 'matrix-device', ip: `10.20${n(p)}.0.6` } }),
    ok: by(ADMIN_MODERATOR, 200),
  },
  'DELETE /orgs/:org/plants/:plant/devices/:device': {
    access: 'user',
    call: (_w, p) => ({ path: `${ORG}/plants/${plantOf(p)}/devices/matrix-device` }),
    ok: by(ADMIN_MODERATOR, 200),
  },
  'DELETE /orgs/:org/plants/:plant/subnets/:subnet': {
    access: 'user',
    call: (_w, p) => ({ path: `${ORG}/plants/${plantOf(p)}/subnets/${encodeURIComponent(cidrOf(p))}` }),
    ok: by(ADMIN_MODERATOR, 200),
  },
  'PUT /orgs/:org/plants/:plant': { access: 'user', call: (_w, p) => ({ path: `${ORG}/plants/${plantOf(p)}`, body: { name: `Matrix ${p}` } }), ok: by(ADMIN_MODERATOR, 200) },
  'DELETE /orgs/:org/plants/:plant': { access: 'user', call: (_w, p) => ({ path: `${ORG}/plants/${plantOf(p)}` }), ok: by(ADMIN, 200) },

  'GET /orgs/:org/portfolios': { access: 'user', call: () => ({ path: `${ORG}/portfolios` }), ok: by(NOT_GUEST, 200), foreign: orgForeign('/portfolios') },
  'POST /orgs/:org/portfolios': { access: 'user', call: (_w, p) => ({ path: `${ORG}/portfolios`, body: { name: `Matrix ${p}`, plants: ['Park D'] } }), ok: by(ADMIN_MODERATOR, 201) },
  'PUT /orgs/:org/portfolios/:portfolio': {
    access: 'user',
    call: (_w, p) => ({ path: `${ORG}/portfolios/${plantOf(p)}`, body: { name: `Matrix ${p}`, plants: ['Park A', 'Park D'] } }),
    ok: by(ADMIN_MODERATOR, 200),
  },
  'DELETE /orgs/:org/portfolios/:portfolio': { access: 'user', call: (_w, p) => ({ path: `${ORG}/portfolios/${plantOf(p)}` }), ok: by(ADMIN_MODERATOR, 200) },

  'GET /orgs/:org/job-roles': { access: 'user', call: () => ({ path: `${ORG}/job-roles` }), ok: by(ADMIN_MODERATOR, 200), foreign: orgForeign('/job-roles') },
  'POST /orgs/:org/job-roles': {
    access: 'user',
    call: () => ({ path: `${ORG}/job-roles`, body: { user: 'bob@solarco.example', plant: 'Park D', role: 'viewer' } }),
    ok: by(ADMIN_MODERATOR, 201),
  },
  'DELETE /orgs/:org/job-roles/:id': {
    access: 'user',
    setup: async (w) => {
      const emails = ADMIN_MODERATOR.map((p) => `jr-${p.toLowerCase()}@solarco.example`);
      await addMembers(w, emails);
      for (const user of emails) await w.op.post(`/api/v1${ORG}/job-roles`, { user, plant: 'Park D', role: 'viewer' });
      const listed = (await w.op.get(`/api/v1${ORG}/job-roles`)).body as Array<{ id: string; user: { email: string } }>;
      for (const p of ADMIN_MODERATOR) w.scratch[`jobRole-${p}`] = listed.find((j) => j.user.email === `jr-${p.toLowerCase()}@solarco.example`)?.id as string;
    },
    call: (w, p) => ({ path: `${ORG}/job-roles/${w.scratch[`jobRole-${p}`] ?? randomUUID()}` }),
    ok: by(ADMIN_MODERATOR, 200),
  },

  'GET /orgs/:org/cooperations': { access: 'user', call: () => ({ path: `${ORG}/cooperations` }), ok: by(ADMIN_MODERATOR, 200), foreign: orgForeign('/cooperations') },
  'POST /orgs/:org/cooperations': {
    access: 'user',
    setup: async (w) => {
      const r = await w.op.post('/api/v1/admin/fleet', { document: { organizations: ADMIN.map((p) => ({ name: `MatrixPartner ${p}` })) } });
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
    },
    call: (_w, p) => ({ path: `${ORG}/cooperations`, body: { partner: `MatrixPartner ${p}`, plants: ['Park D'] } }),
    ok: by(ADMIN, 201),
  },
  'PUT /orgs/:org/cooperations/:id': {
    access: 'user',
    setup: async (w) => {
      const coops = (await w.op.get(`/api/v1${ORG}/cooperations`)).body as Array<{ id: string; partner: { name: string } }>;
      for (const c of coops) w.scratch[`coop-${c.partner.name}`] = c.id;
    },
    call: (w, p) => ({ path: `${ORG}/cooperations/${w.scratch[`coop-MatrixPartner ${p}`] ?? randomUUID()}`, body: { plants: ['Park D', 'Park C'] } }),
    ok: by(ADMIN, 200),
  },
  'POST /orgs/:org/cooperations/:id/end': {
    access: 'user',
    call: (w, p) => ({ path: `${ORG}/cooperations/${w.scratch[`coop-MatrixPartner ${p}`] ?? randomUUID()}/end` }),
    ok: by(ADMIN, 200),
  },
  // The partner side: `:org` is WindServ, where `partner` is a Member (the assigning Admin's tests are in org-self-service-suite.ts).
  'POST /orgs/:org/cooperations/:id/job-roles': {
    access: 'user',
    call: (w) => ({ path: `/orgs/WindServ/cooperations/${w.scratch['coop-WindServ']}/job-roles`, body: { user: 'carol@windserv.example', plant: 'Park A', role: 'operator' } }),
    ok: (p) => (p === 'operator' ? 201 : p === 'partner' ? 403 : 404),
  },
  'DELETE /orgs/:org/cooperations/:id/job-roles/:jobRole': {
    access: 'user',
    setup: async (w) => {
      const coop = ((await w.op.get(`/api/v1${ORG}/cooperations`)).body as Array<{ id: string; jobRoles: Array<{ id: string }> }>).find((c) => c.id === w.scratch['coop-WindServ']);
      w.scratch.coopJobRole = coop?.jobRoles[0]?.id as string;
    },
    call: (w) => ({ path: `/orgs/WindServ/cooperations/${w.scratch['coop-WindServ']}/job-roles/${w.scratch.coopJobRole}` }),
    ok: (p) => (p === 'operator' ? 200 : p === 'partner' ? 403 : 404),
  },

  'GET /orgs/:org/explain': {
    access: 'user',
    call: () => ({ path: `${ORG}/explain?user=bob@solarco.example&plant=Park%20A` }),
    ok: by(ADMIN_MODERATOR, 200),
    foreign: orgForeign('/explain?user=bob@solarco.example&plant=Park%20A'),
  },
  'GET /orgs/:org/events': { access: 'user', call: () => ({ path: `${ORG}/events` }), ok: by(ADMIN_MODERATOR, 200), foreign: orgForeign('/events') },
};
