import type { DatabaseSync } from 'node:sqlite';
import { type Kysely, type Transaction, sql } from 'kysely';
import type pg from 'pg';
import { copyFrom, copyValue } from '../../db/pg-copy.ts';
import type { ChainDraft, ChainHead } from '../../../core/audit/chain.ts';
import { canonicalAroundSeq } from '../../../core/audit/canonical.ts';
import type { Checkpoint } from '../../../core/audit/checkpoint.ts';
import type { StoredFlow, StoredGap } from '../../../core/audit/flow.ts';
import { hashBytes, recordKeyAt } from '../../../core/audit/identity.ts';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import type { Engine } from '../../db/migrations.ts';
import type { Db } from '../../db/handle.ts';

/** The only writer of the audit tables (with the retention purge): the ingest path. */
type Trx = Transaction<AuditDatabase>;
type AuditDb = Kysely<AuditDatabase>;

export type HeadRow = ChainHead & { checkpointSeq: number; checkpointAt: string };

const known = new WeakMap<AuditDb, Set<number>>();

/**
 * Registers a day segment (and on PostgreSQL creates its partition) before the first
 * record of that day is written; outside the ingest transaction, idempotent, race-safe
 * between replicas.
 */
export async function ensureSegment(db: AuditDb, engine: Engine, segment: number, createdAt: string): Promise<void> {
  const seen = known.get(db) ?? new Set<number>();
  known.set(db, seen);
  if (seen.has(segment)) return;
  if (engine === 'postgres') {
    try {
      await sql`create table if not exists ${sql.id(partitionName(segment))} partition of audit_flows for values from (${sql.lit(segment)}) to (${sql.lit(segment + 1)})`.execute(db);
    } catch (error) {
      // Two replicas creating the same day's partition at once: the loser's error is harmless.
      if ((error as { code?: string }).code !== '42P07' && (error as { code?: string }).code !== '23505') throw error;
    }
  }
  // No record yet: a query skips the segment until the first ingest transaction lowers this.
  await db
    .insertInto('audit_segments')
    .values({ segment, created_at: createdAt, first_seen_min: NO_RECORD_YET })
    .onConflict((oc) => oc.column('segment').doNothing())
    .execute();
  seen.add(segment);
}

const NO_RECORD_YET = '9999-12-31T23:59:59.999Z';

/**
 * Inside the ingest transaction: lowers each segment's earliest first_seen to the batch's
 * (a row is locked only when this batch lowers it, so batches rarely queue on it).
 */
export async function lowerSegmentFirstSeen(trx: Trx, earliest: ReadonlyMap<number, string>): Promise<void> {
  for (const [segment, firstSeen] of earliest) {
    await trx.updateTable('audit_segments').set({ first_seen_min: firstSeen }).where('segment', '=', segment).where('first_seen_min', '>', firstSeen).execute();
  }
}

export function partitionName(segment: number): string {
  return `audit_flows_s${segment}`;
}

export async function findBatchAck(trx: Trx, gatewayId: string, batchId: string): Promise<string | undefined> {
  const row = await trx.selectFrom('audit_batches').select('ack').where('gateway_id', '=', gatewayId).where('batch_id', '=', batchId).executeTakeFirst();
  return row?.ack;
}

