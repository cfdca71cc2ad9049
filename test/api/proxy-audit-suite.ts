import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * Issue 12 item 4 (SPEC A1) on the control plane: a gateway's browser-proxy flow records
 * (session `proxy:<id>`, sent from the gateway's own address) are attributed to the user who
 * opened that proxy session — the lookup runs on the fleet database of each engine.
 */
export function proxyAuditSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`browser proxy flows in the audit trail on ${engine}`, () => {
    let server: Server;
    let gateway: { id: string; credential: string };

    before(async () => {
      server = await startTestServer({ database: await database(), proxyDomain: 'proxy.audit.test', proxyPort: 443 });
      const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const applied = await op.post('/api/v1/admin/fleet', { document: orgFleet() });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
      const enrolment = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
      const enrolled = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
      gateway = { id: enrolled.id, credential: enrolled.credential };
    });
    after(async () => server?.close());

    it('A1: a proxy flow is the proxy session’s user’s, on the device behind the mapped address; an unknown proxy session keeps the record without a user', async () => {
      const mona = http(server.url, await login(server.url, 'mona@solarco.example', 'mona-password'));
      const alice = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
      const target = (await mona.post('/api/v1/plants/Park%20A/web-targets', { device: 'inverter-1' })).body.target;
      const opened = await alice.post(`/api/v1/web-targets/${target.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      const gw = http(server.url, gateway.credential);
      const state = (await gw.get(`/api/v1/gateways/${gateway.id}/state`)).body;
      const doc = state.kind === 'full' ? state.state : state;
      const mapped = doc.proxy.targets.find((t: { id: string }) => t.id === target.id).mappedAddress as string;
      const now = server.ctx.now();
      const record = (id: string, session: string) => ({
        id,
        tunnelIp: '100.64.0.9',
        destinationIp: mapped,
        protocol: 'tcp',
        port: 80,
        connections: 3,
        bytesIn: 52_428_800,
        bytesOut: 900,
        firstSeen: new Date(now.getTime() - 5000).toISOString(),
        lastSeen: now.toISOString(),
        session,
      });
      const posted = await fetch(`${server.url}/api/v1/gateways/${gateway.id}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batchId: 'px-batch-1', records: [record('px-1', `proxy:${opened.body.sessionId}`), record('px-2', 'proxy:no-such-session')], gaps: [] }),
      });
      assert.equal(posted.status, 200, await posted.text());
      const page = (await mona.get('/api/v1/audit/plants/Park%20A/records')).body;
      const rows = page.records.filter((r: { session: string | null }) => r.session?.startsWith('proxy:'));
      const mine = rows.find((r: { session: string }) => r.session === `proxy:${opened.body.sessionId}`);
      assert.deepEqual(
        { user: mine?.user, deviceIp: mine?.deviceIp, port: mine?.port, connections: mine?.connections, bytesIn: mine?.bytesIn },
        { user: 'alice@solarco.example', deviceIp: '192.168.1.17', port: 80, connections: 3, bytesIn: 52_428_800 },
      );
      assert.equal(rows.find((r: { session: string }) => r.session === 'proxy:no-such-session')?.user, null);
    });
  });
}
