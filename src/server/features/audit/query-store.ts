import { gapsOfPlant } from './gaps-store.ts';
import { type Kysely, SqliteAdapter } from 'kysely';
import type { HeadRow } from './ingest-store.ts';
import type { Checkpoint } from '../../../core/audit/checkpoint.ts';
import { CLOCK_SKEW_DAYS, type StoredFlow, segmentOf } from '../../../core/audit/flow.ts';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import { hashHex } from '../../../core/audit/identity.ts';
import { withHttpRequests } from './http-requests-store.ts';

export type AuditDb = Kysely<AuditDatabase>;

/** A stored record as read: the flow row with its identity (migration 0017), columns named as before it. */
const FLOW_SELECT = [
  'f.plant_id', 'f.seq', 'f.segment', 'f.record_id', 'i.gateway_id', 'f.ingested_ms', 'i.user_id', 'i.user_email', 'i.tunnel_ip', 'i.org_id',
  'i.plant_name', 'i.subnet_id', 'i.subnet_cidr', 'i.subnet_mapped', 'f.destination_ip', 'f.device_ip', 'i.device_name', 'f.protocol', 'f.port',
  'f.connections', 'f.bytes_in', 'f.bytes_out', 'f.first_seen_ms', 'f.last_seen_ms', 'f.session', 'f.hash',
] as const;

/** The records with their identities; every read of records starts here (filters name `f.` and `i.` columns). */
export function flowsWithIdentity(db: AuditDb) {
  return db.selectFrom('audit_flows as f').innerJoin('audit_identities as i', 'i.id', 'f.identity_id').select(FLOW_SELECT);
}

export type FlowRow = Awaited<ReturnType<ReturnType<typeof flowsWithIdentity>['executeTakeFirstOrThrow']>>;

export type RecordFilter = { plantId: string; userEmail?: string; deviceIp?: string; from?: string; to?: string; afterSeq: number; limit: number };

/**
 * A plant's records in chain order, filtered; one more than `limit` tells whether a next page exists.
 * With `from` and `to`, only the segments that can hold a match are read (B7; on PostgreSQL
 * the other day partitions are not even planned): from the day before `from` on — a record is
 * stored after it was last seen, and a gateway's clock may be CLOCK_SKEW_DAYS ahead — and
 * whose earliest first_seen is not after `to`.
 */
export async function selectRecords(db: AuditDb, f: RecordFilter): Promise<FlowRow[]> {
  const segments = await candidateSegments(db, f);
  if (segments !== null && segments.length === 0) return [];
  return recordsQuery(db, f, segments, await windowSeqRange(db, f.plantId, f.from, segments)).execute();
}

/**
 * The seqs a windowed query reads on SQLite, whose audit file has no window index (migration
 * 0021): null on PostgreSQL (its index (plant, last_seen_ms, first_seen_ms) decides the window,
 * B7) and for a query without `from`.
 */
export async function windowSeqRange(db: AuditDb, plantId: string, from: string | undefined, segments: number[] | null): Promise<SeqRange | null> {
  if (!isSqlite(db) || from === undefined) return null;
  if (segments !== null && segments.length === 0) return { from: 0, below: 0 };
  const first = segments === null ? segmentOf(new Date(from)) - CLOCK_SKEW_DAYS : Math.min(...segments);
  return seqRangeOfSegments(db, plantId, first, segments === null ? null : Math.max(...segments));
}

/** A range of a plant's chain: seqs from `from` on, below `below` (null: to its head). */
export type SeqRange = { from: number; below: number | null };

/**
 * The part of a plant's chain that holds its records of segments `first` to `last` (null: to
 * the newest). Along a plant's chain the segment never decreases (a record is chained into
 * the later of today's segment and its head's, ingest-service), so each end is found by
 * bisection on the primary key (plant_id, seq): about 2·log2(records) seeks, no index per time.
 */
