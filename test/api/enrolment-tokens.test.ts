import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
const BIN = join(import.meta.dirname, '../../bin/plantgate.js');

function plantgate(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Issue 7 item 3: a printed enrolment token could be neither seen again nor withdrawn, and its creation left no trace. */
describe('issue 7 item 3: operators list and revoke unused enrolment tokens', () => {
  let server: Server;
  let op: ReturnType<typeof http>;
  let token = '';
  before(async () => {
    server = await startTestServer();
    token = await login(server.url, OPERATOR.email, OPERATOR.password);
    op = http(server.url, token);
    await op.post('/api/v1/admin/fleet', { document: baseFleet() });
    await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' });
  });
  after(async () => server?.close());

  it('lists unused tokens without secrets; a redeemed one drops out; creation is an event', async () => {
    const gw = (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body;
    const agent = (await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park A' })).body;
    assert.ok(gw.token.startsWith(`pge_${gw.id}_`), 'the id is the token\u2019s public part');
    const listed = (await op.get('/api/v1/admin/enrolments')).body as Array<Record<string, unknown>>;
    assert.deepEqual(
      listed.map((t) => [t.id, t.kind, t.region, t.plant, t.createdBy, t.expired]),
      [
        [gw.id, 'gateway', 'eu-central', null, OPERATOR.email, false],
        [agent.id, 'agent', null, 'SolarCo/Park A', OPERATOR.email, false],
      ],
    );
    const text = JSON.stringify(listed);
    for (const secret of [gw.token, agent.token]) assert.ok(!text.includes(secret.slice(-43)), 'no secret in the listing');
    assert.equal((await http(server.url).post('/api/v1/enrol', { token: gw.token })).status, 201);
    assert.deepEqual(((await op.get('/api/v1/admin/enrolments')).body as Array<{ id: string }>).map((t) => t.id), [agent.id]);
    const created = (await op.get('/api/v1/admin/events?kind=enrolment.created')).body as Array<{ actor: string; details: { id: string } }>;
    assert.deepEqual(created.map((e) => e.details.id).sort(), [gw.id, agent.id].sort());
    assert.equal(created[0]?.actor, OPERATOR.email);
  });

  it('a revoked token no longer enrols; revoking twice or a used token is 404 by name', async () => {
    const gw = (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body;
    assert.equal((await op.delete(`/api/v1/admin/enrolments/${gw.id}`)).status, 204);
    const redeem = await http(server.url).post('/api/v1/enrol', { token: gw.token });
    assert.equal(redeem.status, 401);
    const again = await op.delete(`/api/v1/admin/enrolments/${gw.id}`);
    assert.equal(again.status, 404);
    assert.equal(again.body.error.field, 'id');
    assert.ok(((await op.get('/api/v1/admin/events?kind=enrolment.revoked')).body as unknown[]).length === 1);
    assert.equal((await http(server.url, await login(server.url, 'bob@solarco.example', 'bob-password')).get('/api/v1/admin/enrolments')).status, 403);
  });

  it('CLI: admin enrol-token list [--json] and revoke ID', async () => {
    const env = { PLANTGATE_SERVER: server.url, PLANTGATE_TOKEN: token };
    const gw = (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body;
    const table = await plantgate(['admin', 'enrol-token', 'list'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`${gw.id}\\s+gateway\\s+eu-central\\s+${OPERATOR.email}`));
    const json = await plantgate(['admin', 'enrol-token', 'list', '--json'], env);
    assert.ok((JSON.parse(json.stdout) as Array<{ id: string }>).some((t) => t.id === gw.id));
    const revoked = await plantgate(['admin', 'enrol-token', 'revoke', gw.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.ok(!(JSON.parse((await plantgate(['admin', 'enrol-token', 'list', '--json'], env)).stdout) as Array<{ id: string }>).some((t) => t.id === gw.id));
  });
});
