import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { DEFAULT_GUARD_LIMITS } from '../../src/server/features/auth/attempt-guard.ts';
import { mintToken } from '../../src/server/features/auth/tokens.ts';
import { allRoutes } from '../../src/server/http/app.ts';
import { type RunningServer, startServer } from '../../src/server/main.ts';
import { OPERATOR, http, login } from '../support/server.ts';
import { AUDIT_ROWS } from './access-matrix-audit-rows.ts';
import { DIRECT_VPN_ROWS } from './access-matrix-direct-vpn-rows.ts';
import { OPS_ROWS } from './access-matrix-ops-rows.ts';
import { PROXY_ROWS } from './access-matrix-proxy-rows.ts';
import { ORG_ROWS } from './access-matrix-org-rows.ts';
import { ORG_VPN_ROWS } from './access-matrix-org-vpn-rows.ts';
import { baseFleet } from './fleet-fixture.ts';

/**
 * Role × endpoint × verb: every registered route, called by every kind of caller, with
 * the status each must get — and a refusal must not tell whether the target exists
 * (missing and forbidden targets get the same status and body). A route without a row
 * fails this test: a new endpoint needs its row here.
 */

export type Principal = 'anonymous' | 'operator' | 'orgAdmin' | 'moderator' | 'member' | 'guest' | 'partner' | 'otherOrg' | 'disabled' | 'gateway' | 'agent';
const USERS = ['operator', 'orgAdmin', 'moderator', 'member', 'guest', 'partner', 'otherOrg'] as const;
type UserPrincipal = (typeof USERS)[number];
const PRINCIPALS: Principal[] = [...USERS, 'anonymous', 'disabled', 'gateway', 'agent'];
const EMAIL: Record<UserPrincipal | 'disabled', string> = {
  operator: OPERATOR.email,
  orgAdmin: 'alice@solarco.example',
  moderator: 'mona@solarco.example',
  member: 'bob@solarco.example',
  guest: 'gus@solarco.example',
  partner: 'carol@windserv.example',
  otherOrg: 'otto@otherco.example',
  disabled: 'dora@solarco.example',
};

/** Who a route is for, as this table states it (independently of the route's own declaration). */
type Access = 'public' | 'user' | 'operator' | 'gateway' | 'agent';

export type Req = { path: string; body?: unknown };
export type World = {
  url: string;
  server: RunningServer;
  op: ReturnType<typeof http>;
  gateway: { id: string; credential: string };
  spareGateway: { id: string; credential: string };
  agent: { id: string; credential: string };
  spareAgent: { id: string; credential: string };
  scratch: Record<string, string>;
};
export type Row = {
  access: Access;
  /** The request a principal makes (its own resource where it has one). */
  call: (w: World, p: Principal) => Req | Promise<Req>;
  /** Status for the principals the route is for. */
  ok: number | ((p: Principal) => number);
  /** A target that does not exist: refused callers must get the same answer as for `call`'s target. */
  missing?: (w: World, p: Principal) => Req;
  /** For the route's own callers: someone else's resource vs a missing one must look the same. */
  foreign?: { other: (w: World, p: Principal) => Req | Promise<Req>; missing: (w: World, p: Principal) => Req };
  setup?: (w: World) => Promise<void>;
};

const key = () => generateWireGuardKeyPair().publicKey;
const MISSING_USER = 'nobody@nowhere.example';
const statusReport = { appliedRevision: 0, version: 'matrix', peers: [], lastError: null };