export async function seqRangeOfSegments(db: AuditDb, plantId: string, first: number, last: number | null): Promise<SeqRange> {
  const newest = await db.selectFrom('audit_flows').select('seq').where('plant_id', '=', plantId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (newest === undefined) return { from: 0, below: 0 };
  const hi = Number(newest.seq);
  return { from: await firstSeqOfSegment(db, plantId, first, hi), below: last === null ? null : await firstSeqOfSegment(db, plantId, last + 1, hi) };
}

/** The least seq m in [0, hi + 1] whose next stored record (at m or after) is in `segment` or later (hi + 1: none is). */
async function firstSeqOfSegment(db: AuditDb, plantId: string, segment: number, hi: number): Promise<number> {
  const segmentFrom = async (seq: number) => {
    const row = await db.selectFrom('audit_flows').select('segment').where('plant_id', '=', plantId).where('seq', '>=', seq).orderBy('seq').limit(1).executeTakeFirst();
    return row?.segment ?? Number.POSITIVE_INFINITY;
  };
  if ((await segmentFrom(0)) >= segment) return 0;
  // Invariant: the record from `below` on is before `segment`, the one from `upTo` on is not.
  let below = 0;
  let upTo = hi + 1;
  while (upTo - below > 1) {
    const mid = below + Math.floor((upTo - below) / 2);
    if ((await segmentFrom(mid)) >= segment) upTo = mid;
    else below = mid;
  }
  return upTo;
}

function isSqlite(db: AuditDb): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** The segments a day query must read (null: no bound, read them all). */
export async function candidateSegments(db: AuditDb, f: RecordFilter): Promise<number[] | null> {
  if (f.from === undefined || f.to === undefined) return null;
  const to = f.to;
  const rows = await db
    .selectFrom('audit_segments')
    .select('segment')
    .where('segment', '>=', segmentOf(new Date(f.from)) - CLOCK_SKEW_DAYS)
    .where((eb) => eb.or([eb('first_seen_min', 'is', null), eb('first_seen_min', '<=', to)]))
    .orderBy('segment')
    .execute();
  return rows.map((r) => r.segment);
}

/** The query selectRecords runs (B7 also asks the database for its plan). */
export function recordsQuery(db: AuditDb, f: RecordFilter, segments: number[] | null, range: SeqRange | null = null) {
  let q = flowsWithIdentity(db).where('f.plant_id', '=', f.plantId).where('f.seq', '>', range === null ? f.afterSeq : Math.max(f.afterSeq, range.from - 1));
  if (range?.below != null) q = q.where('f.seq', '<', range.below);
  if (segments !== null) q = q.where('f.segment', 'in', segments);
  else if (f.from !== undefined) q = q.where('f.segment', '>=', segmentOf(new Date(f.from)) - CLOCK_SKEW_DAYS);
  if (f.userEmail !== undefined) q = q.where('i.user_email', '=', f.userEmail);
  if (f.deviceIp !== undefined) q = q.where('f.device_ip', '=', f.deviceIp);
  // Instants are stored as milliseconds (0017); on PostgreSQL the index (plant, last_seen_ms, first_seen_ms) decides the window, on SQLite the seq range.
  if (f.from !== undefined) q = q.where('f.last_seen_ms', '>=', Date.parse(f.from));
  if (f.to !== undefined) q = q.where('f.first_seen_ms', '<=', Date.parse(f.to));
  return q.orderBy('f.seq').limit(f.limit + 1);
}

/** The gaps of the window a plant's query shows: every gateway's, and only this plant's agent's (core/audit/gap-owner.ts). */
export async function selectGaps(db: AuditDb, plantId: string, from: string | undefined, to: string | undefined): Promise<Array<{ from_at: string; to_at: string; reason: string }>> {
  let q = db
    .selectFrom('audit_gaps')
    .select(['from_at', 'to_at', 'reason'])
    .where((eb) => gapsOfPlant(eb, plantId));
  if (from !== undefined) q = q.where('to_at', '>=', from);
  if (to !== undefined) q = q.where('from_at', '<=', to);
  return q.orderBy('from_at').limit(1000).execute();
}

export async function selectCheckpoints(db: AuditDb, plantId: string, fromSeq = 0, toSeq = Number.MAX_SAFE_INTEGER): Promise<Checkpoint[]> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('plant_id', '=', plantId)
    .where('seq', '>=', fromSeq)
    .where('seq', '<=', toSeq)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    plantId: r.plant_id,
    seq: Number(r.seq),
    hash: r.hash,
    recordSegment: r.record_segment,
    segment: r.segment,
    createdAt: r.created_at,
    signature: r.signature,
  }));
}

export async function selectHead(db: AuditDb, plantId: string): Promise<HeadRow | null> {
  const r = await db.selectFrom('audit_chain_heads').selectAll().where('plant_id', '=', plantId).executeTakeFirst();
  return r ? { seq: Number(r.seq), hash: r.hash, segment: r.segment, checkpointSeq: Number(r.checkpoint_seq), checkpointAt: r.checkpoint_at } : null;
}

/** The owner organization and name a plant had in its latest record (a plant removed from the fleet keeps its trail). */
export async function plantOfRecords(db: AuditDb, plantId: string): Promise<{ orgId: string; plantName: string } | null> {
  const r = await db
    .selectFrom('audit_flows as f')
    .innerJoin('audit_identities as i', 'i.id', 'f.identity_id')
    .select(['i.org_id', 'i.plant_name'])
    .where('f.plant_id', '=', plantId)
    .orderBy('f.seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? { orgId: r.org_id, plantName: r.plant_name } : null;
}

/** Chain order, in pages (verification and export read a whole chain without holding it all at once). */
export async function selectChainPage(db: AuditDb, plantId: string, afterSeq: number, limit: number): Promise<Array<StoredFlow & { hash: string }>> {
  const rows = await flowsWithIdentity(db).where('f.plant_id', '=', plantId).where('f.seq', '>', afterSeq).orderBy('f.seq').limit(limit).execute();
  return withHttpRequests(db, rows.map(chainedOf));
}

export function chainedOf(r: FlowRow): StoredFlow & { hash: string } {
  return {
    plantId: r.plant_id,
    seq: Number(r.seq),
    recordId: r.record_id,
    gatewayId: r.gateway_id,
    segment: r.segment,
    ingestedAt: isoOf(r.ingested_ms),
    userId: r.user_id,
    userEmail: r.user_email,
    tunnelIp: r.tunnel_ip,
    orgId: r.org_id,
    plantName: r.plant_name,
    subnetId: r.subnet_id,
    subnetCidr: r.subnet_cidr,
    subnetMapped: r.subnet_mapped,
    destinationIp: r.destination_ip,
    deviceIp: r.device_ip,
    deviceName: r.device_name,
    protocol: r.protocol,
    port: r.port,
    connections: Number(r.connections),
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    firstSeen: isoOf(r.first_seen_ms),
    lastSeen: isoOf(r.last_seen_ms),
    session: r.session,
    hash: hashHex(r.hash),
  };
}

/** A stored instant (milliseconds; PostgreSQL hands bigint back as text) in the spelling it was ingested in. */
function isoOf(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}
