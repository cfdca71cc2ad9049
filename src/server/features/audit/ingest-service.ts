import { type Attributed, type Attribution, type AttributionView, type ReportedFlow, attributeFlow, attributionView } from '../../../core/audit/attribute.ts';
import { type ClientAttributionView, attributeClientFlow, clientAttributionView } from '../../../core/audit/attribute-client.ts';
import { forbidden } from '../../http/errors.ts';
import { agentGapOwner } from '../../../core/audit/gap-owner.ts';
import { appendDrafts } from '../../../core/audit/chain.ts';
import { type Checkpoint, signCheckpoint } from '../../../core/audit/checkpoint.ts';
import { CLOCK_SKEW_DAYS, type StoredFlow, type StoredGap, segmentOf } from '../../../core/audit/flow.ts';
import type { FlowBatch, FlowBatchAck } from '../../../core/wire/audit.ts';
import { identityIdsOf } from './identity-store.ts';
import type { AppContext } from '../../context.ts';
import type { DaemonRow } from '../daemons/authenticate-daemon.ts';
import { proxySessionUsers } from './proxy-users-store.ts';
import { insertHttpRequests } from './http-requests-store.ts';
import { type HeadRow, type PreparedFlow, allDeviceNames, headSeqs, recordIdsAppendedSince, deviceNamesOfPlant, hostedClientsOfPlant, claimBatch, ensureSegment, findBatchAck, insertCheckpoints, insertFlows, insertGaps, instantsOfBatch, lockHeads, lowerSegmentFirstSeen, prepareFlow, saveBatchAck, storedRecordIds, updateHeads, withoutJit } from './ingest-store.ts';

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
  const ids = await identityIdsOf(audit.store.db, audit.store.engine, attributed, () => gatewayId);
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
  return audit.store.transaction(async (trx, pgClient) => {
    if (!(await claimBatch(trx, gatewayId, batch.batchId, segment))) {
      const ack = await findBatchAck(trx, gatewayId, batch.batchId);
      return { ...(JSON.parse(ack || '{}') as FlowBatchAck), batchId: batch.batchId, duplicate: true };
    }
    // A record cannot have been stored before the day it was first seen (CLOCK_SKEW_DAYS allowed).
    let earliest = segment;
    for (const f of attributed) earliest = Math.min(earliest, segmentOf(new Date(f.firstSeen)));
    earliest -= CLOCK_SKEW_DAYS;
    let heads: Map<string, HeadRow>;
    let already: Set<string>;
    if (audit.store.engine === 'postgres') {
      // B6: the per-record lookup runs before the chain-head locks, so concurrent batches for
      // the same plants overlap it instead of queueing behind it. What committed between the
      // unlocked look at the heads and the locks is exactly those plants' seq ranges in
      // between: they are rechecked under the locks (a record resent concurrently is still stored once).
      await withoutJit(trx);
      const before = await headSeqs(trx, plantIds);
      already = await storedRecordIds(trx, audit.store.engine, gatewayId, prepared, earliest);
      heads = await lockHeads(trx, audit.store.engine, plantIds);
      const moved = [...heads].map(([plantId, h]) => ({ plantId, after: before.get(plantId) ?? 0, upTo: h.seq })).filter((r) => r.upTo > r.after);
      for (const id of await recordIdsAppendedSince(trx, gatewayId, moved, earliest, prepared)) already.add(id);
    } else {
      heads = await lockHeads(trx, audit.store.engine, plantIds);
      already = await storedRecordIds(trx, audit.store.engine, gatewayId, prepared, earliest);
    }
    const fresh = attributed.filter((f) => !already.has(f.recordId));

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
    for (const plantId of plantIds) {
      const records = byPlant.get(plantId) ?? [];
      const head = heads.get(plantId);
      if (!head || records.length === 0) continue;
      const chainSegment = Math.max(segment, head.segment);
      // The checkpoint at a segment boundary lives in the new segment: it anchors the chain once the old one is purged.
      if (head.seq > 0 && head.segment < chainSegment && head.checkpointSeq !== head.seq) {
        sign({ plantId, seq: head.seq, hash: head.hash, recordSegment: head.segment, segment: chainSegment, createdAt: ingestedAt });
      }
      // A head already in a later segment (another replica's clock ahead): the drafts are remade for it.
      const rows = records.map((f) => {
        const p = prepared.get(f.recordId) as PreparedFlow;
        return chainSegment === segment ? p : prepare(p.record, p.identity, chainSegment);
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
    await updateHeads(trx, audit.store, advanced);
    // All plants' records in one bulk insert (B6: one round trip per chunk, not one per plant).
    await insertFlows(trx, audit.store, chained, pgClient);
    await insertHttpRequests(trx, chained, (row) => row.record);
    await lowerSegmentFirstSeen(trx, earliestBySegment);
    const stored = chained.length;
    await insertCheckpoints(trx, checkpoints);

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
    const ack: FlowBatchAck = { batchId: batch.batchId, duplicate: false, stored, alreadyStored: attributed.length - fresh.length, unattributed: unattributed.length, gaps: newGaps };
    await saveBatchAck(trx, gatewayId, batch.batchId, JSON.stringify(ack));
    return ack;
  });
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

type Chained = StoredFlow & { hash: string };

const CANONICAL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** One spelling of every instant (UTC, milliseconds), so stored times compare as text; the usual input is already in it. */
function iso(text: string): string {
  return CANONICAL_INSTANT.test(text) ? text : new Date(text).toISOString();
}
