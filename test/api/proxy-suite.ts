import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ensureProxyCookieKey } from '../../src/server/bootstrap.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;
type Proxy = { domain: string; port: number; targets: Array<{ id: string; host: string; plantId: string; mappedAddress: string; scheme: string; port: number; path: string }>; sessions: Array<{ id: string; targetId: string; userId: string; userEmail: string; grantHash: string; grantExpiresAt: string; expiresAt: string }> };

const PARK_A = '/api/v1/plants/Park%20A/web-targets';
const PARK_B = '/api/v1/plants/Park%20B/web-targets';

/**
 * Browser proxy, control plane (issue 12 items 1, 2, 4, 5; docs/browser-proxy.md) against a
 * real server: targets, grants, the gateways' `proxy` section (full document and long-poll
 * delta) and every revocation path that must drop a session from the next document.
 */
export function proxySuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`browser proxy control plane on ${engine}`, () => {
    let server: Server;
    let op: Client;
    let alice: Client;
    let mona: Client;
    let bob: Client;
    let otto: Client;
    let gateway: { id: string; client: Client };
    /** The gateway's copy of its document, kept up to date with deltas like a daemon does. */
    let revision = 0;
    let proxy: Proxy | undefined;
    const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));

    /** One long-poll round as the gateway makes it; returns the document's proxy section afterwards. */
    const poll = async (wait = 0): Promise<Proxy | undefined> => {
      const r = await gateway.client.get(`/api/v1/gateways/${gateway.id}/state?delta=1&after=${revision}&wait=${wait}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (r.body.kind === 'full') {
        revision = r.body.state.revision;
        proxy = r.body.state.proxy;
      } else {
        assert.equal(r.body.fromRevision, revision);
        revision = r.body.revision;
        if (r.body.proxy !== undefined) proxy = r.body.proxy ?? undefined;
      }
      return proxy;
    };
    const sessionIds = async () => ((await poll())?.sessions ?? []).map((s) => s.id).sort();

    before(async () => {
      server = await startTestServer({ database: await database(), proxyDomain: 'proxy.plantgate.test', proxyPort: 8443 });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const fleet = orgFleet();
      fleet.users.push({ email: 'paul@solarco.example', name: 'Paul', password: 'paul-password' });
      fleet.organizations[0]!.members.push({ email: 'paul@solarco.example', role: 'member' });
      fleet.organizations[0]!.jobRoles.push({ user: 'paul@solarco.example', plant: 'Park A', role: 'technical-manager' });
      fleet.users.push({ email: 'tina@solarco.example', name: 'Tina', password: 'tina-password' });
      fleet.organizations[0]!.members.push({ email: 'tina@solarco.example', role: 'member' });
      fleet.organizations[0]!.jobRoles.push({ user: 'tina@solarco.example', plant: 'Park A', role: 'operator' });
      // Park B has Park A's subnet: the same device address in two plants.
      fleet.organizations[0]!.plants[1]!.devices.push({ name: 'inverter-b', ip: '192.168.1.17', kind: 'inverter', ports: [80] });
      const applied = await op.post('/api/v1/admin/fleet', { document: fleet });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
      const enrolment = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
      const enrolled = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
      gateway = { id: enrolled.id, client: http(server.url, enrolled.credential) };
      alice = await as('alice@solarco.example', 'alice-password');
      mona = await as('mona@solarco.example', 'mona-password');
      bob = await as('bob@solarco.example', 'bob-password');
      otto = await as('otto@otherco.example', 'otto-password');
      await poll();
    });
    after(async () => server?.close());

    it('O2 item 1: a Moderator adds a target by device name or IP (defaults http, 80, /), lists, changes and removes it; changes are fleet writes', async () => {
      const before = server.ctx.fleet.currentRevision();
      const created = await mona.post(PARK_A, { device: 'inverter-1' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const t = created.body.target;
      assert.deepEqual([t.scheme, t.port, t.path, t.device, t.deviceIp, t.label, t.name], ['http', 80, '/', 'inverter-1', '192.168.1.17', 'inverter-1', null]);
      assert.match(t.host, /^t-[a-z0-9]{12}$/);
      assert.ok(server.ctx.fleet.currentRevision() > before, 'a target is a fleet write');
      const byIp = await mona.post(PARK_A, { device: '192.168.1.17', scheme: 'https', path: '/status', name: 'Logger' });
      assert.equal(byIp.status, 201);
      assert.equal(byIp.body.target.port, 443);
      const changed = await mona.put(`${PARK_A}/Logger`, { port: 8443, path: '/admin/' });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual([changed.body.target.port, changed.body.target.path, changed.body.target.host], [8443, '/admin/', byIp.body.target.host]);
      const listed = (await mona.get(PARK_A)).body.map((x: { label: string }) => x.label);
      assert.deepEqual(listed, ['inverter-1', 'Logger']);
      assert.equal((await mona.delete(`${PARK_A}/${byIp.body.target.id}`)).status, 200);
      assert.deepEqual((await mona.get(PARK_A)).body.map((x: { label: string }) => x.label), ['inverter-1']);
      const events = (await mona.get('/api/v1/audit/plants/Park%20A/events?kind=web-target')).body.events.map((e: { kind: string }) => e.kind);
      assert.deepEqual(events, ['web-target.created', 'web-target.created', 'web-target.changed', 'web-target.removed']);
      assert.equal((await mona.delete(`${PARK_A}/${t.id}`)).status, 200);
    });

    it('O2 item 1: bad input is refused naming the field, nothing stored', async () => {
      const cases: Array<[unknown, string]> = [
        [{ device: 'no-such-device' }, 'device'],
        [{ device: 'inverter-1', scheme: 'ftp' }, 'scheme'],
        [{ device: 'inverter-1', port: 0 }, 'port'],
        [{ device: 'inverter-1', port: 70000 }, 'port'],
        [{ device: 'inverter-1', path: 'no-slash' }, 'path'],
        [{ device: 'inverter-1', path: '/a b' }, 'path'],
        [{ device: 'inverter-1', name: '\u001b[2J' }, 'name'],
        [{ device: 'inverter-1', color: 'red' }, 'color'],
      ];
      for (const [body, field] of cases) {
        const r = await mona.post(PARK_A, body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.match(JSON.stringify(r.body), new RegExp(field), `${JSON.stringify(body)} names ${field}: ${JSON.stringify(r.body)}`);
      }
      assert.deepEqual((await mona.get(PARK_A)).body, []);
    });

    it('O2 item 1: a Viewer and a plain member may not manage (403), another organization gets the 404 of a missing plant', async () => {
      assert.equal((await bob.post(PARK_A, { device: 'inverter-1' })).status, 403);
      assert.equal((await otto.post(PARK_A, { device: 'inverter-1' })).status, 404);
      assert.equal((await otto.get(PARK_A)).status, 404);
    });

    it('O2 item 2: open answers a one-time grant URL on the target’s own origin; only its SHA-256 is stored and sent to the gateways', async () => {
      const t = (await mona.post(PARK_A, { device: 'inverter-1', scheme: 'https', path: '/home' })).body.target;
      await poll();
      const opened = await alice.post(`/api/v1/web-targets/${t.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      const url = new URL(opened.body.url);
      assert.equal(url.origin, `https://${t.host}.proxy.plantgate.test:8443`);
      assert.equal(url.pathname, '/.plantgate/grant');
      const token = url.searchParams.get('token') as string;
      assert.ok(token.length >= 40);
      const grantMs = Date.parse(opened.body.grantExpiresAt) - Date.now();
      assert.ok(grantMs > 20_000 && grantMs <= 30_000, `grant valid ~30 s, got ${grantMs}`);
      const hash = createHash('sha256').update(token).digest('hex');
      const rows = await server.ctx.store.db.selectFrom('proxy_sessions').selectAll().execute();
      assert.equal(JSON.stringify(rows).includes(token), false, 'the grant token is never stored');
      assert.equal(rows.find((r) => r.id === opened.body.sessionId)?.grant_hash, hash);
      const section = await poll();
      const target = section?.targets.find((x) => x.id === t.id);
      assert.deepEqual(target, { id: t.id, host: t.host, plantId: t.plantId, scheme: 'https', mappedAddress: target?.mappedAddress, port: 443, path: '/home' });
      const session = section?.sessions.find((s) => s.id === opened.body.sessionId);
      assert.equal(session?.grantHash, hash);
      assert.equal(session?.userEmail, 'alice@solarco.example');
      assert.equal(session?.expiresAt, opened.body.expiresAt);
      assert.equal(JSON.stringify(section).includes(token), false);
      assert.deepEqual([section?.domain, section?.port], ['proxy.plantgate.test', 8443]);
    });

    it('O2 sessions across gateways: the proxy cookie key is made once, sealed at rest, given to gateways with their secrets only — never in the document', async () => {
      const secrets = await gateway.client.get(`/api/v1/gateways/${gateway.id}/secrets`);
      assert.equal(secrets.status, 200);
      const key = secrets.body.proxyCookieKey as string;
      assert.match(key, /^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url');
      const row = await server.ctx.store.db.selectFrom('meta').select('value').where('key', '=', 'proxy_cookie_key').executeTakeFirstOrThrow();
      assert.ok(!row.value.includes(key), 'stored only sealed');
      // what a restart (or a second replica) runs at start: the stored key stays
      await ensureProxyCookieKey(server.ctx.store.db, server.ctx.box);
      const again = await gateway.client.get(`/api/v1/gateways/${gateway.id}/secrets`);
      assert.equal(again.body.proxyCookieKey, key, 'the same key after a restart, for every call and every gateway');
      const full = await gateway.client.get(`/api/v1/gateways/${gateway.id}/state`);
      assert.ok(!JSON.stringify(full.body).includes(key), 'not in the gateway document');
      const region = await op.get('/api/v1/admin/regions/eu-central/state');
      assert.ok(!JSON.stringify(region.body).includes(key), 'not in what an operator reads');
    });

    it('O2 item 2: the session never outlives the platform session it was opened in (login sessions: 8 h cap)', async () => {
      const t = (await alice.get('/api/v1/web-targets')).body[0];
      const opened = await alice.post(`/api/v1/web-targets/${t.id}/open`);
      const hours = (Date.parse(opened.body.expiresAt) - Date.now()) / 3600_000;
      assert.ok(hours > 7.9 && hours <= 8, `${hours}`);
    });

    it('ended sessions leave the table a week after they ended (their events stay); open ones are kept', async () => {
      const db = server.ctx.store.db;
      const live = await db.selectFrom('proxy_sessions').select('id').where('closed_at', 'is', null).execute();
      const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
      await db.updateTable('proxy_sessions').set({ closed_at: old, close_reason: 'closed' }).where('id', '=', live[0]!.id).execute();
      const t = (await alice.get('/api/v1/web-targets')).body[0];
      const opened = await alice.post(`/api/v1/web-targets/${t.id}/open`);
      assert.equal(opened.status, 201);
      const ids = (await db.selectFrom('proxy_sessions').select('id').execute()).map((r) => r.id);
      assert.equal(ids.includes(live[0]!.id), false, 'the session ended 8 days ago is gone');
      for (const r of live.slice(1)) assert.ok(ids.includes(r.id), 'open sessions stay');
      assert.ok(ids.includes(opened.body.sessionId));
    });

    it('O2 item 3: two plants on the same subnet: the same device address maps to two different gateway addresses', async () => {
      const b = await mona.post(PARK_B, { device: 'inverter-b' });
      assert.equal(b.status, 201, JSON.stringify(b.body));
      const section = await poll();
      const a = section?.targets.find((x) => x.plantId !== b.body.target.plantId);
      const onB = section?.targets.find((x) => x.id === b.body.target.id);
      assert.ok(a && onB);
      assert.notEqual(a.mappedAddress, onB.mappedAddress);
      assert.equal(a.mappedAddress.split('.')[3], '17');
      assert.equal(onB.mappedAddress.split('.')[3], '17');
    });

    it('item 5: opening is for users who may reach the plant (P4); anyone else gets the 404 of a missing target', async () => {
      const t = (await mona.get(PARK_A)).body[0];
      const missing = await bob.post('/api/v1/web-targets/t-000000000000/open');
      for (const [who, client] of [['bob (Viewer)', bob], ['otto (another organization)', otto], ['mona (Moderator without a job role)', mona]] as const) {
        const r = await client.post(`/api/v1/web-targets/${t.host}/open`);
        assert.equal(r.status, 404, who);
        assert.deepEqual(r.body, missing.body, `${who}: no existence leak`);
      }
      assert.deepEqual((await otto.get('/api/v1/web-targets')).body, []);
      assert.equal((await bob.get('/api/v1/web-targets')).body.length, 0);
      assert.ok((await alice.get('/api/v1/web-targets')).body.every((x: { canOpen: boolean }) => x.canOpen));
    });

    it('item 4: the gateway’s waiting long-poll wakes with the new session (a delta carrying the proxy section)', async () => {
      const t = (await mona.get(PARK_A)).body[0];
      await poll();
      const from = revision;
      const waiting = gateway.client.get(`/api/v1/gateways/${gateway.id}/state?delta=1&after=${from}&wait=5`);
      const opened = await alice.post(`/api/v1/web-targets/${t.host}/open`);
      const r = await waiting;
      assert.equal(r.body.kind, 'delta');
      assert.ok(r.body.proxy.sessions.some((s: { id: string }) => s.id === opened.body.sessionId));
      await poll();
    });


    it('DESIGN "Sync": with the proxy on, an idle gateway long-poll makes no database query; after a write the section is derived once for all gateways', async () => {
      await poll();
      const before = server.ctx.store.queryCount();
      const idle = await gateway.client.get(`/api/v1/gateways/${gateway.id}/state?delta=1&after=${revision}&wait=1`);
      assert.equal(idle.status, 200);
      // The daemon's own credential check is memoized per revision too: nothing at all reached the database.
      assert.equal(server.ctx.store.queryCount() - before, 0, 'an idle long-poll queried the database');
      await poll();
    });

    it('item 4: removing the job role that opened the plant removes the session from the next document (and records it closed)', async () => {
      const paul = await as('paul@solarco.example', 'paul-password');
      const t = (await paul.get('/api/v1/web-targets')).body[0];
      const opened = await paul.post(`/api/v1/web-targets/${t.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      assert.ok((await sessionIds()).includes(opened.body.sessionId));
      const roles = (await op.get('/api/v1/orgs/SolarCo/job-roles')).body as Array<{ id: string; user: { email: string } }>;
      const role = roles.find((j) => j.user.email === 'paul@solarco.example');
      assert.equal((await op.delete(`/api/v1/orgs/SolarCo/job-roles/${role?.id}`)).status, 200);
      assert.equal((await sessionIds()).includes(opened.body.sessionId), false);
      const closed = (await mona.get('/api/v1/audit/plants/Park%20A/events?kind=proxy-session.closed')).body.events;
      assert.ok(closed.some((e: { details: { session: string; reason: string } }) => e.details.session === opened.body.sessionId && e.details.reason === 'permission lost'));
      assert.equal((await paul.post(`/api/v1/web-targets/${t.host}/open`)).status, 404);
    });

    it('item 4: ending the cooperation removes the partner’s session', async () => {
      const carol = await as('carol@windserv.example', 'carol-password');
      const t = (await carol.get('/api/v1/web-targets')).body.find((x: { plant: string }) => x.plant === 'Park A');
      const opened = await carol.post(`/api/v1/web-targets/${t.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      assert.ok((await sessionIds()).includes(opened.body.sessionId));
      const coop = (await op.get('/api/v1/orgs/SolarCo/cooperations')).body[0];
      assert.equal((await op.post(`/api/v1/orgs/SolarCo/cooperations/${coop.id}/end`)).status, 200);
      assert.equal((await sessionIds()).includes(opened.body.sessionId), false);
    });

    it('item 4: logging out ends the sessions opened in that login (not the others)', async () => {
      const t = (await alice.get('/api/v1/web-targets')).body[0];
      const second = await as('alice@solarco.example', 'alice-password');
      const kept = await alice.post(`/api/v1/web-targets/${t.host}/open`);
      const opened = await second.post(`/api/v1/web-targets/${t.host}/open`);
      assert.ok((await sessionIds()).includes(opened.body.sessionId));
      const before = revision;
      assert.equal((await second.post('/api/v1/auth/logout')).status, 204);
      const ids = await sessionIds();
      assert.ok(revision > before, 'logout with an open proxy session moves the revision');
      assert.equal(ids.includes(opened.body.sessionId), false);
      assert.ok(ids.includes(kept.body.sessionId));
      const closed = (await mona.get('/api/v1/audit/plants/Park%20A/events?kind=proxy-session.closed')).body.events;
      assert.ok(closed.some((e: { details: { session: string; reason: string } }) => e.details.session === opened.body.sessionId && e.details.reason === 'logged out'));
    });

    it('item 4: disabling the user removes all their sessions', async () => {
      const ids = await sessionIds();
      const alices = ((await poll())?.sessions ?? []).filter((s) => s.userEmail === 'alice@solarco.example').map((s) => s.id);
      assert.ok(alices.length > 0 && ids.length > 0);
      assert.equal((await op.post('/api/v1/admin/users/alice@solarco.example/disable')).status, 204);
      const left = await sessionIds();
      assert.deepEqual(
        left.filter((id) => alices.includes(id)),
        [],
      );
      assert.equal((await op.post('/api/v1/admin/users/alice@solarco.example/enable')).status, 204);
    });

    it('item 4: lowering the user to Guest in the plant’s organization removes the session (P4: guests reach nothing)', async () => {
      const tina = await as('tina@solarco.example', 'tina-password');
      const t = (await tina.get('/api/v1/web-targets')).body.find((x: { plant: string }) => x.plant === 'Park A');
      const opened = await tina.post(`/api/v1/web-targets/${t.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      assert.ok((await sessionIds()).includes(opened.body.sessionId));
      const lowered = await op.put('/api/v1/orgs/SolarCo/members/tina@solarco.example', { role: 'guest' });
      assert.equal(lowered.status, 200, JSON.stringify(lowered.body));
      assert.equal((await sessionIds()).includes(opened.body.sessionId), false);
    });

    it('item 4: removing the device from the plant takes its targets and their sessions with it', async () => {
      const alice3 = await as('alice@solarco.example', 'alice-password');
      const t = (await alice3.get('/api/v1/web-targets')).body.find((x: { plant: string }) => x.plant === 'Park B');
      const opened = await alice3.post(`/api/v1/web-targets/${t.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      assert.ok((await sessionIds()).includes(opened.body.sessionId));
      assert.equal((await op.delete('/api/v1/orgs/SolarCo/plants/Park%20B/devices/inverter-b')).status, 200);
      const section = await poll();
      assert.equal(section?.targets.some((x) => x.id === t.id), false);
      assert.equal(section?.sessions.some((s) => s.id === opened.body.sessionId), false);
      assert.equal((await alice3.post(`/api/v1/web-targets/${t.host}/open`)).status, 404);
    });

    it('item 4: removing the target removes its sessions; the opened/closed events are in the plant’s operator view only', async () => {
      const t = (await mona.get(PARK_A)).body[0];
      const alice2 = await as('alice@solarco.example', 'alice-password');
      const opened = await alice2.post(`/api/v1/web-targets/${t.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      assert.equal((await mona.delete(`${PARK_A}/${t.id}`)).status, 200);
      const section = await poll();
      assert.equal(section?.targets.some((x) => x.id === t.id), false);
      assert.equal(section?.sessions.some((s) => s.id === opened.body.sessionId), false);
      const kinds = (await mona.get('/api/v1/audit/plants/Park%20A/events?kind=proxy-session')).body.events.filter((e: { details: { session: string } }) => e.details.session === opened.body.sessionId).map((e: { kind: string }) => e.kind);
      assert.deepEqual(kinds, ['proxy-session.opened', 'proxy-session.closed']);
      assert.equal((await alice2.get('/api/v1/audit/plants/Park%20A/events')).status, 200, 'alice is SolarCo’s Admin');
      assert.notEqual((await bob.get('/api/v1/audit/plants/Park%20A/events')).status, 200, 'SPEC A2: not the connected users');
    });
  });
}

/** The proxy off (no --proxy-domain): targets are managed, open says so, documents carry no section. */
export function proxyOffSuite(): void {
  describe('browser proxy turned off', () => {
    let server: Server;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => server?.close());
    it('open answers 409 naming the server option; GET /proxy says off; gateway documents have no proxy section', async () => {
      const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      assert.deepEqual((await op.get('/api/v1/proxy')).body, { enabled: false, domain: null, port: 443 });
      const fleet = orgFleet();
      fleet.organizations[0]!.jobRoles.push({ user: 'mona@solarco.example', plant: 'Park A', role: 'operator' });
      assert.equal((await op.post('/api/v1/admin/fleet', { document: fleet })).status, 200);
      const mona = http(server.url, await login(server.url, 'mona@solarco.example', 'mona-password'));
      const t = (await mona.post(PARK_A, { device: 'inverter-1' })).body.target;
      const r = await mona.post(`/api/v1/web-targets/${t.host}/open`);
      assert.equal(r.status, 409);
      assert.match(r.body.error.message, /--proxy-domain/);
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
      const enrolment = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
      const enrolled = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
      const doc = (await http(server.url, enrolled.credential).get(`/api/v1/gateways/${enrolled.id}/state`)).body;
      assert.equal('proxy' in doc, false);
    });
  });
}
