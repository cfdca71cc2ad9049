import { eventConcernsAnyPlant, type EventPlant } from '../../../core/audit/plant-events.ts';
import { type SiemSinkConfig, eventLine, flowLine } from '../../../core/audit/siem-sink.ts';
import type { FleetModel } from '../../../core/fleet-model.ts';
import type { PlantId } from '../../../core/model.ts';
import type { AppContext } from '../../context.ts';
import { scanEvents } from './plant-events-store.ts';
import { linkSessions } from './session-link-service.ts';
import { chainHeads, readCursors, recordsToStream, saveCursors } from './stream-store.ts';
import { type SiemLine, type SiemTransport, transportOf } from './stream-transports.ts';

/**
 * Streams the audit trail to SIEM sinks (issue 10 item 5, SPEC A3), at least once and
 * resumable. Per sink and stream (`events`, `flows:<plant>`) a cursor in the audit store
 * says what the sink acknowledged; it moves only after the sink acknowledged a batch, so a
 * failed delivery, a broken connection or a restart of the control plane resends from there
 * (a line may arrive twice, never not at all; its `id` is stable). Failures are retried with
 * backoff (1 s doubling to 60 s). An organization's sink receives only that organization's
 * records and the events concerning its plants (SPEC A2); a `platform: true` sink everything.
 */
export type StreamingOptions = {
  /** Wait between passes when nothing is new (default 2 s). */
  pollMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** A broken syslog connection resends what was written this long before the break (default 10 s): TCP does not say what the receiver read. */
  replayWindowMs?: number;
};
export type StreamingLog = (message: string, fields: Record<string, unknown>) => void;
export type Streaming = { stop(): Promise<void> };

type Scope = { orgId: string | null; plants: Array<{ plant: EventPlant; users: ReadonlySet<string> }> };

export function startSiemStreaming(ctx: AppContext, sinks: readonly SiemSinkConfig[], options: StreamingOptions, warn: StreamingLog): Streaming {
  let stopped = false;
  const wakers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  const transports: SiemTransport[] = [];
  const loops = sinks.map((sink) => {
    const transport = transportOf(sink, () => ctx.now().getTime());
    transports.push(transport);
    return runSink(ctx, sink, transport, options, warn, sleep, () => stopped);
  });
  return {
    stop: async () => {
      stopped = true;
      for (const wake of [...wakers]) wake();
      await Promise.all(loops);
      for (const t of transports) t.close();
    },
  };
}

