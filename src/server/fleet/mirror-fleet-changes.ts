import type { FleetModel } from '../../core/fleet-model.ts';
import type { JobRoleId, OrgId, OrgRole, UserId } from '../../core/model.ts';
import type { FleetModelChange } from './apply-fleet.ts';
import { jobRoleOf } from './load-model.ts';

/** The users a fleet apply's model changes can move (what `mirrorFleetChanges` will touch). */
export function usersOfFleetChanges(model: FleetModel, changes: readonly FleetModelChange[]): Set<UserId> {
  const users = new Set<UserId>();
  for (const c of changes) {
    if (c.kind === 'job-role-removed') {
      const had = model.jobRoles.get(c.id as JobRoleId);
      if (had) users.add(had.userId);
    } else if (c.kind === 'user') users.add(c.id as UserId);
    else users.add(c.userId as UserId);
  }
  return users;
}

/**
 * Mirrors a fleet apply that touched only users, memberships and job roles into the model,
 * as `loadFleetModel` would read them back (the property test holds the two equal), so a
 * job-role change costs its users' recomputation, not a reload of the whole fleet.
 */
export function mirrorFleetChanges(model: FleetModel, changes: readonly FleetModelChange[]): Set<UserId> {
  const users = new Set<UserId>();
  const add = (moved: Iterable<UserId>) => {
    for (const u of moved) users.add(u);
  };
  for (const c of changes) {
    switch (c.kind) {
      case 'user': {
        const existing = model.users.get(c.id as UserId);
        add(model.putUser({ id: c.id as UserId, email: c.email, name: c.name, platformOperator: existing?.platformOperator ?? false }));
        users.add(c.id as UserId);
        break;
      }
      case 'membership':
        add(model.setMembership({ orgId: c.orgId as OrgId, userId: c.userId as UserId, role: c.role as OrgRole }));
        break;
      case 'membership-removed':
        add(model.removeMembership(c.userId as UserId, c.orgId as OrgId));
        break;
      case 'job-role':
        add(model.putJobRole(jobRoleOf(c)));
        break;
      case 'job-role-removed':
        add(model.removeJobRole(c.id as JobRoleId));
        break;
    }
  }
  return users;
}
