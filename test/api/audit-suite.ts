import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { recordKey } from '../../src/core/audit/identity.ts';
import { commitGroupStats } from '../../src/server/features/audit/commit-group.ts';
import { chainTipsOf } from '../../src/server/features/audit/chain-tips.ts';
import { formatCidr, formatIpv4 } from '../../src/core/net/ipv4.ts';
import { checkpointQuietHeads, purgeExpired } from '../../src/server/features/audit/retention-service.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

/**
 * The audit store end to end on the server (issue 10 items 2–7): a gateway posts flow
 * batches; the trail is attributed, chained, signed, queried, verified and purged; only
 * Admins and Moderators of the plant's organization read it. Run on SQLite and PostgreSQL.
 */
export function auditSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`audit store on ${engine} (issue 10)`, () => {
    let server: RunningServer & { dataDir: string };
    let databaseUrl: string | undefined;
    let op: ReturnType<typeof http>;
    let gateway: { id: string; credential: string };
    const as: Record<string, ReturnType<typeof http>> = {};
    let userIp = '';
    let parkAMapped = '';
    let batchNo = 0;
    let recordNo = 0;

    const ingest = (body: unknown, gw = gateway): Promise<{ status: number; body: any }> =>
      fetch(`${server.url}/api/v1/gateways/${gw.id}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const flow = (destinationIp: string, port: number, extra: Record<string, unknown> = {}) => ({
      id: `rec-${++recordNo}`,
      tunnelIp: userIp,
      destinationIp,
      protocol: 'tcp',
      port,
      connections: 2,
      bytesIn: 4096,
      bytesOut: 512,
      firstSeen: new Date(server.ctx.now().getTime() - 5000).toISOString(),
      lastSeen: server.ctx.now().toISOString(),
      session: 'sess-1',
      ...extra,
    });
    const batch = (records: unknown[], gaps: unknown[] = []) => ({ batchId: `batch-${++batchNo}`, records, gaps });
    const mapped = (host: number) => formatIpv4(Number(parkAMapped.split('.').reduce((a, o) => a * 256 + Number(o), 0)) + host);
    const parkA = () => encodeURIComponent('Park A');
    const records = async (who = 'alice', q = '') => (as[who] as ReturnType<typeof http>).get(`/api/v1/audit/plants/${parkA()}/records${q}`);
    const verify = async (plant = parkA()) => (await as.alice?.get(`/api/v1/audit/plants/${plant}/verify`))?.body;
    const flows = () => server.ctx.audit.store.db;
    const plantId = async () => [...(await server.ctx.fleet.current()).plants.values()].find((p) => p.name === 'Park A')?.id as string;

    before(async () => {
      databaseUrl = await database();
      server = await startTestServer({ database: databaseUrl });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const fleet = baseFleet();
      fleet.users.push(
        { email: 'mona@solarco.example', name: 'Mona', password: 'mona-password' },
        { email: 'otto@otherco.example', name: 'Otto', password: 'otto-password' },
      );
      fleet.organizations[0]?.members.push({ email: 'mona@solarco.example', role: 'moderator' });
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
      for (const [who, email] of [
        ['alice', 'alice@solarco.example'],
        ['mona', 'mona@solarco.example'],
        ['bob', 'bob@solarco.example'],
        ['carol', 'carol@windserv.example'],
        ['otto', 'otto@otherco.example'],
      ] as const) {
        as[who] = http(server.url, await login(server.url, email, `${who}-password`));
      }
      as.operator = op;
      // Carol (WindServ, operator on Park A through the cooperation) is the connected user: her one route to 192.168.1.0/24 is native.
      assert.equal((await as.carol?.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey }))?.status, 201);
      const model = await server.ctx.fleet.fresh();
      const carol = [...model.users.values()].find((u) => u.email === 'carol@windserv.example');
      userIp = formatIpv4(model.profiles.get(carol?.id as never)?.tunnelIp as number);
      const plantA = [...model.plants.values()].find((p) => p.name === 'Park A');
      const subnet = model.subnetsOf(plantA?.id as never)[0];
      parkAMapped = formatCidr(subnet?.mapped as never).split('/')[0] as string;
    });
    after(async () => server?.close());

    it('issue 10: the audit store is its own part of the schema (SQLite: its own 0600 file; PostgreSQL: audit_flows partitioned by day)', async () => {
      const fleetTables = await server.ctx.store.db.introspection.getTables();
      if (engine === 'SQLite') {
        assert.equal(fleetTables.some((t) => t.name.startsWith('audit_')), false, 'no audit table in the fleet database');
        const file = join(server.dataDir, 'plantgate-audit.db');
        assert.equal(statSync(file).mode & 0o777, 0o600);
      } else {
        const kind = await sql<{ relkind: string }>`select relkind from pg_class where relname = 'audit_flows'`.execute(flows());
        assert.equal(kind.rows[0]?.relkind, 'p', 'audit_flows is a partitioned table');
      }
      const auditTables = (await flows().introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('audit_flows_s'));
      for (const table of ['audit_flows', 'audit_segments', 'audit_gaps', 'audit_chain_heads', 'audit_checkpoints', 'audit_batches', 'audit_keys']) {
        assert.ok(auditTables.includes(table), `${table} in ${auditTables.join(', ')}`);
      }
      const key = await flows().selectFrom('audit_keys').selectAll().executeTakeFirstOrThrow();
      assert.doesNotMatch(key.private_sealed, /PRIVATE KEY/, 'the signing key is sealed at rest');
    });

    it('A1: a flow to a mapped address is attributed to user, plant, subnet, device (with its name) and session', async () => {
      const r = await ingest(batch([flow(mapped(17), 502)]));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body, { batchId: `batch-${batchNo}`, duplicate: false, stored: 1, alreadyStored: 0, unattributed: 0, gaps: 0 });
      const page = await records();
      assert.equal(page?.status, 200, JSON.stringify(page?.body));
      const [record] = page.body.records;
      assert.deepEqual(
        { ...record, firstSeen: undefined, lastSeen: undefined },
        {
          user: 'carol@windserv.example',
          plant: 'Park A',
          subnet: '192.168.1.0/24',
          deviceIp: '192.168.1.17',
          protocol: 'tcp',
          port: 502,
          connections: 2,
          bytesIn: 4096,
          bytesOut: 512,
          firstSeen: undefined,
          lastSeen: undefined,
          session: 'sess-1',
          seq: 1,
          mappedSubnet: `${parkAMapped}/24`,
          deviceName: 'inverter-1',
          tunnelIp: userIp,
        },
      );
      assert.equal(page?.body.next, null);
    });

    it('A1: a flow to a native address is attributed through the user\u2019s own native route', async () => {
      const r = await ingest(batch([flow('192.168.1.18', 80)]));
      assert.equal(r.body.stored, 1);
      const page = await records('alice', '?device=192.168.1.18');
      assert.deepEqual(
        page?.body.records.map((x: { plant: string; deviceIp: string; deviceName: string | null }) => [x.plant, x.deviceIp, x.deviceName]),
        [['Park A', '192.168.1.18', null]],
      );
    });

    it('A5: a retried batch is not stored twice, and a record resent in another batch is stored once', async () => {
      const first = batch([flow(mapped(20), 443), flow(mapped(21), 443)]);
      const a = await ingest(first);
      const b = await ingest(first);
      assert.equal(a.body.stored, 2);
      assert.deepEqual(b.body, { ...a.body, duplicate: true });
      const rebatched = await ingest(batch([first.records[1], flow(mapped(22), 443)]));
      assert.deepEqual([rebatched.body.stored, rebatched.body.alreadyStored], [1, 1]);
      const stored = await records('alice', '?device=192.168.1.21');
      assert.equal(stored?.body.records.length, 1);
    });

    it('A5 (0017): a new record whose record key equals a stored record’s is stored, not taken for a duplicate', async () => {
      const stored = batch([flow(mapped(23), 443)]);
      assert.equal((await ingest(stored)).body.stored, 1);
      const next = batch([flow(mapped(24), 443)]);
      const gatewayId = (
        await flows()
          .selectFrom('audit_flows as f')
          .innerJoin('audit_identities as i', 'i.id', 'f.identity_id')
          .select('i.gateway_id')
          .where('f.record_id', '=', (stored.records[0] as { id: string }).id)
          .executeTakeFirstOrThrow()
      ).gateway_id;
      // A key collision, made by hand: the stored record now carries the new record's key.
      await flows()
        .updateTable('audit_flows')
        .set({ record_key: recordKey(gatewayId, (next.records[0] as { id: string }).id, (next.records[0] as { firstSeen: string }).firstSeen) })
        .where('record_id', '=', (stored.records[0] as { id: string }).id)
        .execute();
      const ack = await ingest(next);
      assert.deepEqual([ack.body.stored, ack.body.alreadyStored], [1, 0]);
      assert.equal((await records('alice', '?device=192.168.1.24'))?.body.records.length, 1);
    });

    it('A5/B6: records resent in batches ingested concurrently are each stored once (the lookup before the chain-head locks is rechecked under them)', async () => {
      const shared = [flow(mapped(40), 443), flow(mapped(41), 443), flow(mapped(42), 443)];
      const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => ingest(batch([...shared, flow(mapped(43), 1000 + i)]))));
      assert.deepEqual(acks.map((a) => a.status), Array(8).fill(200));
      const stored = acks.reduce((n, a) => n + a.body.stored, 0);
      const already = acks.reduce((n, a) => n + a.body.alreadyStored, 0);
      assert.deepEqual([stored, already], [3 + 8, 3 * 7]);
      for (const ip of ['192.168.1.40', '192.168.1.41', '192.168.1.42']) {
        assert.equal((await records('alice', `?device=${ip}`))?.body.records.length, 1, ip);
      }
    });

    // PostgreSQL only: SQLite has no predicted heads (its transaction holds the write lock).
    if (engine === 'PostgreSQL') it('B6: eight batches in flight on one control plane chain behind each other as predicted: none runs again, none fails, the chain verifies', async () => {
      const tips = chainTipsOf(server.ctx.audit.store);
      const fallbacks = tips.fallbacks;
      const before = (await verify()).records as number;
      for (let round = 0; round < 3; round++) {
        const batches = Array.from({ length: 8 }, (_, i) => batch(Array.from({ length: 60 }, (_, k) => flow(mapped(60 + (k % 7)), 3000 + round * 1000 + i * 60 + k))));
        const acks = await Promise.all(batches.map((b) => ingest(b)));
        assert.deepEqual(acks.map((a) => a.status), Array(8).fill(200), JSON.stringify(acks.find((a) => a.status !== 200)?.body));
        assert.deepEqual(acks.map((a) => a.body.stored), Array(8).fill(60));
      }
      assert.equal(tips.fallbacks - fallbacks, 0, 'a batch chained on a wrong prediction within one control plane');
      const v = await verify();
      assert.equal(v.ok, true, JSON.stringify(v));
      assert.equal(v.records, before + 3 * 8 * 60);
    });

    // SQLite only: PostgreSQL's batches run side by side and queue only on the chain-head locks.
    if (engine === 'SQLite') it('B6: batches posted at once share SQLite commits; each is acknowledged with its own counts; the chain verifies', async () => {
      const before = (await verify()).records as number;
      const shared = commitGroupStats(server.ctx.audit.store) ?? { commits: 0, batches: 0 };
      // Over 1,000 records each: a batch's insert yields between chunks, and the next batch is parsed meanwhile.
      const sizes = [2000, 2001, 2002, 2003, 2004, 2005];
      const batches = sizes.map((size, i) => batch(Array.from({ length: size }, (_, k) => flow(mapped(110 + (k % 5)), 10_000 + i * 3000 + k))));
      const acks = await Promise.all(batches.map((b) => ingest(b)));
      assert.deepEqual(acks.map((a) => a.status), Array(6).fill(200));
      assert.deepEqual(acks.map((a) => a.body.stored), sizes);
      assert.deepEqual(acks.map((a) => a.body.batchId), batches.map((b) => b.batchId));
      const after = commitGroupStats(server.ctx.audit.store) ?? { commits: 0, batches: 0 };
      assert.equal(after.batches - shared.batches, 6);
      assert.ok(after.commits - shared.commits < 6, `6 batches in ${after.commits - shared.commits} commits`);
      const v = await verify();
      assert.equal(v.ok, true, JSON.stringify(v));
      assert.equal(v.records, before + 12_015);
    });

    // PostgreSQL only: a SQLite store has one control plane per database file.
    if (engine === 'PostgreSQL') it('A3/B6: two control planes on one database ingest into the same plants at once: each record stored once, every chain verifies', async () => {
      // The second replica's batches move the heads the first one predicted (and back): each
      // side's copies before the locks meet the other's, and fall back to locking first.
      const replica = await startTestServer({ database: databaseUrl as string, replicaOf: server.dataDir });
      try {
        const ingestAt = (url: string, body: unknown): Promise<{ status: number; body: any }> =>
          fetch(`${url}/api/v1/gateways/${gateway.id}/flows`, {
            method: 'POST',
            headers: { authorization: `Bearer ${gateway.credential}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }).then(async (r) => ({ status: r.status, body: await r.json() }));
        const before = (await verify()).records as number;
        const resent = [flow(mapped(50), 443), flow(mapped(51), 443)];
        const batches = Array.from({ length: 12 }, (_, i) => batch([...(i % 3 === 0 ? resent : []), ...Array.from({ length: 40 }, (_, k) => flow(mapped(52 + (k % 5)), 2000 + i * 40 + k))]));
        const acks = await Promise.all(batches.map((b, i) => ingestAt(i % 2 === 0 ? server.url : replica.url, b)));
        assert.deepEqual(acks.map((a) => a.status), Array(12).fill(200), JSON.stringify(acks.find((a) => a.status !== 200)?.body));
        const stored = acks.reduce((n, a) => n + a.body.stored, 0);
        assert.equal(stored, 2 + 12 * 40, 'every record once: the resent ones too');
        assert.equal(acks.reduce((n, a) => n + a.body.alreadyStored, 0), 2 * 3);
        const v = await verify();
        assert.equal(v.ok, true, JSON.stringify(v));
        assert.equal(v.records, before + stored);
        // And the first replica goes on predicting correctly after the other moved its heads.
        assert.equal((await ingest(batch([flow(mapped(57), 443)]))).body.stored, 1);
        assert.equal((await verify()).ok, true);
      } finally {
        await replica.close();
      }
    });

    it('A5: a destination in no plant subnet and a reported gap are recorded as gaps, never dropped silently', async () => {
      const now = server.ctx.now().toISOString();
      const r = await ingest(batch([flow('172.31.9.9', 22)], [{ id: 'gap-1', from: now, to: now, reason: 'conntrack: 12 events lost (ENOBUFS)' }]));
      assert.deepEqual([r.body.stored, r.body.unattributed, r.body.gaps], [0, 1, 2]);
      const page = await records();
      const reasons = page?.body.gaps.map((g: { reason: string }) => g.reason);
      assert.ok(reasons.includes('conntrack: 12 events lost (ENOBUFS)'), JSON.stringify(reasons));
      assert.ok(reasons.some((x: string) => /1 flow record\(s\) whose destination is in no plant subnet/.test(x)), JSON.stringify(reasons));
    });

    it('bad input: a batch with a bad record is refused naming the field, and nothing of it is stored', async () => {
      const before = (await records())?.body.records.length;
      const r = await ingest(batch([flow(mapped(30), 502), flow(mapped(31), 70000)]));
      assert.equal(r.status, 400);
      assert.match(JSON.stringify(r.body), /records\[1\]\.port/);
      const bad = await ingest(batch([flow(mapped(32), 502, { firstSeen: '2030-01-02T00:00:00Z', lastSeen: '2030-01-01T00:00:00Z' })]));
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /lastSeen/);
      assert.equal((await records())?.body.records.length, before);
    });

    it('query: filters by user, device and time, pages by cursor (the issue 10 contract shape)', async () => {
      const all = (await records('alice', '?limit=2'))?.body;
      assert.equal(all.records.length, 2);
      assert.ok(all.next);
      const next = (await records('alice', `?limit=2&cursor=${all.next}`))?.body;
      assert.ok(next.records[0].seq > all.records[1].seq);
      assert.equal((await records('alice', '?user=nobody@solarco.example'))?.body.records.length, 0);
      assert.ok((await records('alice', '?user=carol@windserv.example'))?.body.records.length >= 5);
      assert.equal((await records('alice', '?to=2000-01-01T00:00:00Z'))?.body.records.length, 0);
      assert.equal((await records('alice', '?device=not-an-ip'))?.status, 400);
    });

    it('B7: a record delivered days late (spooled) is found by the day query of the day it was seen; an empty day answers none', async () => {
      const day = 86_400_000;
      const seen = new Date(Math.floor(server.ctx.now().getTime() / day) * day - 3 * day + 3_600_000);
      const late = flow(mapped(42), 4840, { firstSeen: new Date(seen.getTime() - 5000).toISOString(), lastSeen: seen.toISOString() });
      assert.equal((await ingest(batch([late])))?.body.stored, 1);
      const dayOf = (t: number) => new Date(Math.floor(t / day) * day).toISOString();
      const window = (t: number) => `?from=${dayOf(t)}&to=${dayOf(t + day)}`;
      const thatDay = (await records('alice', window(seen.getTime())))?.body;
      assert.deepEqual(
        thatDay.records.map((r: { port: number; firstSeen: string }) => [r.port, r.firstSeen]),
        [[4840, late.firstSeen]],
      );
      assert.equal((await records('alice', window(seen.getTime() - 10 * day)))?.body.records.length, 0);
      assert.ok(!(await records('alice', window(server.ctx.now().getTime())))?.body.records.some((r: { port: number }) => r.port === 4840));
    });

    it('A5: renames and a re-mapping never rewrite history: old records keep the old names and mapped prefix', async () => {
      const oldMapped = `${parkAMapped}/24`;
      // Re-map: another subnet takes the freed mapped prefix, then the native subnet comes back under a new one.
      assert.equal((await op.delete(`/api/v1/orgs/SolarCo/plants/${parkA()}/subnets/${encodeURIComponent('192.168.1.0/24')}?confirm=true`)).status, 200);
      assert.equal((await op.post(`/api/v1/orgs/SolarCo/plants/${encodeURIComponent('Park C')}/subnets`, { cidr: '10.31.0.0/24' })).status, 201);
      assert.equal((await op.post(`/api/v1/orgs/SolarCo/plants/${parkA()}/subnets`, { cidr: '192.168.1.0/24' })).status, 201);
      // The device went with its subnet (SPEC D8); it comes back under another name.
      assert.equal((await op.post(`/api/v1/orgs/SolarCo/plants/${parkA()}/devices`, { name: 'inverter-renamed', ip: '192.168.1.17', kind: 'inverter', ports: [502] })).status, 201);
      assert.equal((await op.put(`/api/v1/orgs/SolarCo/plants/${parkA()}`, { name: 'Park A renamed' })).status, 200);
      const model = await server.ctx.fleet.fresh();
      const plant = [...model.plants.values()].find((p) => p.name === 'Park A renamed');
      const newMapped = formatCidr(model.subnetsOf(plant?.id as never)[0]?.mapped as never);
      assert.notEqual(newMapped, oldMapped, 'precondition: the subnet has a new mapped prefix');
      const history = (await as.alice?.get(`/api/v1/audit/plants/${plant?.id}/records?device=192.168.1.17`))?.body.records;
      assert.deepEqual(
        history.map((r: { plant: string; mappedSubnet: string; deviceName: string }) => [r.plant, r.mappedSubnet, r.deviceName]),
        [['Park A', oldMapped, 'inverter-1']],
      );
      parkAMapped = newMapped.split('/')[0] as string;
      await ingest(batch([flow(mapped(17), 502)]));
      const both = (await as.alice?.get(`/api/v1/audit/plants/${plant?.id}/records?device=192.168.1.17`))?.body.records;
      assert.deepEqual(
        both.map((r: { plant: string; mappedSubnet: string; deviceName: string }) => [r.plant, r.mappedSubnet, r.deviceName]),
        [
          ['Park A', oldMapped, 'inverter-1'],
          ['Park A renamed', newMapped, 'inverter-renamed'],
        ],
      );
      assert.equal((await op.put(`/api/v1/orgs/SolarCo/plants/${plant?.id}`, { name: 'Park A' })).status, 200);
    });

    it('issue 10: a fleet write during a large ingest does not wait for the ingest to commit (separate store)', async () => {
      const big = batch(Array.from({ length: 10_000 }, (_, i) => flow(mapped(100 + (i % 100)), 502)));
      const done: string[] = [];
      // Signals when the ingest's transaction on the audit store is open (the fleet write then starts).
      const db = flows();
      const original = db.transaction.bind(db);
      let opened: () => void = () => undefined;
      const open = new Promise<void>((resolve) => {
        opened = resolve;
      });
      db.transaction = () => {
        const builder = original();
        const execute = builder.execute.bind(builder);
        return Object.assign(Object.create(builder), {
          execute: (work: (trx: unknown) => Promise<unknown>) =>
            execute(async (trx) => {
              opened();
              return work(trx);
            }),
        });
      };
      const ingesting = ingest(big).then((r) => {
        done.push('ingest');
        return r;
      });
      await open;
      db.transaction = original;
      const region = await op.post('/api/v1/admin/regions', { name: 'during-ingest', endpoint: 'vpn3.example.test:51820' });
      done.push('fleet write');
      assert.equal(region.status, 201);
      assert.equal((await ingesting).body.stored, 10_000);
      assert.deepEqual(done, ['fleet write', 'ingest']);
    });

    it('A2: Admins and Moderators of the owning organization read the trail; a member, the connected user (a partner), another org and the operator get the answer of a missing plant', async () => {
      for (const who of ['alice', 'mona']) assert.equal((await records(who))?.status, 200, who);
      const missing = await as.alice?.get('/api/v1/audit/plants/No%20Such%20Plant/records');
      assert.equal(missing?.status, 404);
      for (const who of ['bob', 'carol', 'otto', 'operator']) {
        for (const path of ['records', 'verify', 'export']) {
          const refused = await as[who]?.get(`/api/v1/audit/plants/${parkA()}/${path}`);
          assert.equal(refused?.status, 404, `${who} ${path}`);
          assert.deepEqual(refused?.body, missing?.body, `${who} ${path}: the refusal must look like a missing plant`);
        }
      }
      assert.equal((await as.otto?.get(`/api/v1/audit/plants/${encodeURIComponent('Other Park')}/records`))?.status, 200);
      assert.equal((await as.alice?.get(`/api/v1/audit/plants/${encodeURIComponent('Other Park')}/records`))?.status, 404);
    });

    it('A2: platform operators read trails only when the server config says so', async () => {
      server.ctx.audit.operatorsMayRead = true;
      try {
        assert.equal((await records('operator'))?.status, 200);
      } finally {
        server.ctx.audit.operatorsMayRead = false;
      }
      assert.equal((await records('operator'))?.status, 404);
    });

    it('A3: an untouched chain verifies, with counts; the public key is exportable', async () => {
      const v = await verify();
      assert.equal(v.ok, true, JSON.stringify(v));
      const stored = await flows().selectFrom('audit_flows').select((eb) => eb.fn.countAll().as('n')).where('plant_id', '=', await plantId()).executeTakeFirstOrThrow();
      assert.equal(v.records, Number(stored.n));
      assert.ok(v.records > 10_000, 'more than one verification page');
      assert.ok(v.checkpoints >= 1);
      const key = (await http(server.url).get('/api/v1/audit/public-key')).body;
      assert.match(key.publicKeyPem, /BEGIN PUBLIC KEY/);
      assert.match(key.fingerprint, /^sha256:[0-9a-f]{64}$/);
    });

    it('A3: the server signs a quiet plant\u2019s chain head once the checkpoint interval has passed', async () => {
      const model = await server.ctx.fleet.current();
      const other = [...model.plants.values()].find((p) => p.name === 'Other Park');
      const otherMapped = model.subnetsOf(other?.id as never)[0]?.mapped.start as number;
      // A tunnel address nobody holds: the record is kept, with no user (A5).
      await ingest(batch([flow(formatIpv4(otherMapped + 5), 22, { tunnelIp: '100.127.255.254' })]));
      await ingest(batch([flow(formatIpv4(otherMapped + 6), 22, { tunnelIp: '100.127.255.254' })]));
      const otto = (await as.otto?.get(`/api/v1/audit/plants/${encodeURIComponent('Other Park')}/verify`))?.body;
      assert.deepEqual([otto.ok, otto.records, otto.unsignedTail], [true, 2, 1], JSON.stringify(otto));
      const unknown = (await as.otto?.get(`/api/v1/audit/plants/${encodeURIComponent('Other Park')}/records`))?.body.records;
      assert.deepEqual(unknown.map((r: { user: string | null }) => r.user), [null, null]);
      const start = server.ctx.now;
      server.ctx.now = () => new Date(start().getTime() + 61_000);
      try {
        assert.ok((await checkpointQuietHeads(server.ctx)) >= 1, "Other Park's head (and any other moved one) is signed");
        const signed = (await as.otto?.get(`/api/v1/audit/plants/${encodeURIComponent('Other Park')}/verify`))?.body;
        assert.deepEqual([signed.ok, signed.records, signed.checkpoints, signed.unsignedTail], [true, 2, 2, 0], JSON.stringify(signed));
      } finally {
        server.ctx.now = start;
      }
    });

    it('A3: a chain head already in a later day (a replica whose clock ran ahead) is continued in that day, and the chain verifies', async () => {
      const model = await server.ctx.fleet.current();
      const other = [...model.plants.values()].find((p) => p.name === 'Other Park');
      const otherMapped = model.subnetsOf(other?.id as never)[0]?.mapped.start as number;
      const start = server.ctx.now;
      server.ctx.now = () => new Date(start().getTime() + 86_400_000);
      try {
        assert.equal((await ingest(batch([flow(formatIpv4(otherMapped + 7), 22, { tunnelIp: '100.127.255.254' })]))).body.stored, 1);
      } finally {
        server.ctx.now = start;
      }
      assert.equal((await ingest(batch([flow(formatIpv4(otherMapped + 8), 23, { tunnelIp: '100.127.255.254' })]))).body.stored, 1);
      const rows = await flows().selectFrom('audit_flows').select(['seq', 'segment']).where('plant_id', '=', other?.id as string).orderBy('seq').execute();
      const today = Math.floor(start().getTime() / 86_400_000);
      assert.deepEqual(rows.slice(-2).map((r) => [Number(r.seq), r.segment]), [[rows.length - 1, today + 1], [rows.length, today + 1]]);
      const otto = (await as.otto?.get(`/api/v1/audit/plants/${encodeURIComponent('Other Park')}/verify`))?.body;
      assert.equal(otto.ok, true, JSON.stringify(otto));
      assert.equal(otto.records, rows.length);
    });

    /** Tampers with the stored rows directly, checks verify names the record, then undoes it. */
    async function tampered(change: () => Promise<void>, undo: () => Promise<void>): Promise<{ ok: boolean; seq: number; problem: string }> {
      await change();
      try {
        return await verify();
      } finally {
        await undo();
        assert.equal((await verify()).ok, true, 'the undo restores a verifying chain');
      }
    }

    it('R10: a record edited in the database is detected, naming it', async () => {
      const id = await plantId();
      const v = await tampered(
        () => flows().updateTable('audit_flows').set({ bytes_out: 1 }).where('plant_id', '=', id).where('seq', '=', 3).execute().then(() => undefined),
        () => flows().updateTable('audit_flows').set({ bytes_out: 512 }).where('plant_id', '=', id).where('seq', '=', 3).execute().then(() => undefined),
      );
      assert.equal(v.ok, false);
      assert.equal(v.seq, 3);
      assert.match(v.problem, /record #3 .*edited/);
    });

    it('R10: a record deleted from the database is detected, naming its position', async () => {
      const id = await plantId();
      const row = await flows().selectFrom('audit_flows').selectAll().where('plant_id', '=', id).where('seq', '=', 2).executeTakeFirstOrThrow();
      const v = await tampered(
        () => flows().deleteFrom('audit_flows').where('plant_id', '=', id).where('seq', '=', 2).execute().then(() => undefined),
        () => flows().insertInto('audit_flows').values(row).execute().then(() => undefined),
      );
      assert.equal(v.ok, false);
      assert.equal(v.seq, 2);
      assert.match(v.problem, /record #2 is missing/);
    });

    it('R10: a record inserted into the database is detected', async () => {
      const id = await plantId();
      const head = await flows().selectFrom('audit_flows').selectAll().where('plant_id', '=', id).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      const forged = { ...head, seq: Number(head.seq) + 1, record_id: 'forged', device_ip: '192.168.1.99' };
      const v = await tampered(
        () => flows().insertInto('audit_flows').values(forged).execute().then(() => undefined),
        () => flows().deleteFrom('audit_flows').where('plant_id', '=', id).where('record_id', '=', 'forged').execute().then(() => undefined),
      );
      assert.equal(v.ok, false);
      assert.equal(v.seq, forged.seq);
      assert.match(v.problem, /not in the chain|edited/);
    });

    it('R10: two records swapped (reordered) in the database are detected at the first', async () => {
      const id = await plantId();
      const swap = async () => {
        await flows().updateTable('audit_flows').set({ seq: -1 }).where('plant_id', '=', id).where('seq', '=', 2).execute();
        await flows().updateTable('audit_flows').set({ seq: 2 }).where('plant_id', '=', id).where('seq', '=', 4).execute();
        await flows().updateTable('audit_flows').set({ seq: 4 }).where('plant_id', '=', id).where('seq', '=', -1).execute();
      };
      const v = await tampered(swap, swap);
      assert.equal(v.ok, false);
      assert.equal(v.seq, 2);
      assert.match(v.problem, /record #2 .*(edited|moved)/);
    });

    it('A3: after 731 days the old segments are purged whole; newer records remain and the chain still verifies', async () => {
      const before = (await records('alice', '?limit=5000'))?.body.records.length;
      const start = server.ctx.now().getTime();
      server.ctx.now = () => new Date(start + 400 * 86_400_000);
      await ingest(batch([flow(mapped(40), 502)]));
      server.ctx.now = () => new Date(start + 731 * 86_400_000);
      await ingest(batch([flow(mapped(41), 502)]));
      const purged = await purgeExpired(server.ctx);
      assert.equal(purged.segments.length, 1);
      // Login tokens expire in the meantime: a fresh one at the new time.
      as.alice = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
      const left = (await records('alice', '?limit=5000'))?.body.records;
      assert.deepEqual(left.map((r: { deviceIp: string }) => r.deviceIp), ['192.168.1.40', '192.168.1.41']);
      assert.ok(before > 2);
      const v = await verify();
      assert.equal(v.ok, true, JSON.stringify(v));
      assert.equal(v.records, 2);
      assert.ok(v.firstSeq > 1);
      if (engine === 'PostgreSQL') {
        const partitions = await flows()
          .selectFrom('pg_tables' as never)
          .select('tablename' as never)
          .where('tablename' as never, 'like', 'audit_flows_s%' as never)
          .execute();
        const names = partitions.map((p) => String((p as { tablename: string }).tablename));
        assert.ok(!names.includes(`audit_flows_s${purged.segments[0]}`), `the purged day\u2019s partition is dropped: ${names}`);
        // Left: the day after the first (the clock-ahead test's), day 400 and day 731.
        assert.equal(names.length, 3, `${names}`);
      }
      // The retention is kept: the purge never takes a segment younger than 730 days.
      assert.deepEqual((await purgeExpired(server.ctx)).segments, []);
    });
  });
}
