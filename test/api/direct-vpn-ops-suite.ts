import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseWireGuardConfig } from '../../src/core/direct-vpn/wireguard-config.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;

const PARK_C = '/api/v1/plants/Park%20C/direct-vpns';

function upload(cidr: string): string {
  const agent = generateWireGuardKeyPair();
  const router = generateWireGuardKeyPair();
  return `[Interface]\nPrivateKey = ${agent.privateKey}\nAddress = 10.99.0.2/32\n\n[Peer]\nPublicKey = ${router.publicKey}\nEndpoint = router.park-c.example:51820\nAllowedIPs = ${cidr}\n`;
}

/** Direct VPN operations (issue 9 D7: live state, traffic, logs, diagnose, restart) and discovery (D11), against a real server. */
export function directVpnOpsSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`direct VPN operations and discovery API on ${engine}`, () => {
    let server: Server;
    let op: Client;
    let mona: Client;
    let bob: Client;
    let carol: Client;
    let agentC: { id: string; client: Client };
    let agentA: { id: string; client: Client };
    let vpnId = '';
    /** The server's clock, moved by the tests (reports 10 s apart give a rate). */
    let offsetMs = 0;
    const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));
    const enrol = async (plant: string) => {
      const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant });
      assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
      const agent = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
      const client = http(server.url, agent.credential);
      assert.equal((await client.post(`/api/v1/agents/${agent.id}/register`, { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
      return { id: agent.id as string, client };
    };
    const report = (id: string, fields: Record<string, unknown>) => ({ appliedRevision: 1, version: 'test', peers: [], lastError: null, directVpns: [{ id, since: new Date(Date.now() + offsetMs - 60_000).toISOString(), bytesIn: 0, bytesOut: 0, ...fields }] });
    const live = async () => (await mona.get(`${PARK_C}/Router%20C`)).body.live;

    before(async () => {
      server = await startTestServer({ database: await database() });
      server.ctx.now = () => new Date(Date.now() + offsetMs);
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const fleet = orgFleet();
      // carol (WindServ) is a Technical Manager of Park C within the cooperation: she sees its direct VPNs, read only
      fleet.organizations[0]?.cooperations[0]?.jobRoles.push({ user: 'carol@windserv.example', plant: 'Park C', role: 'technical-manager' });
      const applied = await op.post('/api/v1/admin/fleet', { document: fleet });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      mona = await as('mona@solarco.example', 'mona-password');
      bob = await as('bob@solarco.example', 'bob-password');
      carol = await as('carol@windserv.example', 'carol-password');
      const created = await mona.post(PARK_C, { name: 'Router C', direction: 'outgoing', protocol: 'wireguard', config: upload('10.40.0.0/24') });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      vpnId = created.body.vpn.id;
      agentC = await enrol('SolarCo/Park C');
      agentA = await enrol('SolarCo/Park A');
    });
    after(async () => server?.close());

    it('D7: before any report the state is unknown; a report gives state, since, bytes and — 10 s later — the rate; status writes move no revision', async () => {
      assert.deepEqual(await live(), { state: 'unknown', since: null, bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0, reportedAt: null });
      const revision = server.ctx.fleet.currentRevision();
      const doc = (await agentC.client.get(`/api/v1/agents/${agentC.id}/state`)).body;
      const poll = agentC.client.get(`/api/v1/agents/${agentC.id}/state?after=${doc.revision}&wait=2`);
      const since = new Date(Date.now() + offsetMs - 60_000).toISOString();
      assert.equal((await agentC.client.post(`/api/v1/agents/${agentC.id}/status`, report(vpnId, { state: 'connected', since, bytesIn: 1000, bytesOut: 500, logs: [{ at: since, text: 'started on pgv…' }] }))).status, 204);
      offsetMs += 10_000;
      assert.equal((await agentC.client.post(`/api/v1/agents/${agentC.id}/status`, report(vpnId, { state: 'connected', since, bytesIn: 21_000, bytesOut: 2500 }))).status, 204);
      const view = await live();
      assert.deepEqual([view.state, view.since, view.bytesIn, view.bytesOut], ['connected', since, 21_000, 2500]);
      // 20,000 and 2,000 bytes over the 10 s the clock moved (plus the real milliseconds between the requests)
      assert.ok(Math.abs(view.rateIn - 2000) < 20 && Math.abs(view.rateOut - 200) < 2, `${view.rateIn} ${view.rateOut}`);
      assert.equal(server.ctx.fleet.currentRevision(), revision, 'a status report is not a fleet write');
      const started = Date.now();
      await poll;
      assert.ok(Date.now() - started > 1000, 'the agent\u2019s long-poll was not woken by status reports');
      // warm (credential and direct-VPN maps are read once per revision): further reports cost no query
      const queries = server.ctx.store.queryCount();
      for (let i = 0; i < 3; i++) {
        assert.equal((await agentC.client.post(`/api/v1/agents/${agentC.id}/status`, report(vpnId, { state: 'connected', since, bytesIn: 21_000, bytesOut: 2500 }))).status, 204);
      }
      assert.equal(server.ctx.store.queryCount() - queries, 0, 'status reports with direct VPNs make no database query (written in the batched flush)');
      const listed = (await carol.get(PARK_C)).body.find((v: { name: string }) => v.name === 'Router C');
      assert.equal(listed.live.state, 'connected', 'the cooperation partner reads the live state too');
      // written with the daemons' status flush, read back by another replica (or after a restart)
      await server.ctx.daemonStatus.flush();
      const row = await server.ctx.store.db.selectFrom('direct_vpn_live').selectAll().where('direct_vpn_id', '=', vpnId).executeTakeFirstOrThrow();
      assert.deepEqual([row.state, Number(row.bytes_in), Number(row.rate_in)], ['connected', 21_000, 0], 'the last reports carried no new bytes: rate 0');
    });

    it('D7: logs and diagnose come from the latest report; another plant\u2019s agent cannot report this VPN', async () => {
      const logs = (await carol.get(`${PARK_C}/Router%20C/logs`)).body;
      assert.deepEqual(logs.lines.map((l: { text: string }) => l.text), ['started on pgv…']);
      assert.ok(logs.reportedAt);
      const connected = (await mona.get(`${PARK_C}/Router%20C/diagnose`)).body;
      assert.deepEqual([connected.state, connected.checks], ['connected', []]);

      const checks = [{ check: 'handshake', ok: false, detail: 'no handshake with router.park-c.example:51820 yet', fix: 'check the router' }];
      assert.equal((await agentA.client.post(`/api/v1/agents/${agentA.id}/status`, report(vpnId, { state: 'down', checks }))).status, 204);
      assert.equal((await live()).state, 'connected', 'Park A\u2019s agent does not speak for Park C\u2019s direct VPN');
      assert.equal((await agentC.client.post(`/api/v1/agents/${agentC.id}/status`, report(vpnId, { state: 'connecting', checks }))).status, 204);
      const diagnosis = (await mona.get(`${PARK_C}/Router%20C/diagnose`)).body;
      assert.equal(diagnosis.state, 'connecting');
      assert.deepEqual(diagnosis.checks, checks);
      assert.equal((await bob.get(`${PARK_C}/Router%20C/diagnose`)).status, 403, 'a member without a Technical Manager role on Park C');
    });

    it('D7: a report older than 90 s is "unknown" (the agent stopped reporting), diagnose says to check the agent', async () => {
      offsetMs += 120_000;
      assert.equal((await live()).state, 'unknown');
      const diagnosis = (await mona.get(`${PARK_C}/Router%20C/diagnose`)).body;
      assert.equal(diagnosis.checks[0].check, 'agent-reporting');
      assert.match(diagnosis.checks[0].fix, /agent/);
    });

    it('D7 restart: the generation moves in the agent\u2019s document and wakes its long-poll; it is an event; a disabled VPN is refused', async () => {
      const before = (await agentC.client.get(`/api/v1/agents/${agentC.id}/state`)).body;
      const generation = before.directVpns.find((v: { id: string }) => v.id === vpnId).restartGeneration;
      const poll = agentC.client.get(`/api/v1/agents/${agentC.id}/state?after=${before.revision}&wait=20`);
      const started = Date.now();
      const restarted = await mona.post(`${PARK_C}/Router%20C/restart`);
      assert.equal(restarted.status, 200, JSON.stringify(restarted.body));
      const moved = (await poll).body;
      assert.ok(Date.now() - started < 10_000);
      assert.equal(moved.directVpns.find((v: { id: string }) => v.id === vpnId).restartGeneration, generation + 1);
      const events = (await mona.get('/api/v1/orgs/SolarCo/events?kind=direct-vpn.restarted')).body.events;
      assert.equal(events.length, 1);
      assert.equal(events[0].details.directVpn, 'Router C');
      assert.equal((await carol.post(`${PARK_C}/Router%20C/restart`)).status, 403, 'cooperation users read only');
      assert.equal((await mona.post(`${PARK_C}/Router%20C/disable`)).status, 200);
      assert.equal((await live()).state, 'disabled');
      const refused = await mona.post(`${PARK_C}/Router%20C/restart`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'direct-vpn-disabled');
      assert.equal((await mona.get(`${PARK_C}/Router%20C/diagnose`)).body.state, 'disabled');
    });

    it('D9/D7: a hosted server\u2019s clients show connected, last seen and bytes from the agent\u2019s report (keyed by the peer\u2019s public key)', async () => {
      const created = await mona.post(PARK_C, { name: 'Hosted Ops', direction: 'hosted', protocol: 'wireguard', subnets: ['10.45.0.0/24'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const parsed = parseWireGuardConfig(created.body.credentials.profile);
      assert.ok(parsed.ok);
      const siteKey = wireGuardPublicKey(parsed.config.privateKey);
      const before = (await mona.get(`${PARK_C}/Hosted%20Ops/clients`)).body;
      assert.deepEqual([before[0].connected, before[0].lastSeen, before[0].bytesIn], [false, null, 0]);
      const lastSeen = new Date(Date.now() + offsetMs - 5000).toISOString();
      const clients = [{ client: siteKey, connected: true, endpoint: '203.0.113.9:40000', bytesIn: 700, bytesOut: 900, lastSeen }];
      const sent = await agentC.client.post(`/api/v1/agents/${agentC.id}/status`, report(created.body.vpn.id, { state: 'connected', clients }));
      assert.equal(sent.status, 204);
      const [site] = (await mona.get(`${PARK_C}/Hosted%20Ops/clients`)).body;
      assert.deepEqual([site.name, site.connected, site.lastSeen, site.bytesIn, site.bytesOut], ['plant-router', true, lastSeen, 700, 900]);
      offsetMs += 120_000;
      const [stale] = (await mona.get(`${PARK_C}/Hosted%20Ops/clients`)).body;
      assert.equal(stale.connected, false, 'the agent stopped reporting: nobody counts as connected');
    });

    it('D11: a discovery wakes the plant agent\u2019s long-poll, its answer lists hosts with mapped address and known device; hosts outside the request are dropped', async () => {
      const before = (await agentA.client.get(`/api/v1/agents/${agentA.id}/state`)).body;
      assert.deepEqual(before.discoveries, []);
      const poll = agentA.client.get(`/api/v1/agents/${agentA.id}/state?after=${before.revision}&wait=20`);
      const started = await mona.post('/api/v1/plants/Park%20A/discoveries', {});
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.equal(started.body.status, 'pending');
      assert.deepEqual(started.body.subnets, ['192.168.1.0/24']);
      assert.deepEqual(started.body.ports, [22, 80, 443, 502, 102, 44818, 4840]);
      const moved = (await poll).body;
      const request = moved.discoveries.find((d: { id: string }) => d.id === started.body.id);
      assert.ok(request, 'the request is in the agent\u2019s document');
      assert.ok(request.maxHosts <= 1024 && request.ratePerSecond <= 1000 && request.deadlineSeconds <= 600, JSON.stringify(request));
      assert.equal((await mona.post('/api/v1/plants/Park%20A/discoveries', {})).status, 409, 'one run per user and plant at a time');

      const result = {
        hosts: [
          { ip: '192.168.1.17', icmp: true, openPorts: [80, 502], rttMs: 0.4 },
          { ip: '192.168.1.30', icmp: false, openPorts: [4840], rttMs: null },
          { ip: '10.99.99.1', icmp: true, openPorts: [], rttMs: 1 },
        ],
        truncated: false,
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        error: null,
      };
      assert.equal((await agentC.client.post(`/api/v1/agents/${agentC.id}/discoveries/${started.body.id}`, result)).status, 404, 'another plant\u2019s agent cannot answer it');
      assert.equal((await agentA.client.post(`/api/v1/agents/${agentA.id}/discoveries/${started.body.id}`, result)).status, 204);
      assert.equal((await agentA.client.post(`/api/v1/agents/${agentA.id}/discoveries/${started.body.id}`, result)).status, 409, 'answered once');
      const shown = (await mona.get(`/api/v1/plants/Park%20A/discoveries/${started.body.id}`)).body;
      assert.equal(shown.status, 'done');
      const mapped = (await mona.get('/api/v1/orgs/SolarCo/plants/Park%20A')).body.subnets[0].mapped as string;
      assert.deepEqual(
        shown.hosts.map((h: { ip: string; vpnIp: string; openPorts: number[]; knownDevice: string | null }) => [h.ip, h.vpnIp?.split('.').slice(3).join(), h.openPorts, h.knownDevice]),
        [
          ['192.168.1.17', '17', [80, 502], 'inverter-1'],
          ['192.168.1.30', '30', [4840], null],
        ],
      );
      assert.ok(shown.hosts[0].vpnIp.startsWith(mapped.split('.').slice(0, 3).join('.')), `${shown.hosts[0].vpnIp} is in ${mapped}`);
      assert.equal((await agentA.client.get(`/api/v1/agents/${agentA.id}/state`)).body.discoveries.length, 0, 'answered: it leaves the document');
      const events = (await mona.get('/api/v1/orgs/SolarCo/events?kind=plant.discovery-started')).body.events;
      assert.equal(events.length, 1);
    });

    it('D11: bad input names the field; a Viewer may not probe; no agent → failed at once; no answer → expired with the reason', async () => {
      const outside = await mona.post('/api/v1/plants/Park%20A/discoveries', { subnets: ['10.1.0.0/24'] });
      assert.equal(outside.status, 400);
      assert.equal(outside.body.error.field, 'subnets.0');
      assert.match(outside.body.error.message, /not within a subnet of plant Park A/);
      const hostBits = await mona.post('/api/v1/plants/Park%20A/discoveries', { subnets: ['192.168.1.5/24'] });
      assert.equal(hostBits.status, 400);
      assert.match(hostBits.body.error.message, /host bits/);
      assert.equal((await bob.post('/api/v1/plants/Park%20A/discoveries', {})).status, 403);
      assert.equal((await carol.post('/api/v1/plants/Park%20A/discoveries', {})).status, 403, 'cooperation partners do not probe');

      const noAgent = await mona.post('/api/v1/plants/Park%20B/discoveries', {});
      assert.equal(noAgent.status, 201, JSON.stringify(noAgent.body));
      assert.equal(noAgent.body.status, 'failed');
      assert.match(noAgent.body.error, /has no agent/);

      const waiting = await mona.post('/api/v1/plants/Park%20A/discoveries', { subnets: ['192.168.1.0/28'], ports: [502] });
      assert.equal(waiting.status, 201, JSON.stringify(waiting.body));
      offsetMs += 10 * 60_000;
      const expired = (await mona.get(`/api/v1/plants/Park%20A/discoveries/${waiting.body.id}`)).body;
      assert.equal(expired.status, 'expired');
      assert.match(expired.error, /did not answer/);
      assert.equal((await agentA.client.get(`/api/v1/agents/${agentA.id}/state`)).body.discoveries.length, 0, 'an expired request is not handed out');
      const late = await agentA.client.post(`/api/v1/agents/${agentA.id}/discoveries/${waiting.body.id}`, { hosts: [], truncated: false, startedAt: 'x', finishedAt: 'y', error: null });
      assert.equal(late.status, 409);
      const next = await mona.post('/api/v1/plants/Park%20A/discoveries', { subnets: ['192.168.1.0/28'], ports: [502] });
      assert.equal(next.status, 201, 'an expired run does not block the next one');
      const stored = await server.ctx.store.db.selectFrom('discoveries').select(['status', 'error']).where('id', '=', waiting.body.id).executeTakeFirstOrThrow();
      assert.equal(stored.status, 'expired', 'expired runs are marked, not left pending');
      assert.match(stored.error ?? '', /did not answer/);
    });
  });
}

