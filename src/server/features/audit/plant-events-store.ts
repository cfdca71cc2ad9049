import { type Kysely, sql } from 'kysely';
import type { StoredEvent } from '../../../core/audit/plant-events.ts';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import type { Db } from '../../db/handle.ts';
import { windowSeqRange } from './query-store.ts';

/**
 * Reads of the SPEC A4 event log for the audit view and the SIEM streamer (issue 10 item 8).
 * The event log stays in the fleet store where it is written; these are plain reads by
 * ascending id (the primary key), so they take no lock a fleet write or the ingest waits for.
 */

export type EventScan = { afterId: number; from?: string | undefined; to?: string | undefined; kind?: string | undefined; userId?: string | undefined; limit: number };
export type ScannedEvent = StoredEvent & { actor: string | null; subject: string | null };

/** Up to `limit` events after `afterId`, oldest first, with the actor's and subject's emails. */
export async function scanEvents(db: Db, f: EventScan): Promise<ScannedEvent[]> {
  let q = db
    .selectFrom('events')
    .leftJoin('users as actor', 'actor.id', 'events.actor_user_id')
    .leftJoin('users as subject', 'subject.id', 'events.subject_user_id')
    .select([
      'events.id',
      'events.at',
      'events.kind',
      'events.details',
      'events.org_id',
      'events.actor_user_id',
      'events.subject_user_id',
      'actor.email as actor',
      'subject.email as subject',
    ])
    .where('events.id', '>', f.afterId)
    .orderBy('events.id')
    .limit(f.limit);
  if (f.from !== undefined) q = q.where('events.at', '>=', f.from);
  if (f.to !== undefined) q = q.where('events.at', '<=', f.to);
  const kind = f.kind?.replace(/\.$/, '');
  if (kind) q = q.where((eb) => eb.or([eb('events.kind', '=', kind), eb(sql`substr(events.kind, 1, ${sql.lit(kind.length + 1)})`, '=', `${kind}.`)]));
  if (f.userId !== undefined) {
    const id = f.userId;
    q = q.where((eb) => eb.or([eb('events.actor_user_id', '=', id), eb('events.subject_user_id', '=', id)]));
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    kind: r.kind,
    actorId: r.actor_user_id,
    subjectId: r.subject_user_id,
    orgId: r.org_id ?? null,
    details: JSON.parse(r.details) as Record<string, unknown>,
    actor: r.actor ?? null,
    subject: r.subject ?? null,
  }));
}

export async function userIdByEmail(db: Db, email: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email.toLowerCase()).executeTakeFirst();
  return row?.id ?? null;
}

/** The users that appear in a plant's trail within the window (PostgreSQL: index plant_id, last_seen_ms; SQLite: the window's seq range). */
export async function usersInTrail(db: Kysely<AuditDatabase>, plantId: string, from: string | undefined): Promise<string[]> {
  const range = await windowSeqRange(db, plantId, from, null);
  let q = db
    .selectFrom('audit_flows as f')
    .innerJoin('audit_identities as i', 'i.id', 'f.identity_id')
    .select('i.user_id')
    .distinct()
    .where('f.plant_id', '=', plantId)
    .where('i.user_id', 'is not', null);
  if (from !== undefined) q = q.where('f.last_seen_ms', '>=', Date.parse(from));
  if (range !== null) q = q.where('f.seq', '>=', range.from);
  const rows = await q.execute();
  return rows.map((r) => r.user_id as string);
}
