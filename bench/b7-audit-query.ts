/**
 * B7 (issue 10) — the audit query for one plant and one day over a large stored trail.
 *
 *   TMPDIR=/work/b7 node bench/b7-audit-query.ts --database pg|sqlite --rows 10000000 [--plants 5000] [--days 730] [--queries 400] [--workers 2]
 *
 * 1. Opens the product's audit store (`openAuditStore`: the real migrations, 0008 + 0014) on a
 *    throwaway PostgreSQL cluster (test/support/postgres.ts, data under $TMPDIR) or an SQLite
 *    file, and fills `audit_flows` with `--rows` generated records, spread evenly over `--days`
 *    day segments ending today and `--plants` plants (generation below, in SQL, server side).
 *    PostgreSQL: each day is loaded into a table named like the product's partition, then
 *    attached to `audit_flows` (PostgreSQL builds the partition's indexes from the parent's);
 *    SQLite: inserted day by day into the table itself. Then ANALYZE (PostgreSQL: each day
 *    partition, as autovacuum does in service).
 * 2. Runs `recordsPage` — what `GET /api/v1/audit/plants/:plant/records` and
 *    `plantgate audit query --plant P --from D --to D+1` run once access is decided — for
 *    random (plant, day) pairs, and reports p50/p95/p99 (after 20 warm-up queries).
 *    Every answer is checked against a direct count of that plant's records overlapping the day.
 * 3. Reports bytes per stored record (PostgreSQL: pg_total_relation_size of every partition,
 *    indexes included; SQLite: the database file) and deletes everything.
 *
 * Identities (migration 0017): every (plant, user slot, device) of the trail is stored first
 * through the product's identityIds, and a generated row names its identity's id.
 *
 * Generated records (row i of day d; p = i mod plants, k = i div plants): plant p of
 * organization p div 5 (5 plants per organization), user (p div 5)·8 + (k + p) mod 8 with
 * its e-mail and tunnel address, one of 20 gateways, device .10–.39 of the plant's /24 (and
 * its mapped address), protocol tcp (udp every 9th), port from {502, 80, 443, 22, 102, 4840,
 * 161, 47808}, 1–5 connections, random bytes, first seen spread over the day, last seen up to
 * 5 minutes later, a session id, ids as UUID-shaped text and record ids as the gateway writes
 * them (`gateway:windowEnd:n`), a 64-hex-digit hash (not a valid chain: the query does not verify).
 * Records of a day are interleaved across plants, as a fleet's ingest interleaves them.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { segmentOf, segmentStart } from '../src/core/audit/flow.ts';
import type { AuditQuery } from '../src/core/wire/audit.ts';
import { type AuditStore, openAuditStore } from '../src/server/db/audit-connect.ts';
import { partitionName } from '../src/server/features/audit/ingest-store.ts';
import { identityIds } from '../src/server/features/audit/identity-store.ts';
import { type Identity, recordKey } from '../src/core/audit/identity.ts';
import { recordKeySql } from '../src/server/db/migrations/0019_audit_record_key_ms.ts';
import { candidateSegments, recordsQuery } from '../src/server/features/audit/query-store.ts';
import { recordsPage } from '../src/server/features/audit/read-service.ts';

export type AuditQueryOptions = { database: 'pg' | 'sqlite'; rows: number; plants: number; days: number; queries: number; workers: number };
export type AuditQuerySummary = AuditQueryOptions & {
  loadSeconds: number;
  storedRows: number;
  bytes: number;
  bytesPerRow: number;
  queryMs: { p50: number; p95: number; p99: number; max: number };
  recordsPerAnswer: { min: number; median: number; max: number };
};

const FLOW_COLUMNS = [
  'seq', 'record_key', 'identity_id', 'connections', 'bytes_in', 'bytes_out', 'ingested_ms', 'first_seen_ms', 'last_seen_ms', 'segment', 'port',
  'plant_id', 'record_id', 'destination_ip', 'device_ip', 'protocol', 'session', 'hash',
].join(', ');

/** Identities per plant: 8 users × 30 devices (the gateway is the plant's). */
const USERS_PER_PLANT = 8;
const DEVICES = 30;

/** A UUID-shaped id of kind `kind` and number `n` (plants 1, organizations 2, users 3, subnets 4, gateways 5, sessions 6). */
const uid = (engine: 'pg' | 'sqlite', kind: number, n: string) =>
  engine === 'pg' ? `(lpad(to_hex(${kind}), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))` : `printf('%08x-0000-4000-8000-%012x', ${kind}, ${n})`;
