import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { OrgRole } from '../../../core/model.ts';
import { invitableRoles } from '../../../core/permissions.ts';
import type { Invitation, InvitationCreated } from '../../../core/wire/org.ts';
import type { AppContext } from '../../context.ts';
import { verifyCredentials } from '../auth/login.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { GuardKey } from '../auth/attempt-guard.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, badRequest, conflict, tooManyAttempts } from '../../http/errors.ts';
import { type OrgAccess, requireAction } from './org-access.ts';
import { editOrganizations } from './org-edit.ts';
import {
  type InvitationRow,
  accountByEmail,
  insertAccount,
  insertInvitation,
  invitationById,
  invitationByTokenHash,
  invitationsOf,
  markInvitationAccepted,
  revokeInvitation as revokeRow,
  revokePendingInvitations,
} from './org-store.ts';

const VALID_FOR_MS = 7 * 24 * 60 * 60_000;
const MIN_PASSWORD = 8;

export async function listInvitations(ctx: AppContext, access: OrgAccess): Promise<Invitation[]> {
  requireAction(access, 'invitations.view');
  const now = ctx.now().toISOString();
  return (await invitationsOf(ctx.store.db, access.org.id)).map((r) => invitationView(r, now));
}

/**
 * A show-once invitation link: the token travels after `#`, so it never reaches a server
 * log; only its SHA-256 is stored. A new invitation of the same email replaces a pending one.
 */
export async function invite(ctx: AppContext, access: OrgAccess, email: string, role: OrgRole, origin: string): Promise<InvitationCreated> {
  requireAction(access, 'members.invite');
  if (!invitableRoles(access.standing).includes(role)) {
    throw new ApiError(403, 'forbidden', `role: a ${access.standing.role} may invite only as ${invitableRoles(access.standing).join(' or ')}; inviting as ${role} needs the org role admin`, {
      field: 'role',
    });
  }
  const address = email.trim().toLowerCase();
  for (const id of access.model.membersOf(access.org.id)) {
    if (access.model.users.get(id)?.email === address) throw conflict('already-member', `email: ${address} is already a member of ${access.org.name}`, 'email');
  }
  const token = `pgi_${randomBytes(32).toString('base64url')}`;
  const now = ctx.now();
  const row = {
    id: randomUUID(),
    org_id: access.org.id,
    email: address,
    role,
    token_hash: tokenHash(token),
    invited_by: access.caller.userId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + VALID_FOR_MS).toISOString(),
    accepted_at: null,
    revoked_at: null,
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    await revokePendingInvitations(trx, access.org.id, address, row.created_at);
    await insertInvitation(trx, row);
    await recordEvents(trx, row.created_at, [
      { kind: 'org.member-invited', actorUserId: access.caller.userId, subjectUserId: null, orgId: access.org.id, details: { email: address, role, invitation: row.id } },
    ]);
  });
  return { ...invitationView({ ...row, invited_by_email: access.caller.email }, row.created_at), token, link: `${origin}/invite#${token}` };
}

export async function revokeInvitation(ctx: AppContext, access: OrgAccess, id: string): Promise<void> {
  requireAction(access, 'invitations.revoke');
  const row = await invitationById(ctx.store.db, access.org.id, id);
  if (!row) throw new ApiError(404, 'not-found', `id: no invitation ${id} in ${access.org.name}`, { field: 'id' });
  const now = ctx.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await revokeRow(trx, id, now))) throw conflict('not-pending', `id: the invitation of ${row.email} is ${invitationView(row, now).status}, not pending`, 'id');
    await recordEvents(trx, now, [
      { kind: 'org.invitation-revoked', actorUserId: access.caller.userId, subjectUserId: null, orgId: access.org.id, details: { email: row.email, invitation: id } },
    ]);
  });
}

/** What the invitation link leads to (no login): the organization, the email and the role. */
export async function lookupInvitation(ctx: AppContext, token: string, source: string) {
  const { row, orgName } = await usableInvitation(ctx, token, source);
  const account = await accountByEmail(ctx.store.db, row.email);
  return { organization: orgName, email: row.email, role: row.role as OrgRole, expiresAt: row.expires_at, accountExists: account !== undefined };
}

