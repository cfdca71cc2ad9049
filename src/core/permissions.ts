import type { OrgRole } from './model.ts';

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
