import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** The SQL of organization self-service: what the in-memory fleet model does not hold (devices, agents, accounts, invitations, events). */
type Db = Kysely<Database>;

export async function knownUserEmails(db: Db): Promise<Set<string>> {
  return new Set((await db.selectFrom('users').select('email').execute()).map((u) => u.email));
}

export async function knownOrgNames(db: Db): Promise<Set<string>> {
  return new Set((await db.selectFrom('organizations').select('name').execute()).map((o) => o.name));
}

export async function orgNamesById(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function membersWithAccounts(db: Db, orgId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'users.disabled_at', 'memberships.role'])
    .where('memberships.org_id', '=', orgId)
    .orderBy('users.email')
    .execute();
}

export type AccountRow = { id: string; email: string; name: string; password_hash: string | null; totp_enabled: number; disabled_at: string | null };

export async function accountByEmail(db: Db, email: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'password_hash', 'totp_enabled', 'disabled_at'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function insertAccount(db: Db, row: { id: string; email: string; name: string; passwordHash: string; now: string }): Promise<void> {
  await db
    .insertInto('users')
    .values({ id: row.id, email: row.email, name: row.name, password_hash: row.passwordHash, platform_operator: 0, created_at: row.now, disabled_at: null })
    .execute();
}

export type DeviceRow = Database['devices'];

export async function devicesOfPlants(db: Db, plantIds: string[]): Promise<DeviceRow[]> {
  const out: DeviceRow[] = [];
  for (let i = 0; i < plantIds.length; i += 500) {
    out.push(...(await db.selectFrom('devices').selectAll().where('plant_id', 'in', plantIds.slice(i, i + 500)).orderBy('name').execute()));
  }
  return out;
}

export type AgentRow = { id: string; name: string; plant_id: string | null; last_seen_at: string | null };

export async function agentsOfPlants(db: Db, plantIds: string[]): Promise<AgentRow[]> {
  const out: AgentRow[] = [];
  for (let i = 0; i < plantIds.length; i += 500) {
    out.push(
      ...(await db
        .selectFrom('daemons')
        .select(['id', 'name', 'plant_id', 'last_seen_at'])
        .where('kind', '=', 'agent')
        .where('plant_id', 'in', plantIds.slice(i, i + 500))
        .execute()),
    );
  }
  return out;
}

export async function renamePlant(db: Db, plantId: string, name: string): Promise<void> {
  await db.updateTable('plants').set({ name }).where('id', '=', plantId).execute();
}

export async function renamePortfolio(db: Db, portfolioId: string, name: string): Promise<void> {
  await db.updateTable('portfolios').set({ name }).where('id', '=', portfolioId).execute();
}

export async function renameDevice(db: Db, deviceId: string, name: string): Promise<void> {
  await db.updateTable('devices').set({ name }).where('id', '=', deviceId).execute();
}

// ---- invitations ---------------------------------------------------------------------

export type InvitationRow = Database['invitations'] & { invited_by_email?: string | null };

export async function insertInvitation(db: Db, row: Database['invitations']): Promise<void> {
  await db.insertInto('invitations').values(row).execute();
}

export async function invitationsOf(db: Db, orgId: string): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .leftJoin('users', 'users.id', 'invitations.invited_by')
    .selectAll('invitations')
    .select('users.email as invited_by_email')
    .where('invitations.org_id', '=', orgId)
    .orderBy('invitations.created_at', 'desc')
    .execute();
}

export async function invitationById(db: Db, orgId: string, id: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function invitationByTokenHash(db: Db, tokenHash: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Revokes the organization's pending invitations of an email (a new one replaces them). */
export async function revokePendingInvitations(db: Db, orgId: string, email: string, now: string): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('org_id', '=', orgId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeInvitation(db: Db, id: string, now: string): Promise<boolean> {
  const r = await db.updateTable('invitations').set({ revoked_at: now }).where('id', '=', id).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a usable invitation accepted; false when another request used, or someone revoked, it first. */
export async function markInvitationAccepted(db: Db, id: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ accepted_at: now })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ---- events --------------------------------------------------------------------------

export type OrgEventsFilter = { orgId: string; kind?: string | undefined; userEmail?: string | undefined; before?: number | undefined; since?: string | undefined; limit: number };

export async function orgEvents(db: Db, f: OrgEventsFilter) {
  let q = db
    .selectFrom('events')
    .leftJoin('users as actor', 'actor.id', 'events.actor_user_id')
    .leftJoin('users as subject', 'subject.id', 'events.subject_user_id')
    .select(['events.id', 'events.at', 'events.kind', 'events.details', 'actor.email as actor', 'subject.email as subject'])
    .where('events.org_id', '=', f.orgId)
    .orderBy('events.id', 'desc')
    .limit(f.limit);
  if (f.kind) q = q.where('events.kind', '=', f.kind);
  if (f.userEmail) {
    const email = f.userEmail;
    q = q.where((eb) => eb.or([eb('actor.email', '=', email), eb('subject.email', '=', email)]));
  }
  if (f.before !== undefined) q = q.where('events.id', '<', f.before);
  if (f.since) q = q.where('events.at', '>=', f.since);
  return q.execute();
}

// ---- cooperations --------------------------------------------------------------------

/** When each cooperation began and ended (the model knows only whether it is active). */
export async function cooperationDates(db: Db, ids: string[]): Promise<Map<string, { created_at: string; ended_at: string | null }>> {
  const out = new Map<string, { created_at: string; ended_at: string | null }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('cooperations').select(['id', 'created_at', 'ended_at']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}
