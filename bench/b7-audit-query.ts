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
  'plant_id', 'seq', 'segment', 'record_id', 'gateway_id', 'ingested_at', 'user_id', 'user_email', 'tunnel_ip', 'org_id', 'plant_name',
  'subnet_id', 'subnet_cidr', 'subnet_mapped', 'destination_ip', 'device_ip', 'device_name', 'protocol', 'port', 'connections',
  'bytes_in', 'bytes_out', 'first_seen', 'last_seen', 'session', 'hash',
].join(', ');

/** A UUID-shaped id of kind `kind` and number `n` (plants 1, organizations 2, users 3, subnets 4, gateways 5, sessions 6). */
const uid = (engine: 'pg' | 'sqlite', kind: number, n: string) =>
  engine === 'pg' ? `(lpad(to_hex(${kind}), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))` : `printf('%08x-0000-4000-8000-%012x', ${kind}, ${n})`;

/** The SELECT list of one generated record, over columns i, p, k, d (see the header). */
function generated(engine: 'pg' | 'sqlite', perPlantDay: number): string {
  const div = (a: string, b: string) => (engine === 'pg' ? `(${a}) / (${b})` : `((${a}) / (${b}))`);
  const ts = (seconds: string) =>
    engine === 'pg' ? `to_char(to_timestamp(${seconds}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : `strftime('%Y-%m-%dT%H:%M:%S.000Z', ${seconds}, 'unixepoch')`;
  const first = `(d * 86400 + ${div(`k * 86400`, String(perPlantDay))} + (i % 60))`;
  const last = `(${first} + (i % 300))`;
  const org = div('p', '5');
  const user = `(${org} * 8 + (k + p) % 8)`;
  const host = `(10 + (i * 7 + k) % 30)`;
  const net = `${div('p', '250')} || '.' || (p % 250)`;
  const mapped = `(16 + ${div('p', '256')}) || '.' || (p % 256)`;
  const port = engine === 'pg' ? `(array[502, 80, 443, 22, 102, 4840, 161, 47808])[1 + i % 8]` : `(case i % 8 when 0 then 502 when 1 then 80 when 2 then 443 when 3 then 22 when 4 then 102 when 5 then 4840 when 6 then 161 else 47808 end)`;
  const random = (max: number) => (engine === 'pg' ? `(random() * ${max})::bigint` : `(abs(random()) % ${max})`);
  const hash = engine === 'pg' ? `md5(i::text || '/' || d) || md5(d || '/' || i)` : `lower(hex(randomblob(32)))`;
  const text = (e: string) => (engine === 'pg' ? `(${e})::text` : `(${e})`);
  return [
    uid(engine, 1, 'p'),
    `(d - D0) * ${perPlantDay} + k + 1`,
    'd',
    `${uid(engine, 5, 'p % 20')} || ':' || ${text(`${last} * 1000 + 60000`)} || ':' || i`,
    uid(engine, 5, 'p % 20'),
    ts(`${last} + 30`),
    uid(engine, 3, user),
    `'user' || ${user} || '@org' || ${org} || '.example'`,
    `'100.64.' || ${div(user, '250')} || '.' || (${user} % 250 + 1)`,
    uid(engine, 2, org),
    `'Plant ' || p`,
    uid(engine, 4, 'p'),
    `'10.' || ${net} || '.0/24'`,
    `'172.' || ${mapped} || '.0/24'`,
    `'172.' || ${mapped} || '.' || ${host}`,
    `'10.' || ${net} || '.' || ${host}`,
    `'plc-' || ${host}`,
    `(case when i % 9 = 0 then 'udp' else 'tcp' end)`,
    port,
    '1 + i % 5',
    random(2_000_000),
    random(200_000),
    ts(first),
    ts(last),
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
      await sql.raw(`alter table audit_flows attach partition ${part} for values from (${d}) to (${d + 1})`).execute(store.db);
      await store.db.insertInto('audit_segments').values({ segment: d, created_at: segmentStart(d), first_seen_min: segmentStart(d) }).execute();
    }
  };
  await Promise.all(Array.from({ length: o.workers }, worker));
}

async function loadSqlite(store: AuditStore, o: AuditQueryOptions, d0: number, perDay: number, perPlantDay: number): Promise<void> {
  const raw = store.sqlite;
  if (!raw) throw new Error('no SQLite connection');
  const select = generated('sqlite', perPlantDay).replaceAll('D0', String(d0));
  raw.exec('PRAGMA synchronous = OFF'); // the load only; the product's setting is not measured here
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
    if (o.database === 'pg') await loadPostgres(store, o, d0, perDay, perPlantDay);
    else await loadSqlite(store, o, d0, perDay, perPlantDay);
    const loadSeconds = Math.round((performance.now() - started) / 1000);

    const counted = await store.db.selectFrom('audit_flows').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const storedRows = Number(counted.n);
    let bytes: number;
    if (o.database === 'pg') {
      const r = await sql<{ bytes: string }>`select sum(pg_total_relation_size(relid))::bigint as bytes from pg_partition_tree('audit_flows')`.execute(store.db);
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
          .where('last_seen', '>=', query.from as string)
          .where('first_seen', '<=', query.to as string)
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
