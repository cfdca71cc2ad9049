import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { KEY_HASH, KEY_MS, recordKeyAt } from '../../../core/audit/identity.ts';
import type { Engine } from '../migrations.ts';

/**
 * Audit store (issue 10, B6): `record_key` becomes the first-seen millisecond above 12 hash
 * bits (core/audit/identity.ts `recordKeyAt`) instead of the minute above 27 bits, so a
 * batch's index entries are neighbours instead of spread over the minute's leaf pages.
 * Every stored row's key is recomputed (a record resent after the upgrade must find its
 * stored copy), with the index dropped meanwhile and rebuilt once at the end.
 * PostgreSQL computes the key in one statement (`sha256`, its test checks it against
 * recordKeyAt); SQLite has no SHA-256, so the keys are computed here chunk by chunk.
 */
export function auditRecordKeyMs(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('audit_flows_record').execute();
      if (engine === 'postgres') {
        await sql`update audit_flows f set record_key = ${sql.raw(recordKeySql('i.gateway_id', 'f.record_id', 'f.first_seen_ms'))}
          from audit_identities i where i.id = f.identity_id`.execute(db);
      } else {
        await rekeySqlite(db);
      }
      await db.schema.createIndex('audit_flows_record').on('audit_flows').column('record_key').execute();
    },
  };
}

/** `recordKeyAt` in PostgreSQL's SQL over the given column expressions. */
export function recordKeySql(gatewayId: string, recordId: string, firstSeenMs: string): string {
  return `(((${firstSeenMs}) % ${KEY_MS} + ${KEY_MS}) % ${KEY_MS}) * ${KEY_HASH} + ('x' || substr(encode(sha256(convert_to(${gatewayId} || E'\\n' || ${recordId}, 'UTF8')), 'hex'), 1, 3))::bit(12)::bigint`;
}

const CHUNK = 5000; // two bound values a row in the key table, under SQLite's 32,766

async function rekeySqlite(db: Kysely<unknown>): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: a migration works on the schema as it is at this point
  const d = db as Kysely<any>;
  await sql`create temp table audit_rekey (id integer primary key, record_key integer not null)`.execute(d);
  for (let after = 0; ; ) {
    const rows = (
      await sql<{ id: number; record_id: string; first_seen_ms: number; gateway_id: string }>`select f.rowid as id, f.record_id, f.first_seen_ms, i.gateway_id
        from audit_flows f join audit_identities i on i.id = f.identity_id where f.rowid > ${after} order by f.rowid limit ${CHUNK}`.execute(d)
    ).rows;
    if (rows.length === 0) break;
    await d
      .insertInto('audit_rekey')
      .values(rows.map((r) => ({ id: r.id, record_key: recordKeyAt(r.gateway_id, r.record_id, Number(r.first_seen_ms)) })))
      .execute();
    after = (rows.at(-1) as { id: number }).id;
  }
  await sql`update audit_flows set record_key = (select k.record_key from audit_rekey k where k.id = audit_flows.rowid)
    where rowid in (select id from audit_rekey)`.execute(d);
  await sql`drop table audit_rekey`.execute(d);
}
