import { type EventPlant, eventConcernsPlant } from '../../../core/audit/plant-events.ts';
import type { OrgId, PlantId } from '../../../core/model.ts';
import type { AuditEventPage, AuditEventsQuery } from '../../../core/wire/audit.ts';
import type { AppContext } from '../../context.ts';
import type { Caller } from '../../http/registry.ts';
import { scanEvents, userIdByEmail, usersInTrail } from './plant-events-store.ts';
import { auditedPlant } from './read-service.ts';

/** Rows read per scan of the event log, and the most scans one page may take (a bounded cost per request). */
const SCAN = 500;
const MAX_SCANS = 20;

/**
 * The SPEC A4 events concerning a plant (issue 10 item 8), oldest first, for the same
 * readers as its flow trail (SPEC A2: the owning organization's Admins and Moderators).
 * Which events concern a plant: src/core/audit/plant-events.ts. The plant's users are the
 * holders of a role covering it now and the users in its trail (within `from` when given).
 */
export async function plantEvents(ctx: AppContext, caller: Caller, ref: string, query: AuditEventsQuery): Promise<AuditEventPage> {
  const audited = await auditedPlant(ctx, caller, ref);
  const model = await ctx.fleet.current();
  const plant: EventPlant = {
    id: audited.plantId,
    name: audited.plantName,
    orgId: audited.orgId,
    orgName: model.organizations.get(audited.orgId as OrgId)?.name ?? '',
  };
  const from = query.from ? new Date(query.from).toISOString() : undefined;
  const to = query.to ? new Date(query.to).toISOString() : undefined;
  const users = new Set<string>([...model.holdersOfPlant(audited.plantId as PlantId), ...(await usersInTrail(ctx.audit.store.db, audited.plantId, from))]);
  let userId: string | undefined;
  if (query.user !== undefined) {
    const found = await userIdByEmail(ctx.store.db, query.user);
    if (found === null) return { events: [], next: null };
    userId = found;
  }
  return pageOfEvents(ctx, { plant, users, from, to, kind: query.kind, userId, after: query.cursor ? Number(query.cursor) : 0, limit: query.limit });
}

async function pageOfEvents(
  ctx: AppContext,
  s: { plant: EventPlant; users: Set<string>; from?: string | undefined; to?: string | undefined; kind?: string | undefined; userId?: string | undefined; after: number; limit: number },
): Promise<AuditEventPage> {
  const events: AuditEventPage['events'] = [];
  let after = s.after;
  for (let scan = 0; scan < MAX_SCANS; scan++) {
    const rows = await scanEvents(ctx.store.db, { afterId: after, from: s.from, to: s.to, kind: s.kind, userId: s.userId, limit: SCAN });
    for (const r of rows) {
      after = r.id;
      if (!eventConcernsPlant(r, s.plant, s.users)) continue;
      events.push({ id: r.id, at: r.at, kind: r.kind, actor: r.actor, subject: r.subject, details: r.details });
      if (events.length === s.limit) return { events, next: String(r.id) };
    }
    if (rows.length < SCAN) return { events, next: null };
  }
  // The scan budget ran out before the page filled: continue from the last event read.
  return { events, next: String(after) };
}
