import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { csvLine, jsonLines, verifyExport } from '../../src/cli/audit-render.ts';
import { flowLine } from '../../src/core/audit/siem-sink.ts';
import { selectChainPage } from '../../src/server/features/audit/query-store.ts';
import { recordsToStream } from '../../src/server/features/audit/stream-store.ts';
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
      assert.equal('http' in mine, false, 'a record without detail has no http key (the contract keys only)');
    });

    it('A1/A3 (issue 12 item 4): a proxy record’s requests (method, path, status) are stored with it, read back everywhere, and chained — an edited or removed detail fails verify', async () => {
      const mona = http(server.url, await login(server.url, 'mona@solarco.example', 'mona-password'));
      const alice = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
      const target = (await mona.post('/api/v1/plants/Park%20A/web-targets', { device: 'inverter-1', port: 8080, name: 'detail' })).body.target;
      const opened = await alice.post(`/api/v1/web-targets/${target.host}/open`);
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      const gw = http(server.url, gateway.credential);
      const state = (await gw.get(`/api/v1/gateways/${gateway.id}/state`)).body;
      const doc = state.kind === 'full' ? state.state : state;
      const mapped = doc.proxy.targets.find((t: { id: string }) => t.id === target.id).mappedAddress as string;
      const now = server.ctx.now();
      const detail = [
        { method: 'GET', path: '/index.html', status: 200, requests: 2, bytesIn: 3000, bytesOut: 400 },
        { method: 'POST', path: '/api/setpoint', status: 403, requests: 1, bytesIn: 50, bytesOut: 120 },
      ];
      const record = (id: string, http?: unknown) => ({
        id,
        tunnelIp: '100.64.0.9',
        destinationIp: mapped,
        protocol: 'tcp',
        port: 8080,
        connections: 3,
        bytesIn: 3050,
        bytesOut: 520,
        firstSeen: new Date(now.getTime() - 5000).toISOString(),
        lastSeen: now.toISOString(),
        session: `proxy:${opened.body.sessionId}`,
        ...(http === undefined ? {} : { http }),
      });
      const post = (batchId: string, records: unknown[]) =>
        fetch(`${server.url}/api/v1/gateways/${gateway.id}/flows`, {
          method: 'POST',
          headers: { authorization: `Bearer ${gateway.credential}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batchId, records, gaps: [] }),
        });
      const recordsNow = async () => (await mona.get('/api/v1/audit/plants/Park%20A/records?limit=5000')).body.records as Array<Record<string, unknown>>;
      const before = (await recordsNow()).length;

      // bad detail: 400 naming the field, nothing of the batch stored
      for (const [bad, field] of [
        [[{ ...detail[0], method: 'get' }], /records\[1\]\.http\[0\]\.method/],
        [[{ ...detail[0], path: '/a?secret=1' }], /records\[1\]\.http\[0\]\.path/],
        [[{ ...detail[0], status: 1000 }], /records\[1\]\.http\[0\]\.status/],
        [Array.from({ length: 51 }, (_, k) => ({ ...detail[0], path: `/p${k}` })), /records\[1\]\.http.*at most 50/],
        [[], /records\[1\]\.http.*empty/],
      ] as const) {
        const refused = await post(`px-bad-${String(field)}`, [record('px-ok', detail), record('px-bad', bad)]);
        assert.equal(refused.status, 400);
        assert.match(await refused.text(), field);
      }
      assert.equal((await recordsNow()).length, before, 'nothing of a refused batch stored');

      const posted = await post('px-detail-1', [record('px-d1', detail), record('px-d2')]);
      assert.equal(posted.status, 200, await posted.text());
      const stored = (await recordsNow()).filter((r) => r.port === 8080 && r.session === `proxy:${opened.body.sessionId}`);
      assert.equal(stored.length, 2);
      const withDetail = stored.find((r) => 'http' in r);
      assert.deepEqual(withDetail?.http, detail, 'the query answers the requests, attributed to the session’s user');
      assert.equal(withDetail?.user, 'alice@solarco.example');
      assert.equal(stored.filter((r) => 'http' in r).length, 1, 'the record sent without detail has none');

      // export (JSON lines verifies offline with the detail in it; CSV shows it), SIEM line carries it
      const exported = (await mona.get('/api/v1/audit/plants/Park%20A/export')).body;
      const chained = exported.records.find((r: { recordId: string }) => r.recordId === 'px-d1');
      assert.deepEqual(chained.http, detail);
      const key = (await mona.get('/api/v1/audit/public-key')).body.publicKeyPem as string;
      const lines = jsonLines(exported).join('\n');
      assert.equal(verifyExport(lines, key).ok, true);
      assert.equal(verifyExport(lines.replace('/api/setpoint', '/api/other'), key).ok, false, 'an edited detail in an export fails offline verification');
      assert.match(csvLine(chained), /GET \/index\.html 200 ×2 3000\/400; POST \/api\/setpoint 403 ×1 50\/120/);
      const db = server.ctx.audit.store.db;
      const plantId = chained.plantId as string;
      const [streamed] = await recordsToStream(db, plantId, chained.seq - 1, null, 1);
      assert.deepEqual(JSON.parse(flowLine(streamed as never).json).http, detail, 'the SIEM line carries the requests');
      const [page] = await selectChainPage(db, plantId, chained.seq - 1, 1);
      assert.deepEqual(page?.http, detail);

      // tamper evidence: the detail is in the hash chain
      const verify = async () => (await mona.get('/api/v1/audit/plants/Park%20A/verify')).body;
      assert.equal((await verify()).ok, true);
      const row = await db.selectFrom('audit_http_requests').selectAll().where('plant_id', '=', plantId).where('seq', '=', chained.seq).executeTakeFirstOrThrow();
      await db.updateTable('audit_http_requests').set({ requests: row.requests.replace('"status":403', '"status":200') }).where('plant_id', '=', plantId).where('seq', '=', chained.seq).execute();
      const edited = await verify();
      assert.equal(edited.ok, false);
      assert.equal(edited.seq, chained.seq);
      assert.match(edited.problem, /edited/);
      await db.deleteFrom('audit_http_requests').where('plant_id', '=', plantId).where('seq', '=', chained.seq).execute();
      const removed = await verify();
      assert.equal(removed.ok, false, 'a removed detail is detected');
      assert.equal(removed.seq, chained.seq);
      await db.insertInto('audit_http_requests').values(row).execute();
      assert.equal((await verify()).ok, true, 'restoring the detail restores a verifying chain');
    });
  });
}
