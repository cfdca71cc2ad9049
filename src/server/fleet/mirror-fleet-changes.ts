import type { FleetModel } from '../../core/fleet-model.ts';
import type { JobRoleId, OrgId, OrgRole, PlantId, SubnetId, UserId } from '../../core/model.ts';
import { cidr } from '../../core/net/ipv4.ts';
import type { FleetModelChange } from './apply-fleet.ts';
import { jobRoleOf } from './load-model.ts';

/** The users a fleet apply's model changes can move (what `mirrorFleetChanges` will touch). */
export function usersOfFleetChanges(model: FleetModel, changes: readonly FleetModelChange[]): Set<UserId> {
  const users = new Set<UserId>();
  for (const c of changes) {
    if (c.kind === 'subnet' || c.kind === 'subnet-removed') {
      for (const u of usersOfSubnetChange(model, c)) users.add(u);
    } else if (c.kind === 'job-role-removed') {
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
      case 'subnet':
        add(model.putSubnet({ id: c.id as SubnetId, plantId: c.plantId as PlantId, prefix: cidr(c.cidr), mapped: cidr(c.mapped) }));
        break;
      case 'subnet-removed':
        add(model.removeSubnet(c.id as SubnetId));
        break;
    }
  }
  return users;
}

/** The plants whose site entry (the agents' translations) the changes move: those whose subnets came or went. Read before mirroring. */
export function plantsOfFleetChanges(model: FleetModel, changes: readonly FleetModelChange[]): Set<PlantId> {
  const plants = new Set<PlantId>();
  for (const c of changes) {
    if (c.kind === 'subnet') plants.add(c.plantId as PlantId);
    else if (c.kind === 'subnet-removed') {
      const plantId = model.subnets.get(c.id as SubnetId)?.plantId;
      if (plantId) plants.add(plantId);
    }
  }
  return plants;
}

/** Holders of the subnet's plant, and (removal) whoever has a preference on the subnet: what `putSubnet`/`removeSubnet` return. */
function usersOfSubnetChange(model: FleetModel, c: { kind: 'subnet'; plantId: string } | { kind: 'subnet-removed'; id: string }): Set<UserId> {
  if (c.kind === 'subnet') return model.holdersOfPlant(c.plantId as PlantId);
  const subnet = model.subnets.get(c.id as SubnetId);
  if (!subnet) return new Set();
  const users = model.holdersOfPlant(subnet.plantId);
  for (const userId of model.users.keys()) if (model.preferencesOf(userId).has(subnet.id)) users.add(userId);
  return users;
}
