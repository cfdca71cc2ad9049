import { type Kysely, sql } from 'kysely';
import type { z } from 'zod';
import type { EventPage, EventsQuery } from '../../../core/wire/org.ts';
import type { Database } from '../../db/schema.ts';

export type EventKind =
  | 'profile.issued'
  | 'profile.rotated'
  | 'profile.revoked'
  | 'routes.changed'
  | 'fleet.applied'
  | 'region.added'
  | 'region.drained'
  | 'region.undrained'
  | 'region.removed'
  | 'token.created'
  | 'token.revoked'
  | 'daemon.enrolled'
  | 'daemon.registered'
  | 'daemon.removed'
  | 'auth.login'
  | 'auth.login-failed'
  | 'auth.totp-failed'
  | 'auth.locked'
  | 'auth.recovery-code-used'
  | 'totp.enabled'
  | 'totp.disabled'
  | 'enrolment.created'
  | 'enrolment.revoked'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.deleted'
  | 'user.password-changed'
  | 'user.password-reset'
  | 'user.totp-reset'
  | 'user.operator-granted'
  | 'user.operator-revoked'
  // organization self-service (issue 8): one kind per action, details carry the fleet changes
  | 'org.member-invited'
  | 'org.invitation-revoked'
  | 'org.invitation-accepted'
  | 'org.member-role-changed'
  | 'org.member-removed'
  | 'org.plant-created'
  | 'org.plant-renamed'
  | 'org.plant-removed'
  | 'org.subnet-added'
  | 'org.subnet-removed'
  | 'org.device-added'
  | 'org.device-updated'
  | 'org.device-removed'
  | 'org.portfolio-created'
  | 'org.portfolio-updated'
  | 'org.portfolio-removed'
  | 'org.job-role-granted'
  | 'org.job-role-removed'
  | 'org.cooperation-offered'
  | 'org.cooperation-changed'
  | 'org.cooperation-ended'
  // direct plant VPNs (issue 9): details name the plant, the VPN and the fleet changes, never a secret
  | 'direct-vpn.created'
  | 'direct-vpn.updated'
  | 'direct-vpn.disabled'
  | 'direct-vpn.enabled'
  | 'direct-vpn.removed'
  | 'direct-vpn.restarted'
  // D11: a discovery of a plant's devices was requested
  | 'plant.discovery-started'
  | 'direct-vpn.client-added'
  | 'direct-vpn.client-removed'
  // browser proxy (issue 12): details name the plant (plantId), the target and, for sessions, the user and the reason it closed
  | 'web-target.created'
  | 'web-target.changed'
  | 'web-target.removed'
  | 'proxy-session.opened'
  | 'proxy-session.closed'
  // organization VPNs (issue 12, SPEC O1): details name the VPN, plant or client, never a private key
  | 'org-vpn.created'
  | 'org-vpn.renamed'
  | 'org-vpn.removed'
  | 'org-vpn.plant-added'
  | 'org-vpn.plant-removed'
  | 'org-vpn.client-added'
  | 'org-vpn.client-removed';

export type NewEvent = {
  kind: EventKind;
  actorUserId: string | null;
  subjectUserId: string | null;
  details: Record<string, unknown>;
  /** The organization whose Admins see the event (`GET /orgs/:org/events`). */
  orgId?: string | null;
};

/** SPEC A4: who did what, when, to whom; stored as data, never with secrets. */
export async function recordEvents(db: Kysely<Database>, at: string, events: NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    const batch = events.slice(i, i + 200).map((e) => ({
      at,
      actor_user_id: e.actorUserId,
      kind: e.kind,
      subject_user_id: e.subjectUserId,
      details: JSON.stringify(e.details),
      org_id: e.orgId ?? null,
    }));
    await db.insertInto('events').values(batch).execute();
  }
}

export type EventFilter = { kind?: string | undefined; subjectEmail?: string | undefined; limit: number };

/** Newest first, with the actor's and subject's emails. */
export async function listEvents(db: Kysely<Database>, filter: EventFilter) {
  let q = db
    .selectFrom('events')
    .leftJoin('users as actor', 'actor.id', 'events.actor_user_id')
    .leftJoin('users as subject', 'subject.id', 'events.subject_user_id')
    .select(['events.id', 'events.at', 'events.kind', 'events.details', 'actor.email as actor', 'subject.email as subject'])
    .orderBy('events.id', 'desc')
    .limit(filter.limit);
  if (filter.kind) q = q.where('events.kind', '=', filter.kind);
  if (filter.subjectEmail) q = q.where('subject.email', '=', filter.subjectEmail);
  return q.execute();
}

export type EventPageFilter = z.output<typeof EventsQuery>;

/**
 * One page of events, newest first (SPEC A4). `kind` matches the kind itself and its
 * family (`user` finds `user.disabled`, `user.deleted`, …); `user` is the email of the
 * acting or the affected user; `since` is inclusive; `before` continues from the
 * previous page's `nextBefore`. One row more than the page is read to know whether
 * there is a next one.
 */
export async function eventPage(db: Kysely<Database>, filter: EventPageFilter): Promise<z.output<typeof EventPage>> {
  let q = db
    .selectFrom('events')
    .leftJoin('users as actor', 'actor.id', 'events.actor_user_id')
    .leftJoin('users as subject', 'subject.id', 'events.subject_user_id')
    .select(['events.id', 'events.at', 'events.kind', 'events.details', 'actor.email as actor', 'subject.email as subject'])
    .orderBy('events.id', 'desc')
    .limit(filter.limit + 1);
  const kind = filter.kind?.replace(/\.$/, '');
  if (kind) q = q.where((eb) => eb.or([eb('events.kind', '=', kind), eb(sql`substr(events.kind, 1, ${sql.lit(kind.length + 1)})`, '=', `${kind}.`)]));
  if (filter.user) {
    // Resolved to the id first: the actor and subject columns are then compared by value (no join per row).
    const user = await db.selectFrom('users').select('id').where('email', '=', filter.user.toLowerCase()).executeTakeFirst();
    if (!user) return { events: [], nextBefore: null };
    q = q.where((eb) => eb.or([eb('events.actor_user_id', '=', user.id), eb('events.subject_user_id', '=', user.id)]));
  }
  // Stored times are toISOString() (milliseconds, Z); a bound without milliseconds must compare as the same instant.
  if (filter.since) q = q.where('events.at', '>=', new Date(filter.since).toISOString());
  if (filter.before !== undefined) q = q.where('events.id', '<', filter.before);
  const rows = await q.execute();
  const page = rows.slice(0, filter.limit);
  return {
    events: page.map((r) => ({ id: Number(r.id), at: r.at, kind: r.kind, actor: r.actor ?? null, subject: r.subject ?? null, details: JSON.parse(r.details) })),
    nextBefore: rows.length > filter.limit ? Number(page[page.length - 1]?.id) : null,
  };
}