/** Claims the batch id first: a concurrent retry of the same batch waits here, then sees it done. */
export async function claimBatch(trx: Trx, gatewayId: string, batchId: string, segment: number): Promise<boolean> {
  const result = await trx
    .insertInto('audit_batches')
    .values({ gateway_id: gatewayId, batch_id: batchId, segment, ack: '' })
    .onConflict((oc) => oc.columns(['gateway_id', 'batch_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function saveBatchAck(trx: Trx, gatewayId: string, batchId: string, ack: string): Promise<void> {
  await trx.updateTable('audit_batches').set({ ack }).where('gateway_id', '=', gatewayId).where('batch_id', '=', batchId).execute();
}

/**
 * The plants' chain heads, locked for this transaction (PostgreSQL: row locks taken in
 * plant order, so two batches never deadlock; SQLite: the transaction holds the write lock).
 * A plant without a head row gets one first; `stored` names plants whose row is known to be
 * committed already (heads are never deleted), which are not inserted again (PostgreSQL, B6:
 * each conflicting insert probed every plant's row, 4,000 per batch over 4,000 plants).
 */
export async function lockHeads(trx: Trx, engine: Engine, plantIds: string[], stored: ReadonlyMap<string, unknown> = new Map()): Promise<Map<string, HeadRow>> {
  const sorted = [...plantIds].sort();
  if (sorted.length === 0) return new Map();
  const missing = sorted.filter((plantId) => !stored.has(plantId));
  if (missing.length > 0) {
    await trx
      .insertInto('audit_chain_heads')
      .values(missing.map((plant_id) => ({ plant_id, seq: FIRST_HEAD.seq, hash: FIRST_HEAD.hash, segment: FIRST_HEAD.segment, checkpoint_seq: FIRST_HEAD.checkpointSeq, checkpoint_at: FIRST_HEAD.checkpointAt })))
      .onConflict((oc) => oc.column('plant_id').doNothing())
      .execute();
  }
  let query = trx.selectFrom('audit_chain_heads').selectAll().where('plant_id', 'in', sorted).orderBy('plant_id');
  if (engine === 'postgres') query = query.forUpdate();
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.plant_id, headRowOf(r)]));
}

/** What the idempotency lookups need of a record: its record key (`recordKeyAt`). */
export type Keyed = { key: number };

/**
 * Record ids of this gateway already stored (a spooled record sent again in another batch).
 * Looked up by their keys (migration 0017, `recordKey`) in the flow table alone (no join the
 * planner could turn into a scan of a fresh partition); a key match counts only when the
 * full record id and the gateway (of the row's identity) match too, so a key collision
 * never drops a record.
 */
export async function storedRecordIds(trx: Trx, engine: Engine, gatewayId: string, keys: ReadonlyMap<string, Keyed>, fromSegment: number): Promise<Set<string>> {
  const candidates: Array<{ record_id: string; identity_id: number }> = [];
  const all = [...keys.values()].map((k) => k.key);
  // PostgreSQL: one array parameter (planning 5,000 `in` parameters costs more than the lookup).
  const chunk = engine === 'postgres' ? 10_000 : 500;
  for (let i = 0; i < all.length; i += chunk) {
    if (i > 0) await yieldToEventLoop();
    const part = all.slice(i, i + chunk);
    // PostgreSQL: one index probe per key. `record_key = any(…)` was planned as a scan of the
    // whole day partition while it had no statistics yet (58 ms at 300,000 rows, growing).
    const rows =
      engine === 'postgres'
        ? (
            await sql<{ record_id: string; identity_id: number }>`select f.record_id, f.identity_id from unnest(${bigintArray(part)}::bigint[]) as k(key)
              cross join lateral (select record_id, identity_id from audit_flows a where a.record_key = k.key and a.segment >= ${fromSegment} offset 0) f`.execute(trx)
          ).rows
        : await trx.selectFrom('audit_flows').select(['record_id', 'identity_id']).where('record_key', 'in', part).where('segment', '>=', fromSegment).execute();
    for (const r of rows) if (keys.has(r.record_id)) candidates.push(r);
  }
  return ofGateway(trx, gatewayId, candidates);
}

/** The record ids among `rows` whose identity names `gatewayId` (one query, only when there are any). */
async function ofGateway(trx: Trx, gatewayId: string, rows: ReadonlyArray<{ record_id: string; identity_id: number | string }>): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const ids = [...new Set(rows.map((r) => Number(r.identity_id)))];
  const mine = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const found = await trx.selectFrom('audit_identities').select('id').where('gateway_id', '=', gatewayId).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of found) mine.add(Number(r.id));
  }
  return new Set(rows.filter((r) => mine.has(Number(r.identity_id))).map((r) => r.record_id));
}

