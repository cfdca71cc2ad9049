import type { PlantId } from '../../../core/model.ts';
import { type EndedSession, buildProxySection } from '../../../core/proxy/proxy-section.ts';
import type { AppContext } from '../../context.ts';
import { inTransaction } from '../../db/handle.ts';
import type { ProxySectionSource } from '../../fleet/fleet-state.ts';
import { type NewEvent, recordEvents } from '../events/store.ts';
import { allTargetsForSection, closeSessionIfOpen, openSessionsForSection } from './store.ts';

/**
 * The gateways' `proxy` section at the current revision (docs/browser-proxy.md): two queries,
 * once per revision (FleetState memoizes it). Sessions a change ended (permission lost, user
 * disabled, logout …) are left out of the section — the gateways close them — and recorded
 * closed with the reason and a `proxy-session.closed` event. That record changes nothing a
 * gateway sees, so it is a plain transaction, not a fleet write.
 */
export function proxySectionSource(ctx: AppContext): ProxySectionSource {
  return async (model) => {
    const config = ctx.proxy;
    if (!config) throw new Error('the browser proxy is off: no section');
    const now = ctx.now().toISOString();
    const [targets, sessions] = await Promise.all([allTargetsForSection(ctx.store.db), openSessionsForSection(ctx.store.db, now)]);
    const { section, ended } = buildProxySection(model, config, targets, sessions, now);
    if (ended.length > 0) await recordEnded(ctx, now, ended, (plantId) => model.plants.get(plantId as PlantId)?.orgId ?? null);
    return section;
  };
}

async function recordEnded(ctx: AppContext, now: string, ended: EndedSession[], orgOf: (plantId: string) => string | null): Promise<void> {
  await inTransaction(ctx.store.db, async (trx) => {
    const events: NewEvent[] = [];
    for (const e of ended) {
      // Another replica recorded it first: one event per session.
      if (!(await closeSessionIfOpen(trx, e.session.id, now, e.reason))) continue;
      events.push(closedEvent(e.session.id, e.session.userId, e.session.userEmail, e.plantId, e.plantId ? orgOf(e.plantId) : null, e.session.targetId, e.reason, null));
    }
    if (events.length > 0) await recordEvents(trx, now, events);
  });
}

export function closedEvent(
  sessionId: string,
  userId: string,
  email: string,
  plantId: string | null,
  orgId: string | null,
  targetId: string,
  reason: string,
  actorUserId: string | null,
): NewEvent {
  return { kind: 'proxy-session.closed', actorUserId, subjectUserId: userId, orgId, details: { session: sessionId, user: email, plantId, target: targetId, reason } };
}

