import type { OrgRole, User, UserId } from '../../../core/model.ts';
import type { OrgMember } from '../../../core/wire/org.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, conflict } from '../../http/errors.ts';
import { type OrgAccess, requireAction } from './org-access.ts';
import { type OrgChange, editOrganizations } from './org-edit.ts';
import { membersWithAccounts } from './org-store.ts';

export async function listMembers(ctx: AppContext, access: OrgAccess): Promise<OrgMember[]> {
  requireAction(access, 'members.view');
  const rows = await membersWithAccounts(ctx.store.db, access.org.id);
  return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, role: r.role as OrgRole, disabled: r.disabled_at !== null }));
}

export async function setMemberRole(ctx: AppContext, access: OrgAccess, userRef: string, role: OrgRole): Promise<OrgChange> {
  requireAction(access, 'members.set-role');
  const user = memberOf(access, userRef);
  const current = access.model.membershipRole(user.id, access.org.id);
  if (current === 'admin' && role !== 'admin') refuseLastAdmin(access, user);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'role',
    event: { kind: 'org.member-role-changed', subjectUserId: user.id, details: { user: user.email, from: current, to: role } },
    edit: (orgs) => {
      const entry = orgs.get(access.org.id);
      const member = entry?.members.find((m) => m.email === user.email);
      if (member) member.role = role;
    },
  });
}

/** Removes the membership with the member's job roles in the organization and, where it is a partner, their job roles within its cooperations. */
export async function removeMember(ctx: AppContext, access: OrgAccess, userRef: string): Promise<OrgChange> {
  requireAction(access, 'members.remove');
  const user = memberOf(access, userRef);
  if (access.model.membershipRole(user.id, access.org.id) === 'admin') refuseLastAdmin(access, user);
  const owners = new Set<string>();
  for (const jr of access.model.jobRolesOf(user.id)) {
    const coop = jr.cooperationId ? access.model.cooperations.get(jr.cooperationId) : undefined;
    if (coop?.active && coop.partnerOrgId === access.org.id) owners.add(coop.ownerOrgId);
  }
  const partnerName = access.org.name;
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id, ...owners],
    field: 'user',
    event: { kind: 'org.member-removed', subjectUserId: user.id, details: { user: user.email } },
    edit: (orgs) => {
      const entry = orgs.get(access.org.id);
      if (entry) {
        entry.members = entry.members.filter((m) => m.email !== user.email);
        entry.jobRoles = entry.jobRoles.filter((j) => j.user !== user.email);
      }
      for (const owner of owners) {
        for (const coop of orgs.get(owner)?.cooperations ?? []) {
          if (coop.partner === partnerName) coop.jobRoles = coop.jobRoles.filter((j) => j.user !== user.email);
        }
      }
    },
  });
}

/** `:user` (an id or an email) among the organization's members; anyone else is not found. */
export function memberOf(access: OrgAccess, ref: string): User {
  const user = userByRef(access, ref);
  if (!user || access.model.membershipRole(user.id, access.org.id) === undefined) {
    throw new ApiError(404, 'not-found', `user: no member ${ref} in ${access.org.name}`, { field: 'user' });
  }
  return user;
}

export function userByRef(access: OrgAccess, ref: string): User | undefined {
  const byId = access.model.users.get(ref as UserId);
  if (byId) return byId;
  const email = ref.trim().toLowerCase();
  for (const u of access.model.users.values()) if (u.email === email) return u;
  return undefined;
}

/** An organization keeps at least one Admin (a platform operator may still leave it without). */
function refuseLastAdmin(access: OrgAccess, user: User): void {
  if (access.standing.platformOperator) return;
  const admins = [...access.model.membersOf(access.org.id)].filter((id) => access.model.membershipRole(id, access.org.id) === 'admin');
  if (admins.length <= 1 && admins[0] === user.id) {
    throw conflict('last-admin', `user: ${user.email} is the last admin of ${access.org.name}; make someone else admin first`, 'user');
  }
}
