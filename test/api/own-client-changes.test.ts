import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';

/**
 * Issue 11 item 3: the long-poll the own client (`plantgate vpn up`) waits on for route
 * changes, GET /vpn/profile/changes. It answers at once without `after`, waits while the
 * fleet revision is `after`, and wakes when a fleet write moves it.
 */

describe('GET /vpn/profile/changes (own client long-poll, issue 11 item 3)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let op: ReturnType<typeof http>;

  before(async () => {
    server = await startTestServer({});
    op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: '194.25.0.1:51820' })).status, 201);
  });
  after(async () => server?.close());

  it('without after: the revision now, at once', async () => {
    const r = await op.get('/api/v1/vpn/profile/changes');
    assert.equal(r.status, 200);
    assert.ok(Number.isInteger(r.body.revision) && r.body.revision >= 0, JSON.stringify(r.body));
  });

  it('idle: waits `wait` seconds and answers the same revision', async () => {
    const { revision } = (await op.get('/api/v1/vpn/profile/changes')).body;
    const started = Date.now();
    const r = await op.get(`/api/v1/vpn/profile/changes?after=${revision}&wait=1`);
    assert.equal(r.body.revision, revision);
    assert.ok(Date.now() - started >= 900, `waited ${Date.now() - started} ms`);
  });

  it('a fleet write (a region drained) wakes a waiting client at once with the new revision', async () => {
    const { revision } = (await op.get('/api/v1/vpn/profile/changes')).body;
    const started = Date.now();
    const waiting = op.get(`/api/v1/vpn/profile/changes?after=${revision}&wait=20`);
    await new Promise((done) => setTimeout(done, 200));
    assert.equal((await op.post('/api/v1/admin/regions/eu-central/drain', {})).status, 200);
    const r = await waiting;
    assert.ok(r.body.revision > revision, JSON.stringify(r.body));
    assert.ok(Date.now() - started < 5000, `answered after ${Date.now() - started} ms`);
  });

  it('bad input names the field: after must be a revision, wait at most 60 s', async () => {
    const negative = await op.get('/api/v1/vpn/profile/changes?after=-1');
    assert.equal(negative.status, 400);
    assert.match(JSON.stringify(negative.body), /after/);
    const long = await op.get('/api/v1/vpn/profile/changes?after=0&wait=61');
    assert.equal(long.status, 400);
    assert.match(JSON.stringify(long.body), /wait.*60|60.*wait/);
  });

  it('needs a login', async () => {
    assert.equal((await http(server.url).get('/api/v1/vpn/profile/changes')).status, 401);
  });
});
