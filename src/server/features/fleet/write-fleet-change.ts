import type { Transaction } from 'kysely';
import type { FleetModel } from '../../../core/fleet-model.ts';
import type { PlantId, UserId } from '../../../core/model.ts';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../db/schema.ts';
import type { FleetApplyResult } from '../../fleet/apply-fleet.ts';
import { mirrorFleetChanges, plantsOfFleetChanges, usersOfFleetChanges } from '../../fleet/mirror-fleet-changes.ts';
import { type NewEvent, recordEvents } from '../events/store.ts';
import { routeKeys } from '../vpn/routes-view.ts';

export type FleetChange = {
  applied: FleetApplyResult;
  /** Recorded in the same transaction (the apply's own events; `daemon.removed` per removed daemon is added here). */
  events: NewEvent[];
  /** The write changed what the model holds beyond what `applied.modelChanges` says (e.g. a rename): reload it. */
  structural?: boolean;
  /** Plants whose agent document changes with this write although the model does not (issue 9: a direct VPN enabled/disabled). */
  touchPlants?: PlantId[];
};

export type FleetChangeContext = {
  actorUserId: string | null;
  now: string;
  /** Why routes moved, in the `routes.changed` events ("fleet apply", "org SolarCo: job role granted"). */
  cause: string;
  /** The organization the route-move events belong to (null: installation-wide). */
  orgId: string | null;
  /** Text of `daemon.removed` events' cause. */
  daemonCause: string;
};

/**
 * The one write path of fleet edits (a fleet apply, and every organization self-service
 * change): `run` applies a fleet file in the serialised write's transaction; the model is
 * then mirrored (users, memberships, job roles, subnets of existing plants) or reloaded
 * (anything else structural), the
 * gateways' revision moves, and every user whose routes moved gets a `routes.changed`
 * event (SPEC A4).
 */
export async function writeFleetChange(
  ctx: AppContext,
  at: FleetChangeContext,
  run: (trx: Transaction<Database>) => Promise<FleetChange>,
): Promise<FleetApplyResult> {
  // Routes of the users an incremental mirror moves, taken before it mutates the model (for the events).
  let routesBefore: Map<UserId, Set<string>> | null = null;
  const { result, previous, model, affectedUsers } = await ctx.fleet.write(
    async (trx) => {
      const change = await run(trx);
      const { applied } = change;
      await recordEvents(trx, at.now, [
        ...change.events,
        ...applied.removedDaemons.map((d) => ({
          kind: 'daemon.removed' as const,
          actorUserId: at.actorUserId,
          subjectUserId: null,
          orgId: at.orgId,
          details: { kind: d.kind, id: d.id, name: d.name, plant: d.plant, cause: at.daemonCause },
        })),
      ]);
      return change;
    },
    (current, change) => {
      const { applied } = change;
      if (change.structural) return 'reload';
      if (applied.changes.length === 0) return [];
      if (applied.modelChanges === null) return 'reload';
      const before = new Map<UserId, Set<string>>();
      for (const userId of usersOfFleetChanges(current, applied.modelChanges)) before.set(userId, routeKeys(current, userId));
      const plants = plantsOfFleetChanges(current, applied.modelChanges);
      const moved = mirrorFleetChanges(current, applied.modelChanges);
      for (const userId of moved) if (!before.has(userId)) before.set(userId, new Set());
      routesBefore = before;
      return { users: moved, plants, touchPlants: change.touchPlants };
    },
  );
  if (result.applied.changes.length > 0 || result.structural) {
    if (routesBefore !== null) {
      const known = routesBefore as Map<UserId, Set<string>>;
      await recordRouteMoves(ctx, at, (userId) => known.get(userId) ?? new Set(), model, affectedUsers);
    } else if (previous !== model) await recordRouteMoves(ctx, at, (userId) => routeKeys(previous, userId), model, affectedUsers, previous);
  }
  return result.applied;
}

/** SPEC A4: every permission change that moved someone's routes leaves an event naming what moved. */
async function recordRouteMoves(
  ctx: AppContext,
  at: FleetChangeContext,
  routesBefore: (userId: UserId) => Set<string>,
  after: FleetModel,
  users: ReadonlySet<UserId>,
  before?: FleetModel,
): Promise<void> {
  const events: NewEvent[] = [];
  // Only the users the change fans out to can have moved (FleetState computed them from the two models).
  for (const userId of users) {
    const was = routesBefore(userId);
    const is = routeKeys(after, userId);
    const added = [...is].filter((k) => !was.has(k));
    const removed = [...was].filter((k) => !is.has(k));
    if (added.length === 0 && removed.length === 0) continue;
    const email = after.users.get(userId)?.email ?? before?.users.get(userId)?.email;
    events.push({
      kind: 'routes.changed',
      actorUserId: at.actorUserId,
      subjectUserId: userId,
      orgId: at.orgId,
      details: { user: email, added, removed, cause: at.cause },
    });
  }
  await recordEvents(ctx.store.db, at.now, events);
}
