import { type Attributed, type Attribution, type AttributionView, type ReportedFlow, attributeFlow, attributionView } from '../../../core/audit/attribute.ts';
import { type ClientAttributionView, attributeClientFlow, clientAttributionView } from '../../../core/audit/attribute-client.ts';
import { forbidden } from '../../http/errors.ts';
import { agentGapOwner } from '../../../core/audit/gap-owner.ts';
import { appendDrafts } from '../../../core/audit/chain.ts';
import { type Checkpoint, signCheckpoint } from '../../../core/audit/checkpoint.ts';
import { CLOCK_SKEW_DAYS, type StoredGap, segmentOf } from '../../../core/audit/flow.ts';
import type { FlowBatch, FlowBatchAck } from '../../../core/wire/audit.ts';
import { identityIdsOf } from './identity-store.ts';
import { identityKey } from '../../../core/audit/identity.ts';
import type { Transaction } from 'kysely';
import type pg from 'pg';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import { type Flight, chainTipsOf, forgetTips, landedWithin, takeOff } from './chain-tips.ts';
import { commitGroupOf } from './commit-group.ts';
import type { AppContext } from '../../context.ts';
import type { DaemonRow } from '../daemons/authenticate-daemon.ts';
import { proxySessionUsers } from './proxy-users-store.ts';
import { insertHttpRequests } from './http-requests-store.ts';
import { type Chained, FIRST_HEAD, type HeadRow, type PreparedFlow, allDeviceNames, committedHeads, recordIdsAppendedSince, deviceNamesOfPlant, hostedClientsOfPlant, claimBatch, ensureSegment, findBatchAck, insertCheckpoints, insertFlows, insertGaps, instantsOfBatch, lockHeads, lowerSegmentFirstSeen, markBeforeHeadLocks, releaseHeadLocks, prepareFlow, saveBatchAck, storedRecordIds, updateHeads, withoutJit } from './ingest-store.ts';

/**
 * Ingests one batch of a gateway's (or agent's) flow records and capture gaps (issue 10 items 2, 3):
 * - idempotent: a batch id seen before answers its first acknowledgement, and a record id
 *   this gateway already delivered in another batch is not stored again;
 * - attributed now, against the fleet as it is now (SPEC A5: the identities are frozen
 *   into the record, later renames and re-mappings never touch it);
 * - chained per plant, with a signed checkpoint when a new day segment opens and at
 *   least every checkpoint interval;
 * - one transaction on the audit store only: nothing here waits for, or holds up, a fleet write.
 */
export async function ingestFlows(ctx: AppContext, daemon: DaemonRow, batch: FlowBatch): Promise<FlowBatchAck> {
  const view = await attributionNow(ctx);
  const proxyUsers = await proxySessionUsers(ctx.store.db, batch.records.map((r) => r.session));
  return ingestAttributed(ctx, daemon, batch, (reported) => attributeFlow(view, reported, (session) => proxyUsers.get(session) ?? null), daemon.id);
}

/**
 * An agent's batch (issue 10 item 2): flows of its hosted direct VPNs' clients, attributed
 * to the agent's own plant only (a destination outside that plant's subnets is a gap, never
 * another plant's record) and to the client owning the tunnel address at ingest time.
 */
export async function ingestAgentFlows(ctx: AppContext, daemon: DaemonRow, batch: FlowBatch): Promise<FlowBatchAck> {
  const plantId = daemon.plant_id;
  if (plantId === null) throw forbidden('this agent belongs to no plant');
  const view = await ctx.fleet.memo(`audit-client-attribution:${plantId}`, async () => {
    const model = await ctx.fleet.current();
    return clientAttributionView(model, plantId, await hostedClientsOfPlant(ctx.store.db, plantId), await deviceNamesOfPlant(ctx.store.db, plantId));
  });
  return ingestAttributed(ctx, daemon, batch, (reported) => attributeClientFlow(view as ClientAttributionView, reported), agentGapOwner(plantId, daemon.id));
}