const uidJs = (kind: number, n: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * Every identity of the trail, stored through the product's `identityIds` (content
 * address, insert-if-missing) in id order: plant p, user slot j, device h has id
 * p·240 + j·30 + h + 1, which the generated rows name (checked here).
 */
async function loadIdentities(store: AuditStore, plants: number): Promise<void> {
  const chunkPlants = 50;
  for (let p0 = 0; p0 < plants; p0 += chunkPlants) {
    const list: Identity[] = [];
    for (let p = p0; p < Math.min(plants, p0 + chunkPlants); p++) {
      const org = Math.floor(p / 5);
      for (let j = 0; j < USERS_PER_PLANT; j++) {
        const user = org * 8 + j;
        for (let h = 0; h < DEVICES; h++) {
          list.push({
            gatewayId: uidJs(5, p % 20),
            userId: uidJs(3, user),
            userEmail: `user${user}@org${org}.example`,
            tunnelIp: `100.64.${Math.floor(user / 250)}.${(user % 250) + 1}`,
            orgId: uidJs(2, org),
            plantName: `Plant ${p}`,
            subnetId: uidJs(4, p),
            subnetCidr: `10.${Math.floor(p / 250)}.${p % 250}.0/24`,
            subnetMapped: `172.${16 + Math.floor(p / 256)}.${p % 256}.0/24`,
            deviceName: `plc-${10 + h}`,
          });
        }
      }
    }
    const ids = await identityIds(store.db, store.engine, list);
    ids.forEach((id, k) => {
      if (id !== p0 * USERS_PER_PLANT * DEVICES + k + 1) throw new Error(`identity ${k} of plants from ${p0} got id ${id}`);
    });
  }
}

/** The SELECT list of one generated record, over columns i, p, k, d (see the header). */
function generated(engine: 'pg' | 'sqlite', perPlantDay: number): string {
  const div = (a: string, b: string) => (engine === 'pg' ? `(${a}) / (${b})` : `((${a}) / (${b}))`);
  const ts = (seconds: string) => `(${seconds}) * 1000`;
  const first = `(d * 86400 + ${div(`k * 86400`, String(perPlantDay))} + (i % 60))`;
  const last = `(${first} + (i % 300))`;
  const org = div('p', '5');
  const slot = '((k + p) % 8)';
  const user = `(${org} * 8 + ${slot})`;
  const h = '((i * 7 + k) % 30)';
  const host = `(10 + ${h})`;
  const net = `${div('p', '250')} || '.' || (p % 250)`;
  const mapped = `(16 + ${div('p', '256')}) || '.' || (p % 256)`;
  const port = engine === 'pg' ? `(array[502, 80, 443, 22, 102, 4840, 161, 47808])[1 + i % 8]` : `(case i % 8 when 0 then 502 when 1 then 80 when 2 then 443 when 3 then 22 when 4 then 102 when 5 then 4840 when 6 then 161 else 47808 end)`;
  const random = (max: number) => (engine === 'pg' ? `(random() * ${max})::bigint` : `(abs(random()) % ${max})`);
  const hash = engine === 'pg' ? `decode(md5(i::text || '/' || d) || md5(d || '/' || i), 'hex')` : `randomblob(32)`;
  const text = (e: string) => (engine === 'pg' ? `(${e})::text` : `(${e})`);
  const recordId = `${uid(engine, 5, 'p % 20')} || ':' || ${text(`${last} * 1000 + 60000`)} || ':' || i`;
  // The product's recordKey(gateway, record id, first seen): the first-seen millisecond (41 bits)
  // above 12 bits of SHA-256("gateway\nrecord id"), as migration 0019 computes it.
  const key =
    engine === 'pg'
      ? recordKeySql(uid(engine, 5, 'p % 20'), recordId, `(${first}) * 1000`)
      : `record_key(${uid(engine, 5, 'p % 20')}, ${recordId}, ${first} * 1000)`;
  return [
    `(d - D0) * ${perPlantDay} + k + 1`,
    key,
    `p * ${USERS_PER_PLANT * DEVICES} + ${slot} * ${DEVICES} + ${h} + 1`,
    '1 + i % 5',
    random(2_000_000),
    random(200_000),
    ts(`${last} + 30`),
    ts(first),
    ts(last),
    'd',
    port,
    uid(engine, 1, 'p'),
    recordId,
    `'172.' || ${mapped} || '.' || ${host}`,
    `'10.' || ${net} || '.' || ${host}`,
    `(case when i % 9 = 0 then 'udp' else 'tcp' end)`,
    uid(engine, 6, `${user} * 1000 + d % 1000`),
    hash,
  ].join(',\n    ');
}

