import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatIpv4 } from '../../src/core/net/ipv4.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { baseFleet } from '../api/fleet-fixture.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { plantgate, type Run } from './support.ts';

/**
 * Issue 10 from the command line: the real `plantgate` binary against a real control
 * plane whose gateway delivered flows. `audit query --json` prints exactly the contract;
 * `audit verify` exits 0 with the counts, or non-zero naming the first failing record;
 * an export verifies offline with only the public key; a member is refused.
 */
describe('plantgate audit against a real control plane', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-audit-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const env = (who: string) => ({ PLANTGATE_CONFIG_DIR: join(work, who), PLANTGATE_SERVER: undefined, PLANTGATE_TOKEN: undefined });
  const as = (who: string, args: string[]): Promise<Run> => plantgate(args, env(who));
  let gw: { id: string; credential: string };
  let carolKey = '';
  let tunnelIp = '';

  before(async () => {
    server = await startTestServer();
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body.token });
    const carol = http(server.url, await login(server.url, 'carol@windserv.example', 'carol-password'));
    carolKey = generateWireGuardKeyPair().publicKey;
    gw = { id: enrolled.body.id, credential: enrolled.body.credential };
    assert.equal((await carol.post('/api/v1/vpn/profile', { publicKey: carolKey })).status, 201);
    const model = await server.ctx.fleet.fresh();
    const carolId = [...model.users.values()].find((u) => u.email === 'carol@windserv.example')?.id;
    tunnelIp = formatIpv4(model.profiles.get(carolId as never)?.tunnelIp as number);
    const now = Date.now();
    const records = [17, 17, 18].map((host, i) => ({
      id: `cli-${i}`,
      tunnelIp,
      destinationIp: `192.168.1.${host}`,
      protocol: 'tcp',
      port: host === 17 ? 80 : 502,
      connections: 1,
      bytesIn: 1000 * (i + 1),
      bytesOut: 100,
      firstSeen: new Date(now - 1000).toISOString(),
      lastSeen: new Date(now).toISOString(),
      session: null,
    }));
    const ingested = await http(server.url, enrolled.body.credential).post(`/api/v1/gateways/${enrolled.body.id}/flows`, { batchId: 'cli-batch', records, gaps: [] });
    assert.equal(ingested.body.stored, 3, JSON.stringify(ingested.body));
    for (const who of ['alice', 'bob']) {
      const r = await plantgate(['login', '--server', server.url, '--email', `${who}@solarco.example`, '--password-stdin'], env(who), `${who}-password\n`);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('issue 10 contract: audit query --json prints records with exactly the contract keys, gaps and next', async () => {
    const r = await as('alice', ['audit', 'query', '--plant', 'Park A', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const page = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(page), ['records', 'gaps', 'next']);
    assert.equal(page.records.length, 3);
    assert.deepEqual(Object.keys(page.records[0]), ['user', 'plant', 'subnet', 'deviceIp', 'protocol', 'port', 'connections', 'bytesIn', 'bytesOut', 'firstSeen', 'lastSeen', 'session']);
    assert.deepEqual(page.records.map((x: { user: string; deviceIp: string; port: number }) => [x.user, x.deviceIp, x.port]), [
      ['carol@windserv.example', '192.168.1.17', 80],
      ['carol@windserv.example', '192.168.1.17', 80],
      ['carol@windserv.example', '192.168.1.18', 502],
    ]);
    const device = JSON.parse((await as('alice', ['audit', 'query', '--plant', 'Park A', '--device', '192.168.1.18', '--json'])).stdout);
    assert.equal(device.records.length, 1);
    const table = await as('alice', ['audit', 'query', '--plant', 'Park A']);
    assert.match(table.stdout, /192\.168\.1\.17 \(inverter-1\)/);
  });

  it('A4 (issue 10 item 8): audit events lists the plant\u2019s direct VPN change, its user\u2019s profile and login, not another plant\u2019s edit; a member is refused', async () => {
    const alice = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
    const router = generateWireGuardKeyPair();
    const config = ['[Interface]', `PrivateKey = ${generateWireGuardKeyPair().privateKey}`, 'Address = 10.99.0.2/32', '', '[Peer]', `PublicKey = ${router.publicKey}`, 'Endpoint = router.park-a.example:51820', 'AllowedIPs = 10.41.0.0/24', ''].join('\n');
    const vpn = await alice.post('/api/v1/plants/Park%20A/direct-vpns', { name: 'Router A', direction: 'outgoing', protocol: 'wireguard', config });
    assert.equal(vpn.status, 201, JSON.stringify(vpn.body));
    assert.equal((await alice.post('/api/v1/orgs/SolarCo/plants/Park%20C/devices', { name: 'meter-c', ip: '10.30.0.9' })).status, 201);
    const r = await as('alice', ['audit', 'events', '--plant', 'Park A', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const page = JSON.parse(r.stdout) as { events: Array<{ kind: string; subject: string | null; details: Record<string, unknown> }>; next: string | null };
    const kinds = page.events.map((e) => `${e.kind} ${e.subject ?? ''}`.trim());
    assert.ok(kinds.includes('direct-vpn.created'), kinds.join(', '));
    assert.ok(kinds.includes('profile.issued carol@windserv.example'), kinds.join(', '));
    assert.ok(kinds.includes('auth.login carol@windserv.example'), kinds.join(', '));
    assert.ok(!page.events.some((e) => e.details.plant === 'Park C'), 'no event of Park C');
    const only = JSON.parse((await as('alice', ['audit', 'events', '--plant', 'Park A', '--kind', 'direct-vpn', '--json'])).stdout) as typeof page;
    assert.deepEqual(only.events.map((e) => e.kind), ['direct-vpn.created']);
    const text = await as('alice', ['audit', 'events', '--plant', 'Park A']);
    assert.match(text.stdout, /direct-vpn\.created/);
    const refused = await as('bob', ['audit', 'events', '--plant', 'Park A']);
    assert.equal(refused.code, 4, refused.stderr);
  });

  it('A2: a member is refused as if the plant did not exist (exit 4)', async () => {
    const r = await as('bob', ['audit', 'query', '--plant', 'Park A']);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stderr, /no plant you may audit/);
  });

  it('R10: audit verify exits 0 with the counts; after an edit in the database it exits non-zero naming the record', async () => {
    const ok = await as('alice', ['audit', 'verify', '--plant', 'Park A']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /verified 3 records and 1 checkpoints/);
    const db = server.ctx.audit.store.db;
    await db.updateTable('audit_flows').set({ bytes_in: 1 }).where('seq', '=', 2).execute();
    try {
      const bad = await as('alice', ['audit', 'verify', '--plant', 'Park A']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /FAILED at record #2 \(id cli-1\)/);
    } finally {
      await db.updateTable('audit_flows').set({ bytes_in: 2000 }).where('seq', '=', 2).execute();
    }
  });

  it('A3: an export as JSON lines verifies offline with only the public key; an edited line fails; CSV has a header and a row per record', async () => {
    const file = join(work, 'trail.jsonl');
    assert.equal((await as('alice', ['audit', 'export', '--plant', 'Park A', '--format', 'jsonl', '--output', file])).code, 0);
    const key = join(work, 'audit.pem');
    writeFileSync(key, (await as('alice', ['audit', 'public-key'])).stdout);
    const offline = await as('bob', ['audit', 'verify', '--file', file, '--public-key', key]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /verified 3 records and 1 checkpoints/);
    const edited = join(work, 'edited.jsonl');
    writeFileSync(edited, readFileSync(file, 'utf8').replace('"bytesIn":3000', '"bytesIn":30'));
    const failed = await as('bob', ['audit', 'verify', '--file', edited, '--public-key', key]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /record #3/);
    const csv = await as('alice', ['audit', 'export', '--plant', 'Park A', '--format', 'csv']);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0] as string, /^user,plant,subnet,deviceIp,protocol,port,connections,bytesIn,bytesOut,firstSeen,lastSeen,session,seq,/);
  });
  it('issue 10 items 1, 2: a record names the P7 session it belongs to (same user, gateway and time), and the page lists that session', async () => {
    const now = Math.floor(Date.now() / 1000);
    const gateway = http(server.url, gw.credential);
    const status = await gateway.post(`/api/v1/gateways/${gw.id}/status`, {
      appliedRevision: 1,
      version: 'test',
      lastError: null,
      peers: [{ publicKey: carolKey, endpoint: '81.2.69.160:40000', latestHandshake: now - 30, rxBytes: 5000, txBytes: 700 }],
    });
    assert.equal(status.status, 204, JSON.stringify(status.body));
    await server.ctx.daemonStatus.flush();
    const old = new Date((now - 7200) * 1000).toISOString();
    const before = { id: 'before-session', tunnelIp, destinationIp: '192.168.1.17', protocol: 'tcp', port: 80, connections: 1, bytesIn: 1, bytesOut: 1, firstSeen: old, lastSeen: old, session: null };
    const record = { id: 'in-session', tunnelIp, destinationIp: '192.168.1.17', protocol: 'tcp', port: 80, connections: 1, bytesIn: 10, bytesOut: 10, firstSeen: new Date((now - 20) * 1000).toISOString(), lastSeen: new Date((now - 10) * 1000).toISOString(), session: null };
    const ingested = await gateway.post(`/api/v1/gateways/${gw.id}/flows`, { batchId: 'session-batch', records: [before, record], gaps: [] });
    assert.equal(ingested.body.stored, 2, JSON.stringify(ingested.body));
    const stored = await server.ctx.store.db.selectFrom('vpn_sessions').select('id').executeTakeFirstOrThrow();
    const page = JSON.parse((await as('alice', ['audit', 'query', '--plant', 'Park A', '--json'])).stdout) as { records: Array<{ session: string | null; firstSeen: string }> };
    assert.deepEqual(Object.keys(page), ['records', 'gaps', 'next'], 'the --json contract is unchanged');
    assert.equal(page.records.at(-1)?.session, stored.id, 'the record inside the session names it');
    assert.equal(page.records.at(-2)?.session, null, 'a record two hours before the session belongs to none');
    const alice = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
    const api = await alice.get('/api/v1/audit/plants/Park%20A/records');
    assert.deepEqual(
      api.body.sessions.map((x: { id: string; user: string; sourceAddress: string; country: string; end: string | null }) => [x.id, x.user, x.sourceAddress, x.country, x.end]),
      [[stored.id, 'carol@windserv.example', '81.2.69.160:40000', 'GB', null]],
    );
  });
});
