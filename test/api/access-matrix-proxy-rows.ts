import type { Principal, Row, World } from './access-matrix-suite.ts';

/**
 * Browser proxy rows of the access matrix (issue 12 items 1, 2, 5; SPEC O2, P4) on Park A of
 * SolarCo. Managing targets: the platform operator, SolarCo's Admin and Moderator (and the
 * plant's Operator job role in SolarCo — alice holds it through North too). Seeing the plant's
 * targets: the managers and whoever may reach the plant under P4 (alice; carol, the
 * cooperation's Operator). Opening: P4 only — alice and carol. Everyone else gets the 404 of a
 * target that does not exist (no existence leak: a missing target answers the same), and
 * otherOrg the 404 of a missing plant.
 */
const PLANT = '/plants/Park%20A/web-targets';
const MANAGES = ['operator', 'orgAdmin', 'moderator'];
const SEES = ['operator', 'orgAdmin', 'moderator', 'partner'];
const OPENS = ['orgAdmin', 'partner'];
const RELATED = ['operator', 'orgAdmin', 'moderator', 'partner', 'member', 'guest'];

const by = (allowed: string[], ok: number) => (p: Principal) => (allowed.includes(p) ? ok : RELATED.includes(p) ? 403 : 404);

const plantForeign = (suffix: string) => ({
  other: (_w: World, p: Principal) => ({ path: `/plants/${p === 'operator' ? 'No%20Such%20Park' : p === 'otherOrg' ? 'Park%20A' : 'Other%20Park'}/web-targets${suffix}` }),
  missing: () => ({ path: `/plants/No%20Such%20Park/web-targets${suffix}` }),
});

/** One target per managing principal, named after it. */
async function targetsFor(w: World, prefix: string): Promise<void> {
  for (const p of MANAGES) {
    const r = await w.op.post(`/api/v1${PLANT}`, { device: 'inverter-1', scheme: 'http', port: 80, name: `${prefix} ${p}` });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  }
}

const targetOf = (prefix: string, p: Principal) => `${PLANT}/${encodeURIComponent(`${prefix} ${MANAGES.includes(p) ? p : 'operator'}`)}`;

/** The target everyone tries to open (its host label in scratch). */
async function openable(w: World): Promise<void> {
  if (w.scratch['web-target']) return;
  const r = await w.op.post(`/api/v1${PLANT}`, { device: '192.168.1.17', scheme: 'https', name: 'Open Matrix' });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  w.scratch['web-target'] = r.body.target.host;
}

export const PROXY_ROWS: Record<string, Row> = {
  'GET /proxy': { access: 'user', call: () => ({ path: '/proxy' }), ok: 200 },
  'GET /plants/:id/web-targets': { access: 'user', setup: openable, call: () => ({ path: PLANT }), ok: by(SEES, 200), foreign: plantForeign('') },
  'POST /plants/:id/web-targets': {
    access: 'user',
    call: (_w, p) => ({ path: PLANT, body: { device: 'inverter-1', name: `Create ${p}` } }),
    ok: by(MANAGES, 201),
  },
  'PUT /plants/:id/web-targets/:target': {
    access: 'user',
    setup: (w) => targetsFor(w, 'Matrix'),
    call: (_w, p) => ({ path: targetOf('Matrix', p), body: { path: `/edited/${p}` } }),
    ok: by(MANAGES, 200),
    foreign: plantForeign('/Matrix%20operator'),
  },
  'DELETE /plants/:id/web-targets/:target': {
    access: 'user',
    setup: (w) => targetsFor(w, 'Doomed'),
    call: (_w, p) => ({ path: targetOf('Doomed', p) }),
    ok: by(MANAGES, 200),
  },
  'GET /web-targets': { access: 'user', call: () => ({ path: '/web-targets' }), ok: 200 },
  'POST /web-targets/:target/open': {
    access: 'user',
    setup: openable,
    call: (w) => ({ path: `/web-targets/${w.scratch['web-target']}/open` }),
    ok: (p) => (OPENS.includes(p) ? 201 : 404),
    // Refused callers: a target they may not open looks exactly like one that does not exist.
    missing: () => ({ path: '/web-targets/t-000000000000/open' }),
  },
};
