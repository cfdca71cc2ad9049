import type { FleetModel } from './fleet-model.ts';
import { JOB_ROLES, type JobRoleName, type OrgRole, type PlantId, type UserId } from './model.ts';

/**
 * Who may do what inside an organization (SPEC S2): one typed role × action table,
 * read by the server (which refuses), the CLI and the web UI (which do not offer what
 * the caller may not do). Platform operators may do every action in every organization.
 *
 * Actions on the partner side of a cooperation (`cooperation.assign-job-roles`,
 * `cooperation.view-shared`) are judged with the caller's role in the *partner*
 * organization: a partner's Admin assigns its own members' job roles within the
 * cooperation; it never gets a role in the owner organization.
 */
export const ORG_ACTIONS = [
  'org.view',
  'members.view',
  /** Invite with the Member or Guest role. */
  'members.invite',
  /** Invite with the Admin or Moderator role, or change anyone's org role. */
  'members.set-role',
  'members.remove',
  'invitations.view',
  'invitations.revoke',
  'plants.view',
  /** Create and rename plants; add and remove subnets and devices. */
  'plants.manage',
  'plants.delete',
  'portfolios.manage',
  'job-roles.view',
  'job-roles.manage',
  'cooperations.view',
  /** Offer, change the shares of, and end cooperations the organization owns. */
  'cooperations.manage',
  /** As the partner: assign the own members' job roles within a cooperation. */
  'cooperation.assign-job-roles',
  /** As the partner: see the shared plants and portfolios. */
  'cooperation.view-shared',
  'access.explain',
  'events.view',
  /** See the organization VPNs (SPEC O1): plants, clients (public keys only) and routes. */
  'org-vpns.view',
  /** Create, rename and delete organization VPNs; choose their plants; add and remove clients. */
  'org-vpns.manage',
  /**
   * Read, export and verify the audit trail of the organization's plants (SPEC A2). The
   * one action platform operators do not get by default: only when the server config
   * says so (`OrgStanding.operatorReadsAudit`).
   */
  'audit.read',
] as const;
export type OrgAction = (typeof ORG_ACTIONS)[number];

const ADMIN_MODERATOR: readonly OrgRole[] = ['admin', 'moderator'];
const ADMIN: readonly OrgRole[] = ['admin'];
const NOT_GUEST: readonly OrgRole[] = ['admin', 'moderator', 'member'];
const EVERYONE: readonly OrgRole[] = ['admin', 'moderator', 'member', 'guest'];

export const ORG_PERMISSIONS: Readonly<Record<OrgAction, readonly OrgRole[]>> = {
  'org.view': EVERYONE,
  'members.view': NOT_GUEST,
  'members.invite': ADMIN_MODERATOR,
  'members.set-role': ADMIN,
  'members.remove': ADMIN,
  'invitations.view': ADMIN_MODERATOR,
  'invitations.revoke': ADMIN_MODERATOR,
  'plants.view': NOT_GUEST,
  'plants.manage': ADMIN_MODERATOR,
  'plants.delete': ADMIN,
  'portfolios.manage': ADMIN_MODERATOR,
  'job-roles.view': ADMIN_MODERATOR,
  'job-roles.manage': ADMIN_MODERATOR,
  'cooperations.view': ADMIN_MODERATOR,
  'cooperations.manage': ADMIN,
  'cooperation.assign-job-roles': ADMIN,
  'cooperation.view-shared': ADMIN_MODERATOR,
  'access.explain': ADMIN_MODERATOR,
  'events.view': ADMIN_MODERATOR,
  'org-vpns.view': NOT_GUEST,
  'org-vpns.manage': ADMIN_MODERATOR,
  'audit.read': ADMIN_MODERATOR,
};

/** Actions a platform operator gets only by server config, not by being one (SPEC A2). */
const OPERATOR_BY_CONFIG: readonly OrgAction[] = ['audit.read'];

/** The caller's standing in one organization: their org role there (null: not a member) and whether they are a platform operator. */
export type OrgStanding = {
  role: OrgRole | null;
  platformOperator: boolean;
  /** The server config lets platform operators read audit trails (default: no). */
  operatorReadsAudit?: boolean;
};

export function mayInOrg(standing: OrgStanding, action: OrgAction): boolean {
  if (standing.platformOperator && (!OPERATOR_BY_CONFIG.includes(action) || standing.operatorReadsAudit === true)) return true;
  if (standing.role === null) return false;
  return ORG_PERMISSIONS[action].includes(standing.role);
}

/** Every action the standing allows, in table order (for a UI that hides what it may not offer). */
export function allowedOrgActions(standing: OrgStanding): OrgAction[] {
  return ORG_ACTIONS.filter((a) => mayInOrg(standing, a));
}

/** Which org roles the caller may hand out in an invitation (Moderators: Member and Guest only). */
export function invitableRoles(standing: OrgStanding): OrgRole[] {
  if (mayInOrg(standing, 'members.set-role')) return ['admin', 'moderator', 'member', 'guest'];
  if (mayInOrg(standing, 'members.invite')) return ['member', 'guest'];
  return [];
}

// ---- plant-level actions (SPEC D10) ------------------------------------------------------

