import type { StoredFlow } from '../../../core/audit/flow.ts';
import { firstKeptSegment } from '../../../core/audit/retention.ts';
import { ChainVerifier } from '../../../core/audit/verify-chain.ts';
import type { UserId } from '../../../core/model.ts';
import { mayInOrg } from '../../../core/permissions.ts';
import { auditRecordOf } from '../../../core/audit/export-format.ts';
import type { AuditExportPage, AuditPage, AuditQuery, AuditVerification } from '../../../core/wire/audit.ts';
import type { AppContext } from '../../context.ts';
import type { AuditDb } from './query-store.ts';
import { ApiError } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';
import { countGapsFromSegment } from './gaps-store.ts';
import { linkSessions } from './session-link-service.ts';
import { withHttpRequests } from './http-requests-store.ts';
import { chainedOf, plantOfRecords, selectChainPage, selectCheckpoints, selectGaps, selectHead, selectRecords } from './query-store.ts';

export type AuditedPlant = { plantId: string; plantName: string; orgId: string };

/** The same answer for a plant that does not exist and one the caller may not audit (SPEC A2, S2). */
const NO_SUCH_PLANT = () => new ApiError(404, 'not-found', 'no plant you may audit has this id or name', { field: 'plant' });

/**
 * The plant `ref` (id, or a name naming exactly one plant the caller may audit) if the
 * caller may read its trail: an Admin or Moderator of the owning organization; a platform
 * operator only when the server config allows it. A plant removed from the fleet keeps its
 * trail, readable by its former organization's Admins and Moderators (by id).
 */
export async function auditedPlant(ctx: AppContext, caller: Caller, ref: string): Promise<AuditedPlant> {
  const model = await ctx.fleet.current();
  const may = (orgId: string) =>
    mayInOrg(
      { role: model.membershipRole(caller.userId as UserId, orgId as never) ?? null, platformOperator: caller.platformOperator, operatorReadsAudit: ctx.audit.operatorsMayRead },
      'audit.read',
    );
  const candidates = [...model.plants.values()].filter((p) => p.id === ref || p.name === ref);
  const allowed = candidates.filter((p) => may(p.orgId));
  if (allowed.length > 1) throw new ApiError(409, 'ambiguous-plant', 'several plants you may audit have this name: give the plant id', { field: 'plant' });
  const plant = allowed[0];
  if (plant) return { plantId: plant.id, plantName: plant.name, orgId: plant.orgId };
  if (candidates.length === 0) {
    const removed = await plantOfRecords(ctx.audit.store.db, ref);
    if (removed && may(removed.orgId)) return { plantId: ref, plantName: removed.plantName, orgId: removed.orgId };
  }
  throw NO_SUCH_PLANT();
}

export async function queryRecords(ctx: AppContext, caller: Caller, ref: string, query: AuditQuery): Promise<AuditPage> {
  const plant = await auditedPlant(ctx, caller, ref);
  return recordsPage(ctx.audit.store.db, plant.plantId, query, (flows) => linkSessions(ctx, flows));
}

/** One page of a plant's records and the gaps of the window, once access is decided (B7 measures exactly this). */
export async function recordsPage(
  db: AuditDb,
  plantId: string,
  query: AuditQuery,
  link?: (flows: ReturnType<typeof chainedOf>[]) => Promise<{ flows: ReturnType<typeof chainedOf>[]; sessions: AuditPage['sessions'] }>,
): Promise<AuditPage> {
  const from = query.from ? new Date(query.from).toISOString() : undefined;
  const to = query.to ? new Date(query.to).toISOString() : undefined;
  const rows = await selectRecords(db, {
    plantId,
    userEmail: query.user,
    deviceIp: query.device,
    from,
    to,
    afterSeq: query.cursor ? Number(query.cursor) : 0,
    limit: query.limit,
  });
  // Each record's P7 session (issue 10): linked when read, by user, gateway and time (the API passes the linker).
  const chained = await withHttpRequests(db, rows.slice(0, query.limit).map(chainedOf));
  const linked = link ? await link(chained) : { flows: chained, sessions: [] };
  const page = linked.flows.map(auditRecordOf);
  const gaps = await selectGaps(db, plantId, from, to);
  return {
    records: page,
    gaps: gaps.map((g) => ({ from: g.from_at, to: g.to_at, reason: g.reason })),
    next: rows.length > query.limit ? String(page.at(-1)?.seq) : null,
    sessions: linked.sessions,
  };
}

const VERIFY_PAGE = 5000;

/** Verifies the plant's whole stored chain against its checkpoints and head (R10), a page at a time. */
export async function verifyPlant(ctx: AppContext, caller: Caller, ref: string): Promise<AuditVerification> {
  const plant = await auditedPlant(ctx, caller, ref);
  const db = ctx.audit.store.db;
  const [checkpoints, head] = await Promise.all([selectCheckpoints(db, plant.plantId), selectHead(db, plant.plantId)]);
  // Page by page: a plant's two years of records are never all in memory at once.
  const verifier = new ChainVerifier({
    plantId: plant.plantId,
    checkpoints,
    publicKeyPem: ctx.audit.key.publicKeyPem,
    keepFrom: firstKeptSegment(ctx.now(), ctx.audit.retentionDays),
  });
  let failure = null;
  let firstSegment: number | null = null;
  for (let after = 0; failure === null; ) {
    const page = await selectChainPage(db, plant.plantId, after, VERIFY_PAGE);
    firstSegment ??= page[0]?.segment ?? null;
    failure = verifier.feed(page);
    if (page.length < VERIFY_PAGE) break;
    after = (page.at(-1) as StoredFlow).seq;
  }
  const verdict = failure ?? verifier.finish(head);
  if (!verdict.ok) return { ...verdict, plant: plant.plantName };
  // SPEC A5: an intact chain with capture gaps in its time is said so, never reported as complete.
  return { ...verdict, plant: plant.plantName, gaps: firstSegment === null ? 0 : await countGapsFromSegment(db, plant.plantId, firstSegment) };
}

/** A page of the chain as stored, with the checkpoints signing positions in it: what an offline verification needs. */
export async function exportPage(ctx: AppContext, caller: Caller, ref: string, query: { cursor?: string; limit: number }): Promise<AuditExportPage> {
  const plant = await auditedPlant(ctx, caller, ref);
  const after = query.cursor ? Number(query.cursor) : 0;
  const records = await selectChainPage(ctx.audit.store.db, plant.plantId, after, query.limit + 1);
  const page = records.slice(0, query.limit);
  const first = page[0]?.seq ?? after + 1;
  const last = page.at(-1)?.seq ?? Number.MAX_SAFE_INTEGER;
  // The first page also carries the checkpoint anchoring it after a purge (position first - 1).
  const checkpoints = await selectCheckpoints(ctx.audit.store.db, plant.plantId, after === 0 ? first - 1 : first, records.length > query.limit ? last : Number.MAX_SAFE_INTEGER);
  return { records: page, checkpoints, next: records.length > query.limit ? String(last) : null };
}

export function publicKey(ctx: AppContext) {
  return { algorithm: 'ed25519' as const, publicKeyPem: ctx.audit.key.publicKeyPem, fingerprint: ctx.audit.key.fingerprint };
}

