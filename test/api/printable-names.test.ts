import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Issue 7 item 10: names accepted escape sequences, right-to-left overrides and zero-width-only text. */
describe('issue 7 item 10: names are printable, refused with a 400 naming the field', () => {
  let server: Server;
  let op: ReturnType<typeof http>;
  before(async () => {
    server = await startTestServer();
    op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' });
  });
  after(async () => server?.close());

  const bad: Array<[string, string]> = [
    ['an escape sequence', 'Park\u001b[2J'],
    ['a right-to-left override', 'Park \u202Egpj.exe'],
    ['an isolate', 'Park\u2066A'],
    ['zero-width characters only', '\u200B\u200C\u200D'],
    ['a newline', 'Park\nPostUp = rm -rf /'],
  ];

  it('fleet file: organization, plant, portfolio, device, user names', async () => {
    const places: Array<[string, (f: ReturnType<typeof baseFleet>, v: string) => void]> = [
      ['organizations[0].name', (f, v) => (f.organizations[0]!.name = v)],
      ['organizations[0].plants[1].name', (f, v) => (f.organizations[0]!.plants[1]!.name = v)],
      ['organizations[0].portfolios[0].name', (f, v) => (f.organizations[0]!.portfolios[0]!.name = v)],
      ['organizations[0].plants[0].devices[0].name', (f, v) => (f.organizations[0]!.plants[0]!.devices[0]!.name = v)],
      ['users[0].name', (f, v) => (f.users[0]!.name = v)],
    ];
    for (const [field, put] of places) {
      for (const [what, value] of bad) {
        const fleet = baseFleet();
        put(fleet, value);
        const r = await op.post('/api/v1/admin/fleet', { document: fleet, dryRun: true });
        assert.equal(r.status, 400, `${field} with ${what}`);
        assert.ok(r.body.error.problems.some((p: { field: string }) => p.field === field), `${field} with ${what}: ${JSON.stringify(r.body.error)}`);
        assert.match(JSON.stringify(r.body.error), /printable|visible/);
      }
    }
  });

  it('API: token names and daemon names', async () => {
    for (const [what, value] of bad) {
      const token = await op.post('/api/v1/tokens', { name: value });
      assert.equal(token.status, 400, what);
      assert.equal(token.body.error.field, 'name', what);
      const enrolment = (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body;
      const enrol = await http(server.url).post('/api/v1/enrol', { token: enrolment.token, name: value });
      assert.equal(enrol.status, 400, what);
      assert.equal(enrol.body.error.field, 'name', what);
    }
    assert.equal((await op.post('/api/v1/tokens', { name: 'Parc éolien 風力 ☀️' })).status, 201, 'printable non-ASCII stays welcome');
  });
});