/**
 * PostgreSQL: no JIT for the ingest transaction's statements. Their row estimates on a day
 * partition without statistics yet are in the millions, which made PostgreSQL compile the
 * 10 ms key lookup for 300 ms.
 */
export async function withoutJit(trx: Trx): Promise<void> {
  await sql`set local jit = off`.execute(trx);
}

/**
 * A savepoint before the chain-head locks, and the way back to it: PostgreSQL releases row
 * locks taken after a savepoint when the transaction rolls back to it (the ingest's wait for
 * the batches ahead of it, ingest-service.ts).
 */
export async function markBeforeHeadLocks(trx: Trx): Promise<void> {
  await sql`savepoint chain_heads`.execute(trx);
}

export async function releaseHeadLocks(trx: Trx): Promise<void> {
  await sql`rollback to savepoint chain_heads`.execute(trx);
}

/** The plants' heads as committed now, without locking them (PostgreSQL's look before the locks, see ingest-service). */
export async function committedHeads(trx: Trx, plantIds: string[]): Promise<Map<string, HeadRow>> {
  if (plantIds.length === 0) return new Map();
  const rows = await trx.selectFrom('audit_chain_heads').selectAll().where('plant_id', 'in', plantIds).execute();
  return new Map(rows.map((r) => [r.plant_id, headRowOf(r)]));
}

function headRowOf(r: AuditDatabase['audit_chain_heads']): HeadRow {
  return { seq: Number(r.seq), hash: r.hash, segment: r.segment, checkpointSeq: Number(r.checkpoint_seq), checkpointAt: r.checkpoint_at };
}

/** A plant's head before its first record (what lockHeads inserts for it). */
export const FIRST_HEAD: HeadRow = { seq: 0, hash: '0'.repeat(64), segment: 0, checkpointSeq: 0, checkpointAt: '' };

/**
 * Record ids of this gateway appended to the given plants' chains in the seq ranges
 * (after, upTo]: the batches that committed between an unlocked look at the heads and
 * taking their locks. A walk of the newest primary-key entries, not one probe per record;
 * only rows with one of this batch's record keys come back (B6: with two batches in flight
 * each one's range is the other's 5,000 records, and sending them all back took 47 ms
 * under the locks every other batch waits for).
 */
export async function recordIdsAppendedSince(
  trx: Trx,
  gatewayId: string,
  ranges: ReadonlyArray<{ plantId: string; after: number; upTo: number }>,
  fromSegment: number,
  keys: ReadonlyMap<string, Keyed>,
): Promise<Set<string>> {
  if (ranges.length === 0) return new Set();
  // `offset 0` keeps the subquery a per-plant primary-key range walk, and the gateway is
  // compared afterwards, only for this batch's record ids: given the gateway in SQL, the
  // planner (with a fresh partition's missing statistics) scanned every record of the
  // gateway instead (330 ms at 500,000 rows). `= any` of the keys is hashed; `in (select unnest(…))`
  // was a subplan scanned once per row (400 ms per batch over 2,000 plants).
  const result = await sql<{ record_id: string; identity_id: string }>`select f.record_id, f.identity_id
    from unnest(${ranges.map((r) => r.plantId)}::text[], ${ranges.map((r) => r.after)}::bigint[], ${ranges.map((r) => r.upTo)}::bigint[]) as u(plant_id, after_seq, up_to)
    cross join lateral (select record_id, identity_id, record_key from audit_flows a
      where a.plant_id = u.plant_id and a.seq > u.after_seq and a.seq <= u.up_to and a.segment >= ${fromSegment} offset 0) f
    where f.record_key = any(${bigintArray([...keys.values()].map((k) => k.key))}::bigint[])`.execute(trx);
  return ofGateway(trx, gatewayId, result.rows.filter((r) => keys.has(r.record_id)));
}

/**
 * Integers as one PostgreSQL array literal: node-pg escapes an array parameter element by
 * element, a tenth of the ingest's time for two 5,000-key lookups per batch (B6).
 */
function bigintArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** SQLite rows per chunk: the longest the event loop is held by one ingest (≈ 10 ms). */
const SQLITE_ROWS_PER_CHUNK = 1000;

// seq first and hash last: the two values known only once the chain head is locked.
const FLOW_COLUMNS: ReadonlyArray<keyof AuditDatabase['audit_flows']> = [
  'seq', 'record_key', 'identity_id', 'connections', 'bytes_in', 'bytes_out', 'ingested_ms', 'first_seen_ms', 'last_seen_ms', 'segment', 'port',
  'plant_id', 'record_id', 'destination_ip', 'device_ip', 'protocol', 'session', 'hash',
];
const PG_TYPES: Record<string, string> = {
  seq: 'bigint', record_key: 'bigint', identity_id: 'bigint', ingested_ms: 'bigint', first_seen_ms: 'bigint', last_seen_ms: 'bigint', segment: 'integer', port: 'integer', connections: 'bigint', bytes_in: 'bigint', bytes_out: 'bigint', hash: 'bytea',
};
const SQLITE_INSERT = `insert into audit_flows (${FLOW_COLUMNS.join(', ')}) values (${FLOW_COLUMNS.map(() => '?').join(', ')})`;

/** A stored record with its chain hash (empty until the record is chained). */
export type Chained = StoredFlow & { hash: string };
type FlowValue = string | number | Buffer | null;

/**
 * A record ready to be appended (B6: built before the chain heads are locked): its chain
 * draft, record key, identity id and instants in milliseconds; on PostgreSQL also the
 * `COPY` text of the columns between seq and hash (the two known only at append).
 */
export type PreparedFlow = ChainDraft & { key: number; identity: number; ingestedMs: number; firstSeenMs: number; lastSeenMs: number; copyMiddle: string | null };

/** Milliseconds of the canonical instants of one batch: its records share a few report-window bounds, parsed once each. */
export function instantsOfBatch(): (text: string) => number {
  const known = new Map<string, number>();
  return (text) => {
    let ms = known.get(text);
    if (ms === undefined) {
      ms = Date.parse(text);
      known.set(text, ms);
    }
    return ms;
  };
}

/** A complete record (seq and hash still to come) as a PreparedFlow: one object, no copy of the record (B6). */
export function prepareFlow(engine: Engine, record: Chained, identity: number, msOf: (text: string) => number): PreparedFlow {
  const [before, after] = canonicalAroundSeq(record);
  const ingestedMs = msOf(record.ingestedAt);
  const firstSeenMs = msOf(record.firstSeen);
  const lastSeenMs = msOf(record.lastSeen);
  const key = recordKeyAt(record.gatewayId, record.recordId, firstSeenMs);
  const copyMiddle =
    engine === 'postgres'
      ? `${key}\t${identity}\t${record.connections}\t${record.bytesIn}\t${record.bytesOut}\t${ingestedMs}\t${firstSeenMs}\t${lastSeenMs}\t${record.segment}\t${copyValue(record.port)}\t${copyValue(record.plantId)}\t${copyValue(record.recordId)}\t${copyValue(record.destinationIp)}\t${copyValue(record.deviceIp)}\t${copyValue(record.protocol)}\t${copyValue(record.session)}`
      : null;
  return { record, before, after, key, identity, ingestedMs, firstSeenMs, lastSeenMs, copyMiddle };
}

/** A prepared record's column values in FLOW_COLUMNS order (seq and hash as they are now). */
function flowValues(p: PreparedFlow): FlowValue[] {
  const r = p.record;
  return [
    r.seq, p.key, p.identity, r.connections, r.bytesIn, r.bytesOut, p.ingestedMs, p.firstSeenMs,
    p.lastSeenMs, r.segment, r.port, r.plantId, r.recordId, r.destinationIp, r.deviceIp, r.protocol, r.session, r.hash === '' ? null : hashBytes(r.hash),
  ];
}