async function runSink(
  ctx: AppContext,
  sink: SiemSinkConfig,
  transport: SiemTransport,
  options: StreamingOptions,
  warn: StreamingLog,
  sleep: (ms: number) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  const db = ctx.audit.store.db;
  const pollMs = options.pollMs ?? 2000;
  const minBackoff = options.backoffMinMs ?? 1000;
  const maxBackoff = options.backoffMaxMs ?? 60_000;
  const replayWindow = options.replayWindowMs ?? 10_000;
  const limit = sink.batch ?? 500;
  let cursors: Map<string, number> | null = null;
  // Positions before each batch written on the current syslog connection (newest last).
  let replay: Array<{ at: number; before: Map<string, number> }> = [];
  let backoff = minBackoff;
  let missingOrg = false;

  const rewind = async (brokeAt: number) => {
    const from = replay.find((r) => r.at >= brokeAt - replayWindow);
    replay = [];
    if (!from || !cursors) return;
    const moved = new Map<string, number>();
    for (const [stream, position] of cursors) {
      const target = from.before.get(stream) ?? 0;
      if (position > target) moved.set(stream, target);
    }
    for (const [stream, position] of moved) cursors.set(stream, position);
    await saveCursors(db, sink.name, moved, ctx.now().toISOString());
  };

  while (!stopped()) {
    try {
      if (cursors === null) cursors = await readCursors(db, sink.name);
      const brokeAt = transport.takeBreak();
      if (brokeAt !== null) await rewind(brokeAt);
      const scope = scopeOf(await ctx.fleet.current(), sink);
      if (scope === null) {
        if (!missingOrg) warn('audit sink: no such organization; nothing is sent until it exists', { sink: sink.name, organization: sink.organization });
        missingOrg = true;
        await sleep(pollMs);
        continue;
      }
      missingOrg = false;
      const batch = await collect(ctx, cursors, scope, limit);
      if (batch.lines.length > 0) {
        const before = new Map(cursors);
        await transport.send(batch.lines);
        if (sink.syslog) {
          const at = ctx.now().getTime();
          replay = replay.filter((r) => r.at >= at - replayWindow);
          replay.push({ at, before });
        }
      }
      for (const [stream, position] of batch.positions) cursors.set(stream, position);
      await saveCursors(db, sink.name, batch.positions, ctx.now().toISOString());
      backoff = minBackoff;
      if (batch.lines.length < limit && !batch.more) await sleep(pollMs);
    } catch (error) {
      // Never the sink's secret or URL: its name and what failed.
      warn('audit sink delivery failed; retrying', { sink: sink.name, err: error instanceof Error ? error.message : String(error), retryInMs: backoff });
      try {
        await rewind(transport.takeBreak() ?? ctx.now().getTime());
      } catch {
        cursors = null;
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    }
  }
}

/** The organization a sink is scoped to, by id or name, with its plants and their users; null: it does not exist (now). */
function scopeOf(model: FleetModel, sink: SiemSinkConfig): Scope | null {
  if (sink.platform) return { orgId: null, plants: [] };
  const org = [...model.organizations.values()].find((o) => o.id === sink.organization) ?? [...model.organizations.values()].find((o) => o.name === sink.organization);
  if (!org) return null;
  const plants = [...model.plantsOf(org.id)].map((plantId) => {
    const p = model.plants.get(plantId);
    return { plant: { id: plantId, name: p?.name ?? '', orgId: org.id, orgName: org.name }, users: model.holdersOfPlant(plantId as PlantId) as ReadonlySet<string> };
  });
  return { orgId: org.id, plants };
}

/** The next lines after the cursors (events first, then each plant's chain), at most `limit`, and the positions they reach. */
async function collect(ctx: AppContext, cursors: ReadonlyMap<string, number>, scope: Scope, limit: number): Promise<{ lines: SiemLine[]; positions: Map<string, number>; more: boolean }> {
  const lines: SiemLine[] = [];
  const positions = new Map<string, number>();
  let more = false;
  const events = await scanEvents(ctx.store.db, { afterId: cursors.get('events') ?? 0, limit });
  let lastEvent = 0;
  for (const e of events) {
    lastEvent = e.id;
    if (scope.orgId === null || e.orgId === scope.orgId || eventConcernsAnyPlant(e, scope.plants)) {
      lines.push(eventLine({ id: e.id, at: e.at, kind: e.kind, actor: e.actor, subject: e.subject, details: e.details, orgId: e.orgId }));
    }
  }
  if (lastEvent > 0) positions.set('events', lastEvent);
  if (events.length === limit) more = true;
  const heads = await chainHeads(ctx.audit.store.db);
  for (const [plantId, head] of [...heads].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const room = limit - lines.length;
    if (room <= 0) {
      more = true;
      break;
    }
    const stream = `flows:${plantId}`;
    const at = cursors.get(stream) ?? 0;
    if (head <= at) continue;
    const records = await recordsToStream(ctx.audit.store.db, plantId, at, scope.orgId, room);
    // The same session link as the query shows (by user, gateway and time).
    lines.push(...(await linkSessions(ctx, records)).flows.map(flowLine));
    const last = records.at(-1)?.seq ?? at;
    // Fewer than asked: everything of this organization up to the head was read.
    const reached = records.length < room ? Math.max(head, last) : last;
    if (reached > at) positions.set(stream, reached);
  }
  return { lines, positions, more };
}
