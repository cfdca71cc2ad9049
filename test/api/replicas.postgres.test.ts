import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyGatewayDelta, canonicalGatewayState } from '../../src/core/state/gateway-delta.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * Issue 6 "Two control-plane replicas on one PostgreSQL": a write on one replica wakes
 * the daemons long-polling the other within the sync bound, both serve identical
 * documents, and neither queries the database while nothing changes.
 */
describe('two control-plane replicas on one PostgreSQL', () => {
  let pg: TestPostgres;
  let one: Server;
  let two: Server;
  let op1: ReturnType<typeof http>;
  let op2: ReturnType<typeof http>;

  before(async () => {
    pg = await startTestPostgres();
    const url = await createDatabase(pg.url, `plantgate_replicas_${process.pid}`);
    one = await startTestServer({ database: url });
    op1 = http(one.url, await login(one.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op1.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await op1.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn-eu.example.test:51820' })).status, 201);
    two = await startTestServer({ database: url, replicaOf: one.dataDir });
    op2 = http(two.url, await login(two.url, OPERATOR.email, OPERATOR.password));
  });
  after(async () => {
    await two?.close();
    await one?.close();
    await pg?.stop();
  });

  async function enrolGateway() {
    const created = await op1.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
    const enrolled = await http(one.url).post('/api/v1/enrol', { token: created.body.token });
    assert.equal(enrolled.status, 201);
    return { id: enrolled.body.id as string, credential: enrolled.body.credential as string };
  }

  it('a revoke on replica 1 reaches a gateway long-polling replica 2 as a delta within a second; both serve the same document', async (t) => {
    const gw = await enrolGateway();
    const on1 = http(one.url, gw.credential);
    const on2 = http(two.url, gw.credential);
    const carol = http(one.url, await login(one.url, 'carol@windserv.example', 'carol-password'));
    const key = generateWireGuardKeyPair().publicKey;
    assert.equal((await carol.post('/api/v1/vpn/profile', { publicKey: key })).status, 201);

    const first = (await on2.get(`/api/v1/gateways/${gw.id}/state?delta=1`)).body;
    assert.equal(first.kind, 'full');
    assert.ok(
      first.state.peers.some((p: { publicKey: string }) => p.publicKey === key),
      'replica 2 knows replica 1\u2019s write',
    );
    const firstOn1 = (await on1.get(`/api/v1/gateways/${gw.id}/state?delta=1`)).body;
    assert.deepEqual(canonicalGatewayState(first.state), canonicalGatewayState(firstOn1.state), 'identical documents on both replicas');

    const waiting = on2.get(`/api/v1/gateways/${gw.id}/state?after=${first.state.revision}&wait=20&delta=1`);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    assert.equal((await carol.post('/api/v1/vpn/profile/revoke')).status, 200);
    const woke = await waiting;
    const took = Date.now() - started;
    assert.ok(took < 1000, `the waiting gateway on replica 2 answered ${took} ms after the revoke on replica 1`);
    t.diagnostic(`revoke on replica 1 → delta at the gateway on replica 2: ${took} ms`);
    assert.equal(woke.body.kind, 'delta');
    assert.deepEqual(woke.body.peers.remove, [key]);
    const applied = applyGatewayDelta(first.state, woke.body);
    assert.ok(applied.ok);
    const nowOn1 = (await on1.get(`/api/v1/gateways/${gw.id}/state?delta=1`)).body.state;
    const nowOn2 = (await on2.get(`/api/v1/gateways/${gw.id}/state?delta=1`)).body.state;
    if (applied.ok) assert.deepEqual(canonicalGatewayState(applied.state), canonicalGatewayState(nowOn1));
    assert.deepEqual(canonicalGatewayState(nowOn2), canonicalGatewayState(nowOn1), 'replica 2 caught up to the same document');

    // A write on replica 2 after replica 1's: runs against the caught-up model and wakes replica 1's waiters.
    const back = on1.get(`/api/v1/gateways/${gw.id}/state?after=${nowOn1.revision}&wait=20&delta=1`);
    const carol2 = http(two.url, await login(two.url, 'carol@windserv.example', 'carol-password'));
    const key2 = generateWireGuardKeyPair().publicKey;
    assert.equal((await carol2.post('/api/v1/vpn/profile', { publicKey: key2 })).status, 201);
    const woke1 = (await back).body;
    assert.equal(woke1.kind, 'delta');
    assert.deepEqual(
      woke1.peers.upsert.map((p: { publicKey: string }) => p.publicKey),
      [key2],
    );
  });

  it('an agent long-polling replica 2 wakes when replica 1 changes its plant, and not for other changes', async () => {
    const enrolment = await op1.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park C' });
    const agent = (await http(one.url).post('/api/v1/enrol', { token: enrolment.body.token, name: 'park-c-agent' })).body;
    const on2 = http(two.url, agent.credential);
    const state = (await on2.get(`/api/v1/agents/${agent.id}/state`)).body;
    assert.deepEqual(
      state.translations.map((t: { real: string }) => t.real),
      ['10.30.0.0/24'],
    );
    const moved = on2.get(`/api/v1/agents/${agent.id}/state?after=${state.revision}&wait=20`);
    const started = Date.now();
    const more = baseFleet();
    more.organizations[0]!.plants[2]!.subnets.push('10.31.0.0/24');
    assert.equal((await op1.post('/api/v1/admin/fleet', { document: more })).status, 200);
    const after = (await moved).body;
    assert.ok(Date.now() - started < 2000, 'woke at the change, not at the timeout');
    assert.deepEqual(after.translations.map((t: { real: string }) => t.real).sort(), ['10.30.0.0/24', '10.31.0.0/24']);
  });

  it('idle: daemons long-polling replica 2 cause no database query; a gateway removed on replica 1 is refused on replica 2', async () => {
    const gw = await enrolGateway();
    const on2 = http(two.url, gw.credential);
    const doc = (await on2.get(`/api/v1/gateways/${gw.id}/state?delta=1`)).body.state;
    const queries = async () => Number(/plantgate_db_queries_total (\d+)/.exec(await (await fetch(`${two.url}/metrics`)).text())?.[1]);
    // The first long-poll after a revision loads the credential once; later ones use memory.
    await on2.get(`/api/v1/gateways/${gw.id}/state?after=${doc.revision}&wait=0&delta=1`);
    const before = await queries();
    const polls = Array.from({ length: 20 }, () => on2.get(`/api/v1/gateways/${gw.id}/state?after=${doc.revision}&wait=1&delta=1`));
    const answers = await Promise.all(polls);
    assert.ok(answers.every((a) => a.body.kind === 'delta' && a.body.revision === doc.revision));
    assert.equal((await queries()) - before, 0, '20 long-polls that timed out ran no query on replica 2');
    const report = { appliedRevision: doc.revision, version: 'test', peers: [], lastError: null };
    for (let i = 0; i < 5; i++) assert.equal((await on2.post(`/api/v1/gateways/${gw.id}/status`, report)).status, 204);
    assert.equal((await queries()) - before, 0, 'status reports are buffered, not one write each');
    await two.ctx.daemonStatus.flush();
    const listed = (await op1.get('/api/v1/admin/gateways')).body.find((g: { id: string }) => g.id === gw.id);
    assert.equal(listed.status?.appliedRevision, doc.revision, 'the batched write reached the database (replica 1 lists it)');

    assert.equal((await op1.delete(`/api/v1/admin/gateways/${gw.id}`)).status, 204);
    const deadline = Date.now() + 2000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await on2.get(`/api/v1/gateways/${gw.id}/state?wait=0&delta=1`)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 401, 'the removed gateway\u2019s credential stops working on the other replica too');
    void op2;
  });
});