/**
 * Appends chained records inside the ingest transaction, without the query builder in the
 * hot path (B6): SQLite runs one prepared statement per row on the transaction's own
 * connection, yielding to the event loop between chunks; PostgreSQL appends the batch with
 * one `COPY` on the transaction's client, straight into the day partition when the batch
 * has one segment (an `unnest` of column arrays when there is no client).
 */
export async function insertFlows(trx: Trx, store: { engine: Engine; sqlite: DatabaseSync | null }, rows: readonly PreparedFlow[], pgClient: pg.PoolClient | null = null): Promise<void> {
  if (rows.length === 0) return;
  if (store.sqlite) {
    const insert = store.sqlite.prepare(SQLITE_INSERT);
    for (let i = 0; i < rows.length; i += SQLITE_ROWS_PER_CHUNK) {
      if (i > 0) await yieldToEventLoop();
      const end = Math.min(rows.length, i + SQLITE_ROWS_PER_CHUNK);
      for (let k = i; k < end; k++) {
        const p = rows[k] as PreparedFlow;
        const r = p.record;
        insert.run(r.seq, p.key, p.identity, r.connections, r.bytesIn, r.bytesOut, p.ingestedMs, p.firstSeenMs, p.lastSeenMs, r.segment, r.port, r.plantId, r.recordId, r.destinationIp, r.deviceIp, r.protocol, r.session, hashBytes(r.hash));
      }
    }
    return;
  }
  if (pgClient) {
    const segment = (rows[0] as PreparedFlow).record.segment;
    const oneSegment = rows.every((r) => r.record.segment === segment);
    // One join, not 5,000 appends: a flat string converts to bytes without flattening a rope (B6, under the chain-head locks).
    const text = rows.map(({ record, copyMiddle }) => `${record.seq}\t${copyMiddle}\t\\\\x${record.hash}\n`).join('');
    // The partition itself when it can: PostgreSQL then routes no row (ensureSegment made it).
    await copyFrom(pgClient, `copy ${oneSegment ? partitionName(segment) : 'audit_flows'} (${FLOW_COLUMNS.join(', ')}) from stdin`, text);
    return;
  }
  const values = rows.map(flowValues);
  if (store.engine === 'postgres') {
    const arrays = FLOW_COLUMNS.map((c, k) => sql`${values.map((r) => r[k])}::${sql.raw(PG_TYPES[c] ?? 'text')}[]`);
    await sql`insert into audit_flows (${sql.join(FLOW_COLUMNS.map((c) => sql.id(c)))}) select * from unnest(${sql.join(arrays)})`.execute(trx);
  } else {
    await trx.insertInto('audit_flows').values(values.map((r) => Object.fromEntries(FLOW_COLUMNS.map((c, k) => [c, r[k]])) as unknown as AuditDatabase['audit_flows'])).execute();
  }
}

export async function updateHead(trx: Trx, plantId: string, head: HeadRow): Promise<void> {
  await trx
    .updateTable('audit_chain_heads')
    .set({ seq: head.seq, hash: head.hash, segment: head.segment, checkpoint_seq: head.checkpointSeq, checkpoint_at: head.checkpointAt })
    .where('plant_id', '=', plantId)
    .execute();
}

/**
 * Writes every advanced head of a batch while they are locked: on PostgreSQL one statement
 * (B6: 50 plants were 50 round trips inside the chain-head locks, which every other batch
 * touching those plants waits for); SQLite's statements run in-process.
 */