/** `gapOwner`: whose gaps the batch's are (a gateway's: every plant's; an agent's: its plant's only, core/audit/gap-owner.ts). */
async function ingestAttributed(ctx: AppContext, daemon: DaemonRow, batch: FlowBatch, attribute: (reported: ReportedFlow) => Attribution, gapOwner: string): Promise<FlowBatchAck> {
  const audit = ctx.audit;
  const now = ctx.now();
  const ingestedAt = now.toISOString();
  const segment = segmentOf(now);
  const gatewayId = daemon.id;
  const attributed: Attributed[] = [];
  const unattributed: ReportedFlow[] = [];
  const seen = new Set<string>();
  for (const reported of batch.records) {
    if (seen.has(reported.id)) continue;
    seen.add(reported.id);
    reported.firstSeen = iso(reported.firstSeen);
    reported.lastSeen = iso(reported.lastSeen);
    const result = attribute(reported);
    if (result.ok) attributed.push(withDetail(result.flow, reported));
    else unattributed.push(reported);
  }
  const plantIds = [...new Set(attributed.map((f) => f.plantId))];

  await ensureSegment(audit.store.db, audit.store.engine, segment, ingestedAt);
  // Identities are resolved (and stored where new) before the transaction: see identity-store.ts.
  // Within one batch attribution is a function of the tunnel address, the destination and the
  // session alone (one fleet view, one set of proxy sessions): records alike in those three name
  // the same identity, whose key is made once (B6).
  const keyByInputs = new Map<string, string>();
  const identityKeys = attributed.map((f) => {
    const inputs = `${f.tunnelIp}|${f.destinationIp}|${f.session ?? ''}`;
    let key = keyByInputs.get(inputs);
    if (key === undefined) {
      key = identityKey(gatewayId, f);
      keyByInputs.set(inputs, key);
    }
    return key;
  });
  const ids = await identityIdsOf(audit.store.db, audit.store.engine, attributed, () => gatewayId, audit.store.db, identityKeys);
  // Everything of a record but its seq and hash, made before the chain heads are locked (B6).
  // The attributed flows become the stored records in place: no copy per record.
  const msOf = instantsOfBatch();
  const prepare = (record: Chained, identity: number, recordSegment: number) => {
    record.gatewayId = gatewayId;
    record.segment = recordSegment;
    record.ingestedAt = ingestedAt;
    record.seq = 0;
    record.hash = '';
    return prepareFlow(audit.store.engine, record, identity, msOf);
  };
  const prepared = new Map<string, PreparedFlow>();
  for (let k = 0; k < attributed.length; k++) {
    const f = attributed[k] as Attributed;
    prepared.set(f.recordId, prepare(f as Chained, ids[k] as number, segment));
  }
  // A record cannot have been stored before the day it was first seen (CLOCK_SKEW_DAYS allowed).
  let earliest = segment;
  for (const f of attributed) earliest = Math.min(earliest, segmentOf(new Date(f.firstSeen)));
  earliest -= CLOCK_SKEW_DAYS;

  /** Numbers, hashes and checkpoints the fresh records on the given heads (nothing written yet). */
  const chain = (fresh: readonly Attributed[], heads: ReadonlyMap<string, HeadRow>): Chaining => {
    const checkpoints: Checkpoint[] = [];
    const sign = (c: Omit<Checkpoint, 'signature'>) => checkpoints.push(signCheckpoint(audit.key.privateKeyPem, c));
    const chained: PreparedFlow[] = [];
    const earliestBySegment = new Map<number, string>();
    const advanced = new Map<string, HeadRow>();
    const byPlant = new Map<string, Attributed[]>();
    for (const f of fresh) {
      const list = byPlant.get(f.plantId) ?? [];
      byPlant.set(f.plantId, list);
      list.push(f);
    }
    for (const [plantId, records] of byPlant) {
      const head = heads.get(plantId);
      if (!head) continue;
      const chainSegment = Math.max(segment, head.segment);
      // The checkpoint at a segment boundary lives in the new segment: it anchors the chain once the old one is purged.
      if (head.seq > 0 && head.segment < chainSegment && head.checkpointSeq !== head.seq) {
        sign({ plantId, seq: head.seq, hash: head.hash, recordSegment: head.segment, segment: chainSegment, createdAt: ingestedAt });
      }
      // A head already in a later segment (another replica's clock ahead): the record is prepared again for it.
      const rows = records.map((f) => {
        let p = prepared.get(f.recordId) as PreparedFlow;
        if (p.record.segment !== chainSegment) {
          p = prepare(p.record, p.identity, chainSegment);
          prepared.set(f.recordId, p);
        }
        return p;
      });
      const appendedHead = appendDrafts(head, rows);
      for (const r of rows) chained.push(r);
      for (const r of records) {
        const known = earliestBySegment.get(chainSegment);
        if (known === undefined || r.firstSeen < known) earliestBySegment.set(chainSegment, r.firstSeen);
      }
      const due = head.checkpointAt === '' || now.getTime() - Date.parse(head.checkpointAt) >= audit.checkpointIntervalMs;
      if (due) sign({ plantId, seq: appendedHead.seq, hash: appendedHead.hash, recordSegment: chainSegment, segment: chainSegment, createdAt: ingestedAt });
      advanced.set(plantId, {
        ...appendedHead,
        checkpointSeq: due ? appendedHead.seq : head.checkpointSeq,
        checkpointAt: due ? ingestedAt : head.checkpointAt,
      });
    }
    return { chained, checkpoints, earliestBySegment, advanced, fresh: fresh.length };
  };

  /** The rest of the batch once its records are written and its heads are advanced. */
  const finish = async (trx: AuditTrx, done: Chaining): Promise<FlowBatchAck> => {
    await lowerSegmentFirstSeen(trx, done.earliestBySegment);
    await insertCheckpoints(trx, done.checkpoints);
    const gaps: StoredGap[] = batch.gaps.map((g) => ({ gatewayId: gapOwner, gapId: g.id, from: iso(g.from), to: iso(g.to), reason: g.reason, ingestedAt, segment }));
    if (unattributed.length > 0) {
      gaps.push({
        gatewayId: gapOwner,
        gapId: `unattributed:${batch.batchId}`,
        from: unattributed.map((f) => f.firstSeen).sort()[0] as string,
        to: unattributed.map((f) => f.lastSeen).sort().at(-1) as string,
        reason: `${unattributed.length} flow record(s) whose destination is in no plant subnet`,
        ingestedAt,
        segment,
      });
    }
    const newGaps = await insertGaps(trx, gaps);
    const ack: FlowBatchAck = { batchId: batch.batchId, duplicate: false, stored: done.chained.length, alreadyStored: attributed.length - done.fresh, unattributed: unattributed.length, gaps: newGaps };
    await saveBatchAck(trx, gatewayId, batch.batchId, JSON.stringify(ack));
    return ack;
  };

  const duplicateAck = async (trx: AuditTrx): Promise<FlowBatchAck> => {
    const ack = await findBatchAck(trx, gatewayId, batch.batchId);
    return { ...(JSON.parse(ack || '{}') as FlowBatchAck), batchId: batch.batchId, duplicate: true };
  };

  // PostgreSQL's predicted heads (chain-tips.ts); the locking-first order below keeps them too.
  const tips = chainTipsOf(audit.store);

  /**
   * The safe order: the chain heads are locked first, then the records are checked, chained
   * and written (SQLite, where the transaction holds the write lock anyway; and PostgreSQL's
   * way when its predicted heads were wrong).
   */
  const lockedFirst = async (trx: AuditTrx, pgClient: pg.PoolClient | null): Promise<FlowBatchAck> => {
    if (!(await claimBatch(trx, gatewayId, batch.batchId, segment))) return duplicateAck(trx);
    let heads: Map<string, HeadRow>;
    let already: Set<string>;
    if (audit.store.engine === 'postgres') {
      // The per-record lookup runs before the locks; what committed between the unlocked look
      // at the heads and the locks is exactly those plants' seq ranges in between, rechecked
      // under the locks (a record resent concurrently is still stored once).
      await withoutJit(trx);
      const before = await committedHeads(trx, plantIds);
      already = await storedRecordIds(trx, audit.store.engine, gatewayId, prepared, earliest);
      heads = await lockHeads(trx, audit.store.engine, plantIds, before);
      const moved = [...heads].map(([plantId, h]) => ({ plantId, after: before.get(plantId)?.seq ?? 0, upTo: h.seq })).filter((r) => r.upTo > r.after);
      for (const id of await recordIdsAppendedSince(trx, gatewayId, moved, earliest, prepared)) already.add(id);
    } else {
      heads = await lockHeads(trx, audit.store.engine, plantIds);
      already = await storedRecordIds(trx, audit.store.engine, gatewayId, prepared, earliest);
    }
    const done = chain(
      attributed.filter((f) => !already.has(f.recordId)),
      heads,
    );
    // Under the locks these are the heads this batch leaves: later batches may chain on them.
    if (audit.store.engine === 'postgres') for (const [plantId, head] of done.advanced) tips.heads.set(plantId, head);
    await updateHeads(trx, audit.store, done.advanced);
    // All plants' records in one bulk insert (B6: one round trip per chunk, not one per plant).
    await insertFlows(trx, audit.store, done.chained, pgClient);
    await insertHttpRequests(trx, done.chained, (row) => row.record);
    return finish(trx, done);
  };

  // SQLite: batches ready at the same time share one commit (commit-group.ts).
  if (audit.store.engine !== 'postgres') return commitGroupOf<AuditTrx>(audit.store, (work) => audit.store.transaction((trx) => work(trx))).run((trx) => lockedFirst(trx, null));

  /**
   * PostgreSQL (B6): the records are chained on the heads this process predicts (the heads its
   * own batches in flight will leave, chain-tips.ts) and copied in before the chain heads are
   * locked, so the copies of concurrent batches run side by side and only the head update and
   * commit queue on the locks. Under the locks the prediction is checked: the heads must be
   * exactly the predicted ones, and no record of this batch may have been appended since the
   * unlocked look. A wrong prediction (another replica appended, a batch before it failed, a
   * record resent concurrently) rolls the transaction back and the batch runs `lockedFirst`.
   */
  // Takes off when it chains (below): the batches ahead of it are exactly those it chains behind.
  const flying: { flight: Flight | null } = { flight: null };
  let predicted = new Map<string, HeadRow>();
  try {
    return await audit.store.transaction(async (trx, pgClient) => {
      if (!(await claimBatch(trx, gatewayId, batch.batchId, segment))) return duplicateAck(trx);
      await withoutJit(trx);
      const before = await committedHeads(trx, plantIds);
      const already = await storedRecordIds(trx, audit.store.engine, gatewayId, prepared, earliest);
      const fresh = attributed.filter((f) => !already.has(f.recordId));
      const plants = [...new Set(fresh.map((f) => f.plantId))];
      // A plant without a tip while batches are in flight: their heads are not known yet, so
      // wait for them to land (they leave tips, or the stored heads are theirs) before predicting.
      let stored = before;
      for (let round = 0; round < LANDING_ROUNDS && plants.some((p) => !tips.heads.has(p)); round++) {
        const ahead = [...tips.flights];
        if (ahead.length === 0) break;
        await landedWithin(ahead, LANDING_WAIT_MS);
        stored = await committedHeads(trx, plants);
      }
      // From here to the tips' update nothing awaits: two batches never predict from the same tip.
      const own = takeOff(tips);
      flying.flight = own;
      const starts = new Map<string, HeadRow>(plants.map((p) => [p, tips.heads.get(p) ?? stored.get(p) ?? FIRST_HEAD]));
      const done = chain(fresh, starts);
      predicted = done.advanced;
      for (const [plantId, head] of predicted) tips.heads.set(plantId, head);

      await insertFlows(trx, audit.store, done.chained, pgClient);
      await insertHttpRequests(trx, done.chained, (row) => row.record);
      // The batches chained before this one lock first: until they have, the heads are theirs to move.
      await markBeforeHeadLocks(trx);
      let locked = await lockHeads(trx, audit.store.engine, plants, stored);
      // Heads not yet where predicted while batches ahead are still in flight: they are still
      // copying (more batches in flight than one commit's time covers); wait for them, bounded.
      for (let round = 0; !predictionHolds(starts, locked) && round < LOCK_ROUNDS; round++) {
        const ahead = own.ahead.filter((f) => tips.flights.has(f));
        if (ahead.length === 0) break;
        await releaseHeadLocks(trx);
        await landedWithin(ahead, LANDING_WAIT_MS);
        locked = await lockHeads(trx, audit.store.engine, plants, stored);
      }
      if (!predictionHolds(starts, locked)) throw new Mispredicted();
      const moved = [...starts].map(([plantId, start]) => ({ plantId, after: before.get(plantId)?.seq ?? 0, upTo: start.seq })).filter((r) => r.upTo > r.after);
      if ((await recordIdsAppendedSince(trx, gatewayId, moved, earliest, prepared)).size > 0) throw new Mispredicted();
      await updateHeads(trx, audit.store, done.advanced);
      return finish(trx, done);
    });
  } catch (error) {
    forgetTips(tips, predicted.keys());
    flying.flight?.land();
    if (!(error instanceof Mispredicted) && !isPredictionConflict(error)) throw error;
    tips.fallbacks++;
    return lockedFirstWithRetries();
  } finally {
    flying.flight?.land();
  }

  /** `lockedFirst` in a flight of its own; its copy may still meet rows of a batch that predicted wrong (then it tries again). */
  async function lockedFirstWithRetries(): Promise<FlowBatchAck> {
    for (let attempt = 1; ; attempt++) {
      const own = takeOff(tips);
      try {
        // The batches in flight may have copied rows at the seqs this batch is about to take
        // from the stored heads: its insert would wait for them while they wait for its head
        // locks (a deadlock PostgreSQL breaks after a second, failing one of them). Holding
        // nothing yet, it waits for them to land first; none of them waits for it.
        await landedWithin(own.ahead, FALLBACK_WAIT_MS);
        return await audit.store.transaction(lockedFirst);
      } catch (error) {
        forgetTips(tips, plantIds);
        if (attempt >= FALLBACK_ATTEMPTS || !isPredictionConflict(error)) throw error;
      } finally {
        own.land();
      }
    }
  }
}