async function loadPostgres(store: AuditStore, o: AuditQueryOptions, d0: number, perDay: number, perPlantDay: number): Promise<void> {
  const select = generated('pg', perPlantDay).replaceAll('D0', String(d0));
  let nextDay = 0;
  const worker = async () => {
    while (nextDay < o.days) {
      const d = d0 + nextDay++;
      const part = partitionName(d);
      await sql.raw(`create table ${part} (like audit_flows including defaults including constraints)`).execute(store.db);
      await sql
        .raw(`insert into ${part} (${FLOW_COLUMNS}) select\n    ${select}\n  from (select i, i % ${o.plants} as p, i / ${o.plants} as k, ${d}::bigint as d from generate_series(0, ${perDay - 1}) i) g`)
        .execute(store.db);
      // Statistics per day partition, as autovacuum keeps them in service (it never analyzes the partitioned parent).
      await sql.raw(`analyze ${part}`).execute(store.db);
      // The partition's indexes are built here, from the parent's (one sort each, not row by row).
      await sql.raw(`alter table audit_flows attach partition ${part} for values from (${d}) to (${d + 1})`).execute(store.db);
      await store.db.insertInto('audit_segments').values({ segment: d, created_at: segmentStart(d), first_seen_min: segmentStart(d) }).execute();
      if (process.env.B7_PROGRESS && (d - d0) % 50 === 0) console.error(`${new Date().toISOString()} day ${d - d0 + 1} of ${o.days} loaded`);
    }
  };
  await Promise.all(Array.from({ length: o.workers }, worker));
}

async function loadSqlite(store: AuditStore, o: AuditQueryOptions, d0: number, perDay: number, perPlantDay: number): Promise<void> {
  const raw = store.sqlite;
  if (!raw) throw new Error('no SQLite connection');
  const select = generated('sqlite', perPlantDay).replaceAll('D0', String(d0));
  raw.exec('PRAGMA synchronous = OFF'); // the load only; the product's setting is not measured here
  raw.function('record_key', { deterministic: true }, (gateway, recordId, firstMs) => recordKey(String(gateway), String(recordId), new Date(Number(firstMs)).toISOString()));
  for (let d = d0; d < d0 + o.days; d++) {
    raw.exec(`begin;
      insert into audit_flows (${FLOW_COLUMNS})
      with recursive s(i) as (select 0 union all select i + 1 from s where i < ${perDay - 1})
      select\n    ${select}\n  from (select i, i % ${o.plants} as p, i / ${o.plants} as k, ${d} as d from s);
      insert into audit_segments (segment, created_at, first_seen_min) values (${d}, '${segmentStart(d)}', '${segmentStart(d)}');
      commit;`);
  }
  raw.exec('analyze; PRAGMA wal_checkpoint(TRUNCATE);');
}