/**
 * Actions on one plant, judged with the caller's standing on that plant: their org role in
 * the plant's own organization and the job roles they hold on it (directly or through a
 * portfolio), in the own organization or through a cooperation that shares the plant.
 */
export const PLANT_ACTIONS = [
  /** See the plant's direct VPNs (Site VPN tab): no secret is ever part of it. */
  'direct-vpn.view',
  /** Create, edit, restart, disable, enable and delete the plant's direct VPNs. */
  'direct-vpn.manage',
  /** D11: probe the plant's subnets from its agent and save what answered as network devices. */
  'plant.discover',
  /** O2: mark the plant's network devices as web targets for the browser proxy (add, change, remove). */
  'web-target.manage',
] as const;
export type PlantAction = (typeof PLANT_ACTIONS)[number];

export type PlantRule = {
  /** Org roles in the plant's own organization that allow the action by themselves. */
  orgRoles: readonly OrgRole[];
  /** Job roles on the plant that allow it (own organization: as a member who is not a Guest). */
  jobRoles: readonly JobRoleName[];
  /** Whether a job role held through a cooperation counts (read-only actions only). */
  viaCooperation: boolean;
};

/** Technical Manager or higher: JOB_ROLES is ordered from most to least privileged. */
const TECHNICAL_MANAGER_OR_HIGHER: readonly JobRoleName[] = JOB_ROLES.slice(0, JOB_ROLES.indexOf('technical-manager') + 1);

export const PLANT_PERMISSIONS: Readonly<Record<PlantAction, PlantRule>> = {
  'direct-vpn.view': { orgRoles: ADMIN_MODERATOR, jobRoles: TECHNICAL_MANAGER_OR_HIGHER, viaCooperation: true },
  'direct-vpn.manage': { orgRoles: ADMIN_MODERATOR, jobRoles: [], viaCooperation: false },
  // Probing sends packets into the plant's network: the own organization's Admins and Moderators only, like changing its VPNs.
  'plant.discover': { orgRoles: ADMIN_MODERATOR, jobRoles: [], viaCooperation: false },
  // Issue 12: the plant's operator organization runs its targets; the Operator job role too, but not through a cooperation.
  'web-target.manage': { orgRoles: ADMIN_MODERATOR, jobRoles: ['operator'], viaCooperation: false },
};

/** The caller's standing on one plant. */
export type PlantStanding = {
  platformOperator: boolean;
  /** Org role in the plant's own organization (null: not a member). */
  orgRole: OrgRole | null;
  /** Job roles on the plant in its own organization. */
  ownJobRoles: readonly JobRoleName[];
  /** Job roles on the plant held through an active cooperation that shares it, as a non-Guest member of the partner. */
  cooperationJobRoles: readonly JobRoleName[];
};

export function mayOnPlant(standing: PlantStanding, action: PlantAction): boolean {
  if (standing.platformOperator) return true;
  const rule = PLANT_PERMISSIONS[action];
  if (standing.orgRole !== null && rule.orgRoles.includes(standing.orgRole)) return true;
  if (standing.orgRole !== null && standing.orgRole !== 'guest' && standing.ownJobRoles.some((r) => rule.jobRoles.includes(r))) return true;
  return rule.viaCooperation && standing.cooperationJobRoles.some((r) => rule.jobRoles.includes(r));
}

/** Whether the caller has any relation to the plant (then a refusal is a 403, else the 404 of a missing plant: SPEC S2). */
export function relatedToPlant(standing: PlantStanding): boolean {
  return standing.platformOperator || standing.orgRole !== null || standing.ownJobRoles.length > 0 || standing.cooperationJobRoles.length > 0;
}

/** Every plant action the standing allows, in table order. */
export function allowedPlantActions(standing: PlantStanding): PlantAction[] {
  return PLANT_ACTIONS.filter((a) => mayOnPlant(standing, a));
}

/** A user's standing on one plant, from the fleet model. */
export function plantStanding(model: FleetModel, userId: UserId, platformOperator: boolean, plantId: PlantId): PlantStanding {
  const plant = model.plants.get(plantId);
  const standing: PlantStanding = { platformOperator, orgRole: null, ownJobRoles: [], cooperationJobRoles: [] };
  if (!plant) return standing;
  const own: JobRoleName[] = [];
  const viaCooperation: JobRoleName[] = [];
  for (const jobRole of model.jobRolesOf(userId)) {
    const covers = jobRole.target.kind === 'plant' ? jobRole.target.plantId === plantId : (model.portfolios.get(jobRole.target.portfolioId)?.plantIds.includes(plantId) ?? false);
    if (!covers) continue;
    if (jobRole.cooperationId === null) {
      own.push(jobRole.role);
      continue;
    }
    const cooperation = model.cooperations.get(jobRole.cooperationId);
    if (!cooperation?.active || cooperation.ownerOrgId !== plant.orgId || !model.cooperationCovers(cooperation, plantId)) continue;
    const partnerRole = model.membershipRole(userId, cooperation.partnerOrgId);
    if (partnerRole === undefined || partnerRole === 'guest') continue;
    viaCooperation.push(jobRole.role);
  }
  return { platformOperator, orgRole: model.membershipRole(userId, plant.orgId) ?? null, ownJobRoles: own, cooperationJobRoles: viaCooperation };
}