export const MATRIX: Record<string, Row> = {
  // ---- no login ---------------------------------------------------------------
  'POST /auth/login': { access: 'public', call: () => ({ path: '/auth/login', body: { email: 'pat@solarco.example', password: 'pat-password' } }), ok: 200 },
  'POST /auth/password': { access: 'public', call: () => ({ path: '/auth/password', body: {} }), ok: 400 },
  'POST /enrol': { access: 'public', call: () => ({ path: '/enrol', body: { token: `pge_${'A'.repeat(12)}_${'B'.repeat(43)}` } }), ok: 401 },

  // ---- any logged-in user, on their own things ------------------------------------
  'GET /me': { access: 'user', call: () => ({ path: '/me' }), ok: 200 },
  'POST /auth/logout': { access: 'user', call: () => ({ path: '/auth/logout' }), ok: 204 },
  'POST /me/totp': { access: 'user', call: () => ({ path: '/me/totp' }), ok: 201 },
  'POST /me/totp/confirm': { access: 'user', call: () => ({ path: '/me/totp/confirm', body: { code: '000000' } }), ok: 400 },
  'POST /me/totp/disable': { access: 'user', call: () => ({ path: '/me/totp/disable', body: { code: '000000' } }), ok: 400 },
  'GET /tokens': { access: 'user', call: () => ({ path: '/tokens' }), ok: 200 },
  'POST /tokens': { access: 'user', call: () => ({ path: '/tokens', body: { name: 'matrix' } }), ok: 201 },
  'DELETE /tokens/:id': {
    access: 'user',
    call: async (w, p) => ({ path: `/tokens/${USERS.includes(p as UserPrincipal) ? await tokenIdOf(w, p as UserPrincipal) : 'AAAAAAAAAAAA'}` }),
    ok: 204,
    missing: () => ({ path: '/tokens/AAAAAAAAAAAA' }),
    // Someone else's token id is answered like an unknown one.
    foreign: {
      other: async (w, p) => ({ path: `/tokens/${await tokenIdOf(w, p === 'operator' ? 'member' : 'operator')}` }),
      missing: () => ({ path: '/tokens/AAAAAAAAAAAA' }),
    },
  },
  'POST /vpn/profile': { access: 'user', call: () => ({ path: '/vpn/profile', body: { publicKey: key() } }), ok: 201 },
  'POST /vpn/profile/rotate': { access: 'user', call: () => ({ path: '/vpn/profile/rotate', body: { publicKey: key() } }), ok: 200 },
  'GET /vpn/profile': { access: 'user', call: () => ({ path: '/vpn/profile' }), ok: 200 },
  'GET /vpn/profile/status': { access: 'user', call: () => ({ path: '/vpn/profile/status' }), ok: 200 },
  'GET /vpn/profile/changes': { access: 'user', call: () => ({ path: '/vpn/profile/changes?after=0&wait=0' }), ok: 200 },
  'GET /vpn/routes': { access: 'user', call: () => ({ path: '/vpn/routes' }), ok: 200 },
  // P7: the caller's own sessions only (there is no path to anyone else's; test/api/vpn-sessions.test.ts checks the content).
  'GET /vpn/sessions': { access: 'user', call: () => ({ path: '/vpn/sessions' }), ok: 200 },
  // P4: only Alice (Technical Manager on Park B, org Admin) has a route to Park B; to everyone else it does not exist.
  'PUT /vpn/routes/priority': {
    access: 'user',
    call: () => ({ path: '/vpn/routes/priority', body: { plant: 'Park B', subnet: '192.168.1.0/24' } }),
    ok: (p) => (p === 'orgAdmin' ? 200 : 404),
  },
  'PUT /vpn/routes/disabled': {
    access: 'user',
    call: () => ({ path: '/vpn/routes/disabled', body: { plant: 'Park B', subnet: '192.168.1.0/24' } }),
    ok: (p) => (p === 'orgAdmin' ? 200 : 404),
  },
  'PUT /vpn/routes/enabled': {
    access: 'user',
    call: () => ({ path: '/vpn/routes/enabled', body: { plant: 'Park B', subnet: '192.168.1.0/24' } }),
    ok: (p) => (p === 'orgAdmin' ? 200 : 404),
  },
  'POST /vpn/profile/revoke': { access: 'user', call: () => ({ path: '/vpn/profile/revoke' }), ok: 200 },

  // ---- platform operators -------------------------------------------------------
  'GET /admin/fleet': { access: 'operator', call: () => ({ path: '/admin/fleet' }), ok: 200 },
  'POST /admin/fleet': { access: 'operator', call: () => ({ path: '/admin/fleet', body: { document: matrixFleet(), dryRun: true } }), ok: 200 },
  'GET /admin/regions': { access: 'operator', call: () => ({ path: '/admin/regions' }), ok: 200 },
  'POST /admin/regions': {
    access: 'operator',
    call: () => ({ path: '/admin/regions', body: { name: 'matrix-new', endpoint: 'vpn2.example.test:51820' } }),
    ok: 201,
  },
  'DELETE /admin/regions/:name': {
    access: 'operator',
    call: () => ({ path: '/admin/regions/matrix-new' }),
    ok: 204,
    missing: () => ({ path: '/admin/regions/no-such-region' }),
  },
  // Issue 11: drain is idempotent; the matrix undrains afterwards so nothing else sees a drained region.
  'POST /admin/regions/:name/drain': {
    access: 'operator',
    call: () => ({ path: '/admin/regions/eu-central/drain' }),
    ok: 200,
    missing: () => ({ path: '/admin/regions/no-such-region/drain' }),
  },
  'POST /admin/regions/:name/undrain': {
    access: 'operator',
    call: () => ({ path: '/admin/regions/eu-central/undrain' }),
    ok: 200,
    missing: () => ({ path: '/admin/regions/no-such-region/undrain' }),
  },
  // For load balancers: no login; the matrix's gateway never reported, so the region is not healthy (503).
  'GET /regions/:name/health': { access: 'public', call: () => ({ path: '/regions/eu-central/health' }), ok: 503 },
  'GET /admin/regions/:name/state': {
    access: 'operator',
    call: () => ({ path: '/admin/regions/eu-central/state' }),
    ok: 200,
    missing: () => ({ path: '/admin/regions/no-such-region/state' }),
  },
  'GET /admin/routes': {
    access: 'operator',
    call: () => ({ path: '/admin/routes?user=alice@solarco.example' }),
    ok: 200,
    missing: () => ({ path: `/admin/routes?user=${MISSING_USER}` }),
  },
  'GET /admin/events': { access: 'operator', call: () => ({ path: '/admin/events' }), ok: 200 },
  'GET /admin/events/page': { access: 'operator', call: () => ({ path: '/admin/events/page?kind=user&limit=5' }), ok: 200 },
  'POST /admin/gateways/enrolments': { access: 'operator', call: () => ({ path: '/admin/gateways/enrolments', body: { region: 'eu-central' } }), ok: 201 },
  'POST /admin/agents/enrolments': { access: 'operator', call: () => ({ path: '/admin/agents/enrolments', body: { plant: 'SolarCo/Park B' } }), ok: 201 },
  'GET /admin/gateways': { access: 'operator', call: () => ({ path: '/admin/gateways' }), ok: 200 },
  'GET /admin/agents': { access: 'operator', call: () => ({ path: '/admin/agents' }), ok: 200 },
  'DELETE /admin/gateways/:id': {
    access: 'operator',
    setup: async (w) => {
      w.scratch.gateway = (await enrol(w, 'gateway', 'eu-central')).id;
    },
    call: (w) => ({ path: `/admin/gateways/${w.scratch.gateway}` }),
    ok: 204,
    missing: () => ({ path: `/admin/gateways/${randomUUID()}` }),
  },
  'DELETE /admin/agents/:id': {
    access: 'operator',
    setup: async (w) => {
      w.scratch.agent = (await enrol(w, 'agent', 'SolarCo/Park D')).id;
    },
    call: (w) => ({ path: `/admin/agents/${w.scratch.agent}` }),
    ok: 204,
    missing: () => ({ path: `/admin/agents/${randomUUID()}` }),
  },
  'GET /admin/enrolments': { access: 'operator', call: () => ({ path: '/admin/enrolments' }), ok: 200 },
  'DELETE /admin/enrolments/:id': {
    access: 'operator',
    setup: async (w) => {
      w.scratch.enrolment = (await w.op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body.id;
    },
    call: (w) => ({ path: `/admin/enrolments/${w.scratch.enrolment}` }),
    ok: 204,
    missing: () => ({ path: '/admin/enrolments/AAAAAAAAAAAA' }),
  },
  'GET /admin/users': { access: 'operator', call: () => ({ path: '/admin/users' }), ok: 200 },
  'POST /admin/users/:user/disable': userRow('victim@solarco.example', '/disable', 204),
  'POST /admin/users/:user/enable': userRow('victim@solarco.example', '/enable', 204),
  'POST /admin/users/:user/password': userRow('victim@solarco.example', '/password', 200, {}),
  'POST /admin/users/:user/totp/reset': {
    ...userRow('victim@solarco.example', '/totp/reset', 204),
    setup: async (w) => {
      await w.server.ctx.store.db.updateTable('users').set({ totp_enabled: 1, totp_secret: 'sealed' }).where('email', '=', 'victim@solarco.example').execute();
    },
  },
  'POST /admin/users/:user/profile/revoke': {
    ...userRow('holder@solarco.example', '/profile/revoke', 200),
    setup: async (w) => {
      const holder = http(w.url, await login(w.url, 'holder@solarco.example', 'holder-password'));
      assert.equal((await holder.post('/api/v1/vpn/profile', { publicKey: key() })).status, 201);
    },
  },
  'PUT /admin/users/:user/operator': userRow('victim@solarco.example', '/operator', 204),
  'DELETE /admin/users/:user/operator': userRow('victim@solarco.example', '/operator', 204),
  'DELETE /admin/users/:user': userRow('doomed@solarco.example', '', 204),

  // ---- gateways and agents, each only as itself ------------------------------------
  'POST /gateways/:id/register': daemonRow('gateway', '/register', 200, () => ({ sitePublicKey: key(), siteEndpoint: '198.51.100.7:51821' })),
  'GET /gateways/:id/secrets': daemonRow('gateway', '/secrets', 200),
  'GET /gateways/:id/openvpn': daemonRow('gateway', '/openvpn', 200),
  'GET /gateways/:id/state': daemonRow('gateway', '/state', 200),
  'POST /gateways/:id/status': daemonRow('gateway', '/status', 204, () => statusReport),
  'POST /agents/:id/register': daemonRow('agent', '/register', 200, () => ({ publicKey: key() })),
  'GET /agents/:id/state': daemonRow('agent', '/state', 200),
  'POST /agents/:id/status': daemonRow('agent', '/status', 204, () => statusReport),

  // ---- organization self-service: judged by the org permission table ------------------
  ...ORG_ROWS,

  // ---- audit trail (issue 10): Admins and Moderators of the plant's organization only ---
  ...AUDIT_ROWS,

  // ---- direct plant VPNs (issue 9): the plant permission table (SPEC D10) ---------------
  ...DIRECT_VPN_ROWS,
  ...OPS_ROWS,

  // ---- browser proxy (issue 12): targets by the plant permission table, opening by SPEC P4 --
  ...PROXY_ROWS,
  // ---- organization VPNs (issue 12, SPEC O1): Admin/Moderator manage, Members see --------
  ...ORG_VPN_ROWS,
};

function userRow(target: string, suffix: string, ok: number, body?: unknown): Row {
  return {
    access: 'operator',
    call: () => ({ path: `/admin/users/${target}${suffix}`, ...(body !== undefined ? { body } : {}) }),
    ok,
    missing: () => ({ path: `/admin/users/${MISSING_USER}${suffix}`, ...(body !== undefined ? { body } : {}) }),
  };
}

function daemonRow(kind: 'gateway' | 'agent', suffix: string, ok: number, body?: () => unknown): Row {
  const own = (w: World) => (kind === 'gateway' ? w.gateway : w.agent);
  const spare = (w: World) => (kind === 'gateway' ? w.spareGateway : w.spareAgent);
  const req = (id: string): Req => ({ path: `/${kind}s/${id}${suffix}`, ...(body ? { body: body() } : {}) });
  return {
    access: kind,
    call: (w) => req(own(w).id),
    ok,
    missing: () => req(randomUUID()),
    // Another daemon's id and an unknown id look the same to a daemon.
    foreign: { other: (w) => req(spare(w).id), missing: () => req(randomUUID()) },
  };
}

/** What a principal must get from a route, by the table's access column. */
function expected(row: Row, p: Principal): number {
  const ok = typeof row.ok === 'number' ? row.ok : row.ok(p);
  switch (row.access) {
    case 'public':
      return ok;
    case 'user':
      return USERS.includes(p as UserPrincipal) ? ok : 401;
    case 'operator':
      return p === 'operator' ? ok : USERS.includes(p as UserPrincipal) ? 403 : 401;
    case 'gateway':
    case 'agent':
      return p === row.access ? ok : p === 'gateway' || p === 'agent' ? 403 : 401;
  }
}

function matrixFleet() {
  const fleet = baseFleet();
  const extra = ['mona', 'otto', 'dora', 'victim', 'doomed', 'holder', 'pat'];
  fleet.users.push(...extra.map((n) => ({ email: `${n}@${n === 'otto' ? 'otherco' : 'solarco'}.example`, name: n, password: `${n}-password` })));
  const solarco = fleet.organizations[0]!;
  solarco.members.push({ email: 'mona@solarco.example', role: 'moderator' }, { email: 'dora@solarco.example', role: 'member' });
  solarco.plants.push({ name: 'Park D', subnets: ['10.40.0.0/24'], devices: [] });
  solarco.jobRoles.push(
    { user: 'mona@solarco.example', plant: 'Park C', role: 'operator' },
    { user: 'dora@solarco.example', plant: 'Park C', role: 'operator' },
  );
  fleet.organizations.push({
    name: 'OtherCo',
    members: [{ email: 'otto@otherco.example', role: 'admin' }],
    portfolios: [],
    plants: [{ name: 'Other Park', subnets: ['10.60.0.0/24'], devices: [] }],
    jobRoles: [{ user: 'otto@otherco.example', plant: 'Other Park', role: 'operator' }],
    cooperations: [],
  });
  return fleet;
}

// ---- world ---------------------------------------------------------------------------

async function enrol(w: World, kind: 'gateway' | 'agent', target: string): Promise<{ id: string; credential: string }> {
  const created = await w.op.post(`/api/v1/admin/${kind}s/enrolments`, kind === 'gateway' ? { region: target } : { plant: target });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const enrolled = await http(w.url).post('/api/v1/enrol', { token: created.body.token });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  return { id: enrolled.body.id, credential: enrolled.body.credential };
}

/** A fresh token for a principal per call (a call may log out or revoke the one it used). */
async function credentialOf(w: World, p: Principal): Promise<string | undefined> {
  if (p === 'anonymous') return undefined;
  if (p === 'gateway') return w.gateway.credential;
  if (p === 'agent') return w.agent.credential;
  const user = await w.server.ctx.store.db.selectFrom('users').select('id').where('email', '=', EMAIL[p]).executeTakeFirstOrThrow();
  const minted = mintToken();
  await w.server.ctx.store.db
    .insertInto('api_tokens')
    .values({
      id: minted.id,
      user_id: user.id,
      name: 'matrix',
      kind: 'personal',
      secret_hash: minted.secretHash,
      created_at: new Date().toISOString(),
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
  return minted.token;
}

async function tokenIdOf(w: World, p: UserPrincipal): Promise<string> {
  const token = (await credentialOf(w, p)) as string;
  return token.slice(4, 16);
}

async function send(w: World, p: Principal, method: string, req: Req) {
  const token = await credentialOf(w, p);
  const response = await fetch(`${w.url}/api/v1${req.path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
  });
  const text = await response.text();
  return { status: response.status, text };
}

/** The answer with the identifier the caller itself sent blanked out (echoing it back reveals nothing). */
function shape(r: { status: number; text: string }, req: Req): string {
  const id = req.path
    .split('?')[0]
    ?.split('/')
    .filter((s) => s.length >= 8 || s.includes('@') || s.includes('-'))
    .join('|');
  const text = id ? r.text.replace(new RegExp(id.replace(/[.*+?^${}()[\]\\]/g, '\\$&').replace(/\\\|/g, '|'), 'g'), '<target>') : r.text;
  return `${r.status} ${text}`;
}

/** The matrix on one storage engine (`database`: undefined = SQLite in the data dir). */
export function accessMatrix(engine: string, database: () => Promise<string | undefined>): void {
  describe(`access matrix on ${engine}: every route × every principal (issue 7, Tests)`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantgate-matrix-'));
    let w: World;

    before(async () => {
      // The matrix makes many failed TOTP checks from one address on purpose: lift the source limit.
      const limits = { ...DEFAULT_GUARD_LIMITS, source: { ...DEFAULT_GUARD_LIMITS.source, freeFailures: 10_000, lockAfter: 20_000 } };
      const server = await startServer(
        {
          listen: '127.0.0.1:0',
          dataDir,
          database: await database(),
          adminEmail: OPERATOR.email,
          adminPassword: OPERATOR.password,
          quiet: true,
          authLimits: limits,
          proxyDomain: 'proxy.matrix.test',
        },
        () => undefined,
      );
      const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      assert.equal((await op.post('/api/v1/admin/fleet', { document: matrixFleet() })).status, 200);
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
      w = { url: server.url, server, op } as World;
      w.scratch = {};
      w.gateway = await enrol(w, 'gateway', 'eu-central');
      w.spareGateway = await enrol(w, 'gateway', 'eu-central');
      w.agent = await enrol(w, 'agent', 'SolarCo/Park A');
      w.spareAgent = await enrol(w, 'agent', 'SolarCo/Park C');
      assert.equal((await op.post(`/api/v1/admin/users/${EMAIL.disabled}/disable`)).status, 204);
    });
    after(async () => {
      await w?.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('every registered route has a row, and every row a route', () => {
      const registered = allRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
      assert.deepEqual(
        registered.filter((k) => !MATRIX[k]),
        [],
        'routes without a row in test/api/access-matrix-suite.ts: add one (who may call it, with what status)',
      );
      assert.deepEqual(
        Object.keys(MATRIX).filter((k) => !registered.includes(k)),
        [],
        'rows for routes that no longer exist',
      );
    });

    it('each principal gets the status its row says; refusals look the same for missing and existing targets', async () => {
      const failures: string[] = [];
      let cells = 0;
      for (const [name, row] of Object.entries(MATRIX)) {
        const method = name.split(' ')[0] as string;
        await row.setup?.(w);
        const allowed = PRINCIPALS.filter((p) => expected(row, p) === (typeof row.ok === 'number' ? row.ok : row.ok(p)) && row.access !== 'public');
        const order = row.access === 'public' ? PRINCIPALS : [...PRINCIPALS.filter((p) => !allowed.includes(p)), ...allowed];
        for (const p of order) {
          const req = await row.call(w, p);
          const want = expected(row, p);
          const got = await send(w, p, method, req);
          cells++;
          if (got.status !== want) failures.push(`${name} as ${p}: ${got.status}, expected ${want} (${got.text.slice(0, 160)})`);
          const refused = !allowed.includes(p) && row.access !== 'public';
          if (refused && row.missing) {
            const missingReq = row.missing(w, p);
            const miss = await send(w, p, method, missingReq);
            if (shape(miss, missingReq) !== shape(got, req))
              failures.push(`${name} as ${p}: a missing target answers ${shape(miss, missingReq)}, an existing one ${shape(got, req)}`);
          }
          if (!refused && row.foreign) {
            const otherReq = await row.foreign.other(w, p);
            const missingReq = row.foreign.missing(w, p);
            const [other, miss] = [await send(w, p, method, otherReq), await send(w, p, method, missingReq)];
            if (other.status < 400) failures.push(`${name} as ${p}: someone else's resource answered ${other.status}`);
            if (shape(other, otherReq) !== shape(miss, missingReq))
              failures.push(`${name} as ${p}: someone else's resource answers ${shape(other, otherReq)}, a missing one ${shape(miss, missingReq)}`);
          }
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(cells >= Object.keys(MATRIX).length * PRINCIPALS.length);
    });
  });
}