export async function auditQueryBench(o: AuditQueryOptions): Promise<AuditQuerySummary> {
  const dir = mkdtempSync(join(os.tmpdir(), 'plantgate-b7-'));
  let stopPg: (() => Promise<void>) | undefined;
  let store: AuditStore | undefined;
  try {
    let url = `sqlite:${join(dir, 'plantgate.db')}`;
    if (o.database === 'pg') {
      const { startTestPostgres, createDatabase } = await import('../test/support/postgres.ts');
      const pg = await startTestPostgres();
      stopPg = pg.stop;
      url = await createDatabase(pg.url, `plantgate_b7_${process.pid}`);
    }
    store = await openAuditStore(url);
    const today = segmentOf(new Date());
    const d0 = today - o.days + 1;
    const perDay = Math.ceil(o.rows / o.days);
    const perPlantDay = Math.ceil(perDay / o.plants);
    const started = performance.now();
    await loadIdentities(store, o.plants);
    if (o.database === 'pg') await loadPostgres(store, o, d0, perDay, perPlantDay);
    else await loadSqlite(store, o, d0, perDay, perPlantDay);
    const loadSeconds = Math.round((performance.now() - started) / 1000);
    // The generated keys are the product's: recordKey(gateway, record id) of a few stored rows.
    const sample = await store.db
      .selectFrom('audit_flows as f')
      .innerJoin('audit_identities as i', 'i.id', 'f.identity_id')
      .select(['f.record_key', 'f.record_id', 'i.gateway_id', 'f.first_seen_ms'])
      .limit(3)
      .execute();
    for (const r of sample) if (Number(r.record_key) !== recordKey(r.gateway_id, r.record_id, new Date(Number(r.first_seen_ms)).toISOString())) throw new Error(`record ${r.record_id}: generated key ${r.record_key} is not the product's`);

    const counted = await store.db.selectFrom('audit_flows').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const storedRows = Number(counted.n);
    let bytes: number;
    if (o.database === 'pg') {
      // Every day partition (heap, TOAST, primary key, both indexes) and the identities the rows name.
      const r = await sql<{ bytes: string }>`select (select sum(pg_total_relation_size(relid)) from pg_partition_tree('audit_flows'))::bigint
        + pg_total_relation_size('audit_identities') as bytes`.execute(store.db);
      bytes = Number(r.rows[0]?.bytes);
    } else {
      const file = `${url.slice('sqlite:'.length, -3)}-audit.db`;
      bytes = statSync(file).size;
    }

    let seed = 20261130;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const times: number[] = [];
    const sizes: number[] = [];
    const warmup = 20;
    for (let q = 0; q < o.queries + warmup; q++) {
      const p = rand(o.plants);
      const d = d0 + rand(o.days);
      const plantId = `${(1).toString(16).padStart(8, '0')}-0000-4000-8000-${p.toString(16).padStart(12, '0')}`;
      const query: AuditQuery = { from: segmentStart(d), to: segmentStart(d + 1), limit: 500 };
      const t = performance.now();
      const page = await recordsPage(store.db, plantId, query);
      const ms = performance.now() - t;
      if (q < warmup) continue;
      times.push(ms);
      sizes.push(page.records.length);
      if (q % 20 === 0) {
        // The answer is the plant's records overlapping the day: compared with a direct count.
        const direct = await store.db
          .selectFrom('audit_flows')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('plant_id', '=', plantId)
          .where('last_seen_ms', '>=', Date.parse(query.from as string))
          .where('first_seen_ms', '<=', Date.parse(query.to as string))
          .executeTakeFirstOrThrow();
        if (Math.min(Number(direct.n), 500) !== page.records.length) throw new Error(`plant ${p} day ${d}: ${page.records.length} records, ${direct.n} stored`);
        if (page.records.some((r) => r.plant !== `Plant ${p}`)) throw new Error(`plant ${p} day ${d}: a record of another plant`);
      }
    }
    let plan: string | undefined;
    if (o.database === 'pg') {
      // The plan of one day query as run above (same builder), for the record.
      const p = rand(o.plants);
      const d = d0 + rand(o.days);
      const plantId = `${(1).toString(16).padStart(8, '0')}-0000-4000-8000-${p.toString(16).padStart(12, '0')}`;
      const filter = { plantId, from: segmentStart(d), to: segmentStart(d + 1), afterSeq: 0, limit: 500 };
      const rows = await recordsQuery(store.db, filter, await candidateSegments(store.db, filter)).explain('text', sql`analyze, buffers`);
      plan = rows.map((r) => String(Object.values(r)[0])).join('\n');
      if (process.env.B7_PLAN) console.error(plan);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const pct = (x: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor((x / 100) * sorted.length))] as number) * 10) / 10;
    const bySize = [...sizes].sort((a, b) => a - b);
    return {
      ...o,
      loadSeconds,
      storedRows,
      bytes,
      bytesPerRow: Math.round(bytes / storedRows),
      queryMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: Math.round((sorted.at(-1) as number) * 10) / 10 },
      recordsPerAnswer: { min: bySize[0] as number, median: bySize[Math.floor(bySize.length / 2)] as number, max: bySize.at(-1) as number },
    };
  } finally {
    await store?.close();
    await stopPg?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] as string) : fallback;
  };
  const summary = await auditQueryBench({
    database: arg('database', 'pg') as 'pg' | 'sqlite',
    rows: Number(arg('rows', '1000000')),
    plants: Number(arg('plants', '5000')),
    days: Number(arg('days', '730')),
    queries: Number(arg('queries', '400')),
    workers: Number(arg('workers', '2')),
  });
  console.log(`RESULT ${JSON.stringify(summary)}`);
}
