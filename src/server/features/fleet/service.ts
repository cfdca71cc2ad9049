import type { FleetModel } from '../../../core/fleet-model.ts';
import { validateFleetFile } from '../../../core/fleet-file/validate.ts';
import type { UserId } from '../../../core/model.ts';
import type { AppContext } from '../../context.ts';
import { type NewEvent, recordEvents } from '../events/store.ts';
import { ApiError, fromZodError } from '../../http/errors.ts';
import { applyFleetFile } from '../../fleet/apply-fleet.ts';
import { mirrorFleetChanges, usersOfFleetChanges } from '../../fleet/mirror-fleet-changes.ts';
import { routeKeys } from '../vpn/routes-view.ts';

class DryRun extends Error {
  readonly changes: string[];
  readonly kept: string[];
  constructor(changes: string[], kept: string[]) {
    super('dry run');
    this.changes = changes;
    this.kept = kept;
  }
}

export type FleetApplyFlags = { dryRun: boolean; prune: boolean; force: boolean };

/** `plantgate admin apply`: validate everything, apply in one transaction, record who lost or gained which routes. */
export async function applyFleetRequest(ctx: AppContext, actorUserId: string, document: unknown, flags: FleetApplyFlags) {
  const knownUsers = await ctx.store.db.selectFrom('users').select('email').execute();
  const knownOrgs = await ctx.store.db.selectFrom('organizations').select('name').execute();
  const complete = typeof document === 'object' && document !== null && (document as { complete?: unknown }).complete === true;
  const validation = validateFleetFile(document, {
    knownUserEmails: new Set(knownUsers.map((u) => u.email)),
    // A partial file may name a stored organization as a partner; a pruning one removes what it does not list.
    knownOrganizations: flags.prune || complete ? undefined : new Set(knownOrgs.map((o) => o.name)),
    reserved: [
      { name: 'tunnel range', prefix: ctx.addressing.tunnelRange },
      { name: 'mapped space', prefix: ctx.addressing.mappedSpace },
    ],
  });
  if (!validation.ok) {
    if (validation.zodError) throw fromZodError(validation.zodError);
    const first = validation.problems[0] as { field: string; message: string };
    const more = validation.problems.length > 1 ? ` (and ${validation.problems.length - 1} more)` : '';
    throw new ApiError(400, 'invalid', `${first.field}: ${first.message}${more}`, { field: first.field, problems: validation.problems });
  }
  const now = ctx.now().toISOString();
  const options = { mappedSpace: ctx.addressing.mappedSpace, now, prune: flags.prune || validation.fleet.complete === true, force: flags.force };
  if (flags.dryRun) {
    try {
      await ctx.store.db.transaction().execute(async (trx) => {
        const { changes, kept } = await applyFleetFile(trx, validation.fleet, options);
        throw new DryRun(changes, kept);
      });
    } catch (e) {
      if (e instanceof DryRun) return { changes: e.changes, kept: e.kept, applied: false, revision: ctx.fleet.currentRevision() };
      throw e;
    }
  }
  // Routes of the users an incremental mirror moves, taken before it mutates the model (for the events).
  let routesBefore: Map<UserId, Set<string>> | null = null;
  const { result, previous, model, affectedUsers } = await ctx.fleet.write(
    async (trx) => {
      const applied = await applyFleetFile(trx, validation.fleet, options);
      await recordEvents(trx, now, [
        { kind: 'fleet.applied', actorUserId, subjectUserId: null, details: { changes: applied.changes.length, summary: applied.changes.slice(0, 200), prune: options.prune } },
        ...applied.removedDaemons.map((d) => ({
          kind: 'daemon.removed' as const,
          actorUserId,
          subjectUserId: null,
          details: { kind: d.kind, id: d.id, name: d.name, plant: d.plant, cause: 'its plant was removed by a fleet apply (--force)' },
        })),
      ]);
      return applied;
    },
    (current, applied) => {
      if (applied.changes.length === 0) return [];
      if (applied.modelChanges === null) return 'reload';
      const before = new Map<UserId, Set<string>>();
      for (const userId of usersOfFleetChanges(current, applied.modelChanges)) before.set(userId, routeKeys(current, userId));
      const moved = mirrorFleetChanges(current, applied.modelChanges);
      for (const userId of moved) if (!before.has(userId)) before.set(userId, new Set());
      routesBefore = before;
      return moved;
    },
  );
  if (result.changes.length > 0) {
    if (routesBefore !== null) await recordRouteMoves(ctx, actorUserId, (userId) => (routesBefore as Map<UserId, Set<string>>).get(userId) ?? new Set(), model, affectedUsers, now);
    else if (previous !== model) await recordRouteMoves(ctx, actorUserId, (userId) => routeKeys(previous, userId), model, affectedUsers, now, previous);
  }
  return { changes: result.changes, kept: result.kept, applied: true, revision: ctx.fleet.currentRevision() };
}

/** SPEC A4: every permission change that moved someone's routes leaves an event naming what moved. */
async function recordRouteMoves(
  ctx: AppContext,
  actorUserId: string,
  routesBefore: (userId: UserId) => Set<string>,
  after: FleetModel,
  users: ReadonlySet<UserId>,
  now: string,
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
    events.push({ kind: 'routes.changed', actorUserId, subjectUserId: userId, details: { user: email, added, removed, cause: 'fleet apply' } });
  }
  await recordEvents(ctx.store.db, now, events);
}