export async function updateHeads(trx: Trx, store: { engine: Engine; sqlite: DatabaseSync | null }, heads: ReadonlyMap<string, HeadRow>): Promise<void> {
  if (heads.size === 0) return;
  if (store.sqlite) {
    // One prepared statement on the transaction's connection (a batch over 2,000 plants is 2,000 updates).
    const update = store.sqlite.prepare('update audit_chain_heads set seq = ?, hash = ?, segment = ?, checkpoint_seq = ?, checkpoint_at = ? where plant_id = ?');
    for (const [plantId, head] of heads) update.run(head.seq, head.hash, head.segment, head.checkpointSeq, head.checkpointAt, plantId);
    return;
  }
  if (store.engine !== 'postgres') {
    for (const [plantId, head] of heads) await updateHead(trx, plantId, head);
    return;
  }
  const ids = [...heads.keys()];
  const rows = [...heads.values()];
  await sql`update audit_chain_heads as h set seq = u.seq, hash = u.hash, segment = u.segment, checkpoint_seq = u.checkpoint_seq, checkpoint_at = u.checkpoint_at
    from unnest(${ids}::text[], ${rows.map((r) => r.seq)}::bigint[], ${rows.map((r) => r.hash)}::text[], ${rows.map((r) => r.segment)}::integer[],
      ${rows.map((r) => r.checkpointSeq)}::bigint[], ${rows.map((r) => r.checkpointAt)}::text[]) as u(plant_id, seq, hash, segment, checkpoint_seq, checkpoint_at)
    where h.plant_id = u.plant_id`.execute(trx);
}

export async function insertCheckpoints(trx: Trx | AuditDb, checkpoints: readonly Checkpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  await trx
    .insertInto('audit_checkpoints')
    .values(
      checkpoints.map((c) => ({
        plant_id: c.plantId,
        seq: c.seq,
        hash: c.hash,
        record_segment: c.recordSegment,
        segment: c.segment,
        created_at: c.createdAt,
        signature: c.signature,
      })),
    )
    .onConflict((oc) => oc.columns(['plant_id', 'seq']).doNothing())
    .execute();
}

/** Gaps are kept once per gateway and gap id (a retried report adds nothing); returns how many were new. */
export async function insertGaps(trx: Trx, gaps: readonly StoredGap[]): Promise<number> {
  if (gaps.length === 0) return 0;
  const result = await trx
    .insertInto('audit_gaps')
    .values(
      gaps.map((g) => ({ gateway_id: g.gatewayId, gap_id: g.gapId, segment: g.segment, from_at: g.from, to_at: g.to, reason: g.reason, ingested_at: g.ingestedAt })),
    )
    .onConflict((oc) => oc.columns(['gateway_id', 'gap_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** Every plant's device names by real address (from the fleet store: a read, never a lock). */
export async function allDeviceNames(fleet: Db): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  const rows = await fleet.selectFrom('devices').select(['plant_id', 'ip', 'name']).execute();
  for (const r of rows) {
    const plant = out.get(r.plant_id) ?? new Map<string, string>();
    out.set(r.plant_id, plant);
    plant.set(r.ip, r.name);
  }
  return out;
}

export async function deviceNamesOfPlant(fleet: Db, plantId: string): Promise<Map<string, string>> {
  const rows = await fleet.selectFrom('devices').select(['ip', 'name']).where('plant_id', '=', plantId).execute();
  return new Map(rows.map((r) => [r.ip, r.name]));
}

/** The clients of a plant's hosted direct VPNs with their fixed tunnel addresses (whom an agent's flow record names). */
export async function hostedClientsOfPlant(fleet: Db, plantId: string): Promise<Array<{ tunnelIp: string; name: string; kind: 'site' | 'user'; vpnName: string }>> {
  const rows = await fleet
    .selectFrom('direct_vpn_clients as c')
    .innerJoin('direct_vpns as v', 'v.id', 'c.direct_vpn_id')
    .select(['c.tunnel_ip', 'c.name', 'c.kind', 'v.name as vpn_name'])
    .where('v.plant_id', '=', plantId)
    .where('v.direction', '=', 'hosted')
    .orderBy('v.created_at')
    .execute();
  return rows.map((r) => ({ tunnelIp: r.tunnel_ip, name: r.name, kind: r.kind, vpnName: r.vpn_name }));
}

/**
 * node:sqlite runs a statement synchronously and Kysely continues in a microtask, so a
 * 10,000-record ingest would hold the event loop for its whole transaction and every other
 * request (a fleet write, a login) would wait for it. Between chunks the loop serves them.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
