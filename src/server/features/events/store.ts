import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export type EventKind =
  | 'profile.issued'
  | 'profile.rotated'
  | 'profile.revoked'
  | 'routes.changed'
  | 'fleet.applied'
  | 'region.added'
  | 'region.removed'
  | 'token.created'
  | 'token.revoked'
  | 'daemon.enrolled'
  | 'daemon.registered'
  | 'daemon.removed'
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
  | 'user.operator-revoked';

export type NewEvent = { kind: EventKind; actorUserId: string | null; subjectUserId: string | null; details: Record<string, unknown> };

/** SPEC A4: who did what, when, to whom; stored as data, never with secrets. */
export async function recordEvents(db: Kysely<Database>, at: string, events: NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    const batch = events.slice(i, i + 200).map((e) => ({
      at,
      actor_user_id: e.actorUserId,
      kind: e.kind,
      subject_user_id: e.subjectUserId,
      details: JSON.stringify(e.details),
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