/** How long, and how often, a batch waits for the batches ahead of it (a bound, see landedWithin). */
const LANDING_WAIT_MS = 2_000;
const LANDING_ROUNDS = 3;
const LOCK_ROUNDS = 10;
const FALLBACK_WAIT_MS = 30_000;
const FALLBACK_ATTEMPTS = 3;

function predictionHolds(starts: ReadonlyMap<string, HeadRow>, locked: ReadonlyMap<string, HeadRow>): boolean {
  for (const [plantId, start] of starts) {
    const head = locked.get(plantId);
    if (!head || head.seq !== start.seq || head.hash !== start.hash) return false;
  }
  return true;
}

type AuditTrx = Transaction<AuditDatabase>;

/** A batch chained and ready to write. */
type Chaining = { chained: PreparedFlow[]; checkpoints: Checkpoint[]; earliestBySegment: Map<number, string>; advanced: Map<string, HeadRow>; fresh: number };

/** The heads a PostgreSQL ingest predicted were not the heads it found under the locks. */
class Mispredicted extends Error {
  constructor() {
    super('the predicted chain heads moved');
  }
}

/** A copy that met another transaction's rows at the same seqs (a unique violation, or a deadlock while waiting for them). */
function isPredictionConflict(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === '40P01';
}

/**
 * The fleet as attribution sees it now (SPEC A5), with the plants' device names: built once
 * per fleet revision (device, profile and subnet writes bump it), not once per batch.
 */
async function attributionNow(ctx: AppContext): Promise<AttributionView> {
  const view = await ctx.fleet.memo('audit-attribution', async () => attributionView(await ctx.fleet.current(), await allDeviceNames(ctx.store.db)));
  return view as AttributionView;
}

/** The browser proxy's request detail travels with its record into the chain (issue 12 item 4). */
function withDetail(flow: Attributed, reported: FlowBatch['records'][number]): Attributed {
  if (reported.http !== undefined) flow.http = reported.http;
  return flow;
}

const CANONICAL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** One spelling of every instant (UTC, milliseconds), so stored times compare as text; the usual input is already in it. */
function iso(text: string): string {
  return CANONICAL_INSTANT.test(text) ? text : new Date(text).toISOString();
}
