import type { Principal, Row, World } from './access-matrix-suite.ts';

/**
 * Organization VPN rows of the access matrix (issue 12, SPEC O1), on SolarCo: Admins and
 * Moderators (and platform operators) manage, Members see, a Guest gets 403, anyone outside
 * the organization the 404 of a missing organization (SPEC S2).
 */
const VPNS = '/orgs/SolarCo/org-vpns';
const SEES_ORG = ['operator', 'orgAdmin', 'moderator', 'member', 'guest'];
const VIEWS = ['operator', 'orgAdmin', 'moderator', 'member'];
const MANAGES = ['operator', 'orgAdmin', 'moderator'];

const by = (allowed: string[], ok: number) => (p: Principal) => (allowed.includes(p) ? ok : SEES_ORG.includes(p) ? 403 : 404);
const own = (p: Principal) => (MANAGES.includes(p) ? p : 'operator');
const vpn = (name: string) => `${VPNS}/${encodeURIComponent(name)}`;

const foreign = (suffix: string) => ({
  other: (_w: World, p: Principal) => ({ path: `/orgs/${p === 'otherOrg' ? 'SolarCo' : p === 'operator' ? 'NoSuchOrgAtAll' : 'OtherCo'}/org-vpns${suffix}` }),
  missing: () => ({ path: `/orgs/NoSuchOrgAtAll/org-vpns${suffix}` }),
});

async function must(r: Promise<{ status: number; body: unknown }>): Promise<void> {
  const done = await r;
  if (done.status !== 201 && done.status !== 200) throw new Error(JSON.stringify(done.body));
}

/** One shared VPN with a client per managing principal to remove, and per principal a VPN to edit, one to delete, one holding Park C. */
async function vpns(w: World): Promise<void> {
  await must(w.op.post(`/api/v1${VPNS}`, { name: 'Matrix VPN', region: 'eu-central', plants: ['Park A'] }));
  await must(w.op.post(`/api/v1${vpn('Matrix VPN')}/clients`, { name: 'watched', kind: 'device' }));
  for (const p of MANAGES) {
    await must(w.op.post(`/api/v1${vpn('Matrix VPN')}/clients`, { name: `doomed ${p}`, kind: 'device' }));
    await must(w.op.post(`/api/v1${VPNS}`, { name: `Edit ${p}`, region: 'eu-central' }));
    await must(w.op.post(`/api/v1${VPNS}`, { name: `Doomed ${p}`, region: 'eu-central' }));
    await must(w.op.post(`/api/v1${VPNS}`, { name: `Plants ${p}`, region: 'eu-central', plants: ['Park C'] }));
  }
}

export const ORG_VPN_ROWS: Record<string, Row> = {
  'GET /orgs/:org/org-vpns': { access: 'user', call: () => ({ path: VPNS }), ok: by(VIEWS, 200), foreign: foreign('') },
  'POST /orgs/:org/org-vpns': {
    access: 'user',
    call: (_w, p) => ({ path: VPNS, body: { name: `Create ${p}`, region: 'eu-central' } }),
    ok: by(MANAGES, 201),
  },
  'GET /orgs/:org/org-vpns/:vpn': { access: 'user', setup: vpns, call: () => ({ path: vpn('Matrix VPN') }), ok: by(VIEWS, 200), foreign: foreign('/Matrix%20VPN') },
  'PUT /orgs/:org/org-vpns/:vpn': {
    access: 'user',
    call: (_w, p) => ({ path: vpn(`Edit ${own(p)}`), body: { name: `Edit ${own(p)}` } }),
    ok: by(MANAGES, 200),
  },
  'DELETE /orgs/:org/org-vpns/:vpn': { access: 'user', call: (_w, p) => ({ path: vpn(`Doomed ${own(p)}`) }), ok: by(MANAGES, 200) },
  'POST /orgs/:org/org-vpns/:vpn/plants': {
    access: 'user',
    call: (_w, p) => ({ path: `${vpn(`Edit ${own(p)}`)}/plants`, body: { plant: 'Park B' } }),
    ok: by(MANAGES, 200),
  },
  'DELETE /orgs/:org/org-vpns/:vpn/plants/:plant': {
    access: 'user',
    call: (_w, p) => ({ path: `${vpn(`Plants ${own(p)}`)}/plants/Park%20C` }),
    ok: by(MANAGES, 200),
  },
  'GET /orgs/:org/org-vpns/:vpn/clients': {
    access: 'user',
    call: () => ({ path: `${vpn('Matrix VPN')}/clients` }),
    ok: by(VIEWS, 200),
    foreign: foreign('/Matrix%20VPN/clients'),
  },
  'POST /orgs/:org/org-vpns/:vpn/clients': {
    access: 'user',
    call: (_w, p) => ({ path: `${vpn('Matrix VPN')}/clients`, body: { name: `device ${p}`, kind: 'device' } }),
    ok: by(MANAGES, 201),
  },
  'DELETE /orgs/:org/org-vpns/:vpn/clients/:client': {
    access: 'user',
    call: (_w, p) => ({ path: `${vpn('Matrix VPN')}/clients/${encodeURIComponent(`doomed ${own(p)}`)}` }),
    ok: by(MANAGES, 200),
  },
  'GET /orgs/:org/org-vpns/:vpn/clients/:client/sessions': {
    access: 'user',
    call: () => ({ path: `${vpn('Matrix VPN')}/clients/watched/sessions` }),
    ok: by(VIEWS, 200),
    foreign: foreign('/Matrix%20VPN/clients/watched/sessions'),
  },
};