export type AcceptInput = { token: string; name?: string | undefined; password: string; totp?: string | undefined };

/**
 * Accepting: an existing account proves itself with its password (and second factor);
 * otherwise the account is created with the given name and password. The membership is
 * then added through the organization edit path (routes and gateways move as with any
 * change), and the invitation is used up in the same transaction.
 */
export async function acceptInvitation(ctx: AppContext, input: AcceptInput, source: string) {
  const { row, orgName } = await usableInvitation(ctx, input.token, source);
  const existing = await accountByEmail(ctx.store.db, row.email);
  let user: { id: string; email: string; name: string };
  let passwordHash: string | null = null;
  if (existing) {
    const verified = await verifyCredentials(ctx, { email: row.email, password: input.password, totp: input.totp }, source);
    user = { id: verified.id, email: verified.email, name: verified.name };
  } else {
    if (input.password.length < MIN_PASSWORD) throw badRequest('password', `must be at least ${MIN_PASSWORD} characters`);
    passwordHash = await hashPassword(input.password);
    user = { id: randomUUID(), email: row.email, name: input.name?.trim() || row.email };
  }
  const role = row.role as OrgRole;
  const now = ctx.now().toISOString();
  await editOrganizations(ctx, {
    actorUserId: user.id,
    orgIds: [row.org_id],
    field: 'token',
    event: { kind: 'org.invitation-accepted', subjectUserId: user.id, details: { email: row.email, role, invitation: row.id, accountCreated: passwordHash !== null } },
    prepare: async (trx) => {
      if (!(await markInvitationAccepted(trx, row.id, now))) throw invitationRefused();
      if (passwordHash === null) return [];
      if (await accountByEmail(trx, row.email)) throw conflict('account-exists', 'token: an account with this email was created meanwhile: open the link again', 'token');
      await insertAccount(trx, { id: user.id, email: user.email, name: user.name, passwordHash, now });
      return [`+ user ${user.email}`];
    },
    edit: (orgs) => {
      const entry = orgs.get(row.org_id);
      if (!entry) throw invitationRefused();
      const member = entry.members.find((m) => m.email === user.email);
      if (member) member.role = role;
      else entry.members.push({ email: user.email, role });
    },
  });
  return { organization: { id: row.org_id, name: orgName }, role, user, accountCreated: passwordHash !== null };
}

// ---- helpers ---------------------------------------------------------------------------

/** Looked up under the login throttle; unknown, expired, revoked and used tokens get one answer. */
async function usableInvitation(ctx: AppContext, token: string, source: string): Promise<{ row: InvitationRow; orgName: string }> {
  const keys: GuardKey[] = [{ scope: 'source', key: source }];
  const wait = ctx.guard.begin(keys);
  if (wait > 0) throw tooManyAttempts('too many invalid invitation links from this address', Math.ceil(wait / 1000), 'token');
  let row: InvitationRow | undefined;
  try {
    row = await invitationByTokenHash(ctx.store.db, tokenHash(token));
  } catch (e) {
    ctx.guard.refund(keys);
    throw e;
  }
  const now = ctx.now().toISOString();
  const org = row ? (await ctx.fleet.current()).organizations.get(row.org_id as never) : undefined;
  if (!row || !org || invitationView(row, now).status !== 'pending') {
    ctx.guard.failed(keys);
    throw invitationRefused();
  }
  ctx.guard.succeeded(keys);
  return { row, orgName: org.name };
}

function invitationRefused(): ApiError {
  return new ApiError(404, 'invitation-invalid', 'token: this invitation link is not valid: it is unknown, expired, revoked or used already; ask for a new one', { field: 'token' });
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function invitationView(r: InvitationRow, now: string): Invitation {
  const status = r.accepted_at ? 'accepted' : r.revoked_at ? 'revoked' : r.expires_at <= now ? 'expired' : 'pending';
  return { id: r.id, email: r.email, role: r.role as OrgRole, invitedBy: r.invited_by_email ?? null, createdAt: r.created_at, expiresAt: r.expires_at, status };
}
