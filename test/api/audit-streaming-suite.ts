import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { formatCidr, formatIpv4, parseIpv4 } from '../../src/core/net/ipv4.ts';
import type { SiemSinkConfig } from '../../src/core/audit/siem-sink.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { type RunningServer, startServer } from '../../src/server/main.ts';
import { SyslogReceiver, WebhookReceiver, until } from '../support/siem-receivers.ts';
import { OPERATOR, http, login } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

/**
 * SIEM streaming of the audit trail (issue 10 item 5, SPEC A2/A3): a real TCP syslog
 * listener, a real TLS syslog listener and a real HTTPS webhook (self-signed certificate
 * made here) receive every flow record and A4 event exactly as expected; an organization's
 * sink only its own plants'; a killed receiver and a restarted control plane lose nothing.
 */
export function auditStreamingSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`audit trail streamed to SIEM sinks on ${engine} (issue 10 item 5)`, { timeout: 180_000 }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantgate-siem-'));
    const secret = 'webhook-shared-secret-0123456789';
    let tls: { cert: string; key: string };
    const solarSyslog = new SyslogReceiver(null);
    let otherTls: SyslogReceiver;
    let webhook: WebhookReceiver;
    let server: RunningServer;
    let gateway: { id: string; credential: string };
    let userIp = '';
    let parkA = { id: '', mapped: 0 };
    let otherPark = { id: '', mapped: 0 };
    let n = 0;
    let databaseUrl: string | undefined;
    const expected = { solar: new Set<string>(), other: new Set<string>() };

    const start = async () => {
      const sinks: SiemSinkConfig[] = [
        { name: 'solar-syslog', organization: 'SolarCo', syslog: { host: '127.0.0.1', port: solarSyslog.port, transport: 'tcp', facility: 16 }, batch: 50 },
        {
          name: 'other-tls',
          organization: 'OtherCo',
          syslog: { host: '127.0.0.1', port: otherTls.port, transport: 'tls', ca: join(dataDir, 'cert.pem'), facility: 16 },
        },
        { name: 'soc-webhook', platform: true, webhook: { url: `https://127.0.0.1:${webhook.port}/ingest`, secret, ca: join(dataDir, 'cert.pem') }, batch: 80 },
      ];
      server = await startServer(
        {
          listen: '127.0.0.1:0',
          dataDir,
          database: databaseUrl,
          adminEmail: OPERATOR.email,
          adminPassword: OPERATOR.password,
          quiet: true,
          logWrite: () => undefined,
          audit: { sinks, streaming: { pollMs: 50, backoffMinMs: 50, backoffMaxMs: 400, replayWindowMs: 5000 } },
        },
        () => undefined,
      );
    };
    /** Ingests `count` flows to each plant, one batch per plant; remembers the ids each sink must receive. */
    const ingest = async (count: number) => {
      for (const plant of [parkA, otherPark]) {
        const records = Array.from({ length: count }, (_, i) => ({
          id: `r-${++n}`,
          tunnelIp: userIp,
          destinationIp: formatIpv4(plant.mapped + 17),
          protocol: 'tcp',
          port: 502,
          connections: 1,
          bytesIn: 100 + i,
          bytesOut: 10,
          firstSeen: new Date(Date.now() - 1000).toISOString(),
          lastSeen: new Date().toISOString(),
        }));
        const r = await fetch(`${server.url}/api/v1/gateways/${gateway.id}/flows`, {
          method: 'POST',
          headers: { authorization: `Bearer ${gateway.credential}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batchId: `b-${n}`, records, gaps: [] }),
        });
        const ack = (await r.json()) as { stored: number };
        assert.equal(ack.stored, count);
      }
      const heads = await server.ctx.audit.store.db.selectFrom('audit_chain_heads').selectAll().execute();
      for (const h of heads) {
        const target = h.plant_id === parkA.id ? expected.solar : expected.other;
        for (let seq = 1; seq <= Number(h.seq); seq++) target.add(`flow:${h.plant_id}:${seq}`);
      }
    };
    const flowIds = (r: SyslogReceiver | WebhookReceiver) => new Set(r.received.filter((x) => x.type === 'flow').map((x) => x.id));
    const all = () => new Set([...expected.solar, ...expected.other]);
    const hasAll = (got: Set<string>, want: Set<string>) => [...want].every((id) => got.has(id));
    const missing = (got: Set<string>, want: Set<string>) => `${[...want].filter((id) => !got.has(id)).length} of ${want.size} missing`;

    before(async () => {
      await promisify(execFile)('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=siem-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dataDir, 'key.pem'),
        '-out',
        join(dataDir, 'cert.pem'),
      ]);
      tls = { cert: readFileSync(join(dataDir, 'cert.pem'), 'utf8'), key: readFileSync(join(dataDir, 'key.pem'), 'utf8') };
      otherTls = new SyslogReceiver(tls);
      webhook = new WebhookReceiver(tls, secret);
      await Promise.all([solarSyslog.start(), otherTls.start(), webhook.start()]);
      databaseUrl = await database();
      await start();
      const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const fleet = baseFleet();
      fleet.users.push({ email: 'otto@otherco.example', name: 'Otto', password: 'otto-password' });
      fleet.organizations.push({
        name: 'OtherCo',
        members: [{ email: 'otto@otherco.example', role: 'admin' }],
        portfolios: [],
        plants: [{ name: 'Other Park', subnets: ['10.60.0.0/24'], devices: [] }],
        jobRoles: [],
        cooperations: [],
      });
      assert.equal((await op.post('/api/v1/admin/fleet', { document: fleet })).status, 200);
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
      const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
      const enrolled = await http(server.url).post('/api/v1/enrol', { token: created.body.token });
      gateway = { id: enrolled.body.id, credential: enrolled.body.credential };
      const carol = http(server.url, await login(server.url, 'carol@windserv.example', 'carol-password'));
      assert.equal((await carol.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey })).status, 201);
      const model = await server.ctx.fleet.fresh();
      const carolId = [...model.users.values()].find((u) => u.email === 'carol@windserv.example')?.id;
      userIp = formatIpv4(model.profiles.get(carolId as never)?.tunnelIp as number);
      for (const [name, set] of [
        ['Park A', (p: typeof parkA) => (parkA = p)],
        ['Other Park', (p: typeof parkA) => (otherPark = p)],
      ] as const) {
        const plant = [...model.plants.values()].find((p) => p.name === name);
        const mapped = formatCidr(model.subnetsOf(plant?.id as never)[0]?.mapped as never).split('/')[0] as string;
        set({ id: plant?.id as string, mapped: parseIpv4(mapped) as number });
      }
    });
    after(async () => {
      await server?.close();
      await Promise.all([solarSyslog.kill(), otherTls?.kill(), webhook?.kill()]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('A3: every record reaches each sink as an RFC 5424 message (TCP, TLS) or a signed JSON line (HTTPS), and an organization\u2019s sink only its own plants\u2019 (A2)', async () => {
      await ingest(120);
      await until(
        () => `solar syslog: ${missing(flowIds(solarSyslog), expected.solar)}`,
        () => hasAll(flowIds(solarSyslog), expected.solar),
      );
      await until(
        () => `other TLS: ${missing(flowIds(otherTls), expected.other)}`,
        () => hasAll(flowIds(otherTls), expected.other),
      );
      await until(
        () => `webhook: ${missing(flowIds(webhook), all())}`,
        () => hasAll(flowIds(webhook), all()),
      );
      assert.deepEqual(flowIds(solarSyslog), expected.solar, 'SolarCo\u2019s sink got exactly Park A\u2019s records');
      assert.deepEqual(flowIds(otherTls), expected.other, 'OtherCo\u2019s sink got exactly Other Park\u2019s records');
      assert.deepEqual(solarSyslog.malformed, []);
      assert.deepEqual(webhook.badSignatures, []);
      const first = solarSyslog.received.find((r) => r.id === `flow:${parkA.id}:1`);
      assert.match(first?.raw ?? '', /^<134>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ plantgate - flow - \{/);
      assert.equal(first?.json.plant, 'Park A');
      assert.equal(first?.json.deviceIp, '192.168.1.17');
      assert.equal(first?.json.port, 502);
      assert.equal(first?.json.user, 'carol@windserv.example');
      assert.equal(first?.json.organizationId, [...(await server.ctx.fleet.current()).organizations.values()].find((o) => o.name === 'SolarCo')?.id);
    });

    it('A4: events reach the platform sink; an organization\u2019s sink gets the events of its plants and no other organization\u2019s', async () => {
      const alice = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
      const otto = http(server.url, await login(server.url, 'otto@otherco.example', 'otto-password'));
      const orgs = await alice.get('/api/v1/orgs');
      const solar = (orgs.body as Array<{ id: string; name: string }>).find((o) => o.name === 'SolarCo');
      assert.equal((await alice.post(`/api/v1/orgs/${solar?.id}/plants/Park%20A/devices`, { name: 'meter-9', ip: '192.168.1.90' })).status, 201);
      const events = (r: SyslogReceiver | WebhookReceiver) => r.received.filter((x) => x.type === 'event').map((x) => x.json);
      await until(
        () => `device event in solar sink: ${JSON.stringify(events(solarSyslog).map((e) => e.kind))}`,
        () => events(solarSyslog).some((e) => e.kind === 'org.device-added'),
      );
      await until(
        () => 'login events at the webhook',
        () => events(webhook).some((e) => e.kind === 'auth.login' && e.subject === 'otto@otherco.example'),
      );
      // The webhook streams on its own schedule: the login above may arrive before the device event does.
      await until(
        () => `the platform sink has the device event too: ${JSON.stringify(events(webhook).map((e) => e.kind))}`,
        () => events(webhook).some((e) => e.kind === 'org.device-added'),
      );
      assert.ok(!events(otherTls).some((e) => e.kind === 'org.device-added'), 'OtherCo\u2019s sink has no SolarCo device event');
      assert.ok(!events(solarSyslog).some((e) => e.subject === 'otto@otherco.example'), 'SolarCo\u2019s sink has no OtherCo user\u2019s login');
      assert.ok(
        events(solarSyslog).some((e) => e.kind === 'profile.issued' && e.subject === 'carol@windserv.example'),
        'the profile of Park A\u2019s user (through the cooperation)',
      );
      void otto;
    });

    it('at least once: a syslog receiver killed mid-stream and an HTTPS webhook failing with 503 lose nothing once they are back', async () => {
      const received = solarSyslog.received.length;
      solarSyslog.crashAt = received + 75;
      webhook.failNext = 5;
      await ingest(300);
      await until(
        () => 'the syslog receiver crashed mid-stream',
        () => solarSyslog.crashed !== null,
      );
      await solarSyslog.crashed;
      const atCrash = flowIds(solarSyslog).size;
      assert.ok(atCrash < expected.solar.size, `the receiver crashed before it had everything (${atCrash} of ${expected.solar.size})`);
      await ingest(50);
      await new Promise((r) => setTimeout(r, 300));
      await solarSyslog.start();
      await until(
        () => `solar syslog after its restart: ${missing(flowIds(solarSyslog), expected.solar)}`,
        () => hasAll(flowIds(solarSyslog), expected.solar),
        30_000,
      );
      await until(
        () => `webhook after 503s: ${missing(flowIds(webhook), all())}`,
        () => hasAll(flowIds(webhook), all()),
        30_000,
      );
      assert.equal(webhook.failNext, 0, 'the webhook was retried through its failures');
      assert.deepEqual(flowIds(solarSyslog), expected.solar, 'still only Park A\u2019s records');
    });

    it('resumable: after a restart of the control plane the sinks continue from their cursors (nothing lost, nothing resent from the start)', async () => {
      await until(
        () => 'webhook caught up',
        () => hasAll(flowIds(webhook), all()),
      );
      const before = webhook.received.length;
      await server.close();
      await start();
      await ingest(40);
      await until(
        () => `webhook after the restart: ${missing(flowIds(webhook), all())}`,
        () => hasAll(flowIds(webhook), all()),
        30_000,
      );
      await until(
        () => `syslog after the restart: ${missing(flowIds(solarSyslog), expected.solar)}`,
        () => hasAll(flowIds(solarSyslog), expected.solar),
        30_000,
      );
      const resent = webhook.received.slice(before).filter((r) => r.type === 'flow').length - 80;
      assert.ok(resent <= 80, `at most one batch is sent again after the restart, not the whole trail (${resent} resent)`);
    });
  });
}
