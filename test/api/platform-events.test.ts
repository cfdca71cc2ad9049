import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Page = { events: Array<{ id: number; at: string; kind: string; actor: string | null; subject: string | null }>; nextBefore: number | null };

/** Issue 8 (platform pages): the paged event log the events page reads; `GET /admin/events` keeps its list answer for the CLI. */
describe('issue 8: GET /admin/events/page filters and pages the event log', () => {
  let server: Server;
  let op: ReturnType<typeof http>;
  before(async () => {
    server = await startTestServer();
    op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
    for (let i = 0; i < 7; i++) {
      const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
      assert.equal((await op.delete(`/api/v1/admin/enrolments/${created.body.id}`)).status, 204);
    }
    assert.equal((await op.post('/api/v1/admin/users/bob@solarco.example/disable')).status, 204);
  });
  after(async () => server?.close());

  const page = async (query: string): Promise<Page> => {
    const r = await op.get(`/api/v1/admin/events/page?${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as Page;
  };

  it('pages newest first with nextBefore until the last page, which says null; the pages join up without gaps or repeats', async () => {
    const all = (await op.get('/api/v1/admin/events?limit=10000')).body as Array<{ id: number }>;
    const seen: number[] = [];
    let before: number | null | undefined;
    for (let pages = 0; before !== null; pages++) {
      assert.ok(pages < 100, 'paging ends');
      const p = await page(`limit=4${before ? `&before=${before}` : ''}`);
      assert.ok(p.events.length <= 4);
      seen.push(...p.events.map((e) => e.id));
      before = p.nextBefore;
    }
    assert.deepEqual(seen, all.map((e) => e.id), 'the same events as the list, in the same order');
  });

  it('kind matches the kind itself and its family; another family is left out', async () => {
    const family = await page('kind=enrolment&limit=500');
    assert.equal(family.events.length, 14);
    assert.ok(family.events.every((e) => e.kind.startsWith('enrolment.')));
    const exact = await page('kind=enrolment.revoked&limit=500');
    assert.equal(exact.events.length, 7);
    assert.equal((await page('kind=enrol&limit=500')).events.length, 0, 'a prefix that is not a family finds nothing');
  });

  it('user matches the acting or the affected user; an unknown email finds nothing', async () => {
    const bob = await page('user=BOB@solarco.example');
    assert.deepEqual(bob.events.map((e) => e.kind), ['user.disabled']);
    const operator = await page(`user=${OPERATOR.email}&limit=500`);
    assert.ok(operator.events.length >= 16 && operator.events.every((e) => e.actor === OPERATOR.email || e.subject === OPERATOR.email));
    assert.deepEqual(await page('user=nobody@nowhere.example'), { events: [], nextBefore: null });
  });

  it('since is inclusive and compares instants (a bound without milliseconds too)', async () => {
    const newest = (await page('limit=1')).events[0];
    assert.ok(newest);
    const second = newest.at.replace(/\.\d{3}Z$/, 'Z');
    const p = await page(`since=${encodeURIComponent(second)}&limit=500`);
    assert.ok(p.events.some((e) => e.id === newest.id), `the newest event (${newest.at}) is at or after ${second}`);
    assert.equal((await page('since=2999-01-01T00:00:00Z')).events.length, 0);
  });

  it('a bad query is refused naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['before=-3', 'before'],
      ['since=yesterday', 'since'],
      ['colour=red', ''],
    ] as const) {
      const r = await op.get(`/api/v1/admin/events/page?${query}`);
      assert.equal(r.status, 400, query);
      if (field) assert.match(JSON.stringify(r.body.error), new RegExp(field), query);
    }
  });
});
