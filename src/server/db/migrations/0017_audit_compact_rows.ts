import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { hashBytes, identityOf, recordKey } from '../../../core/audit/identity.ts';
import { identityIds } from '../../features/audit/identity-store.ts';
import type { Engine } from '../migrations.ts';

/**
 * Audit store (issue 10, B7 storage): a compact flow row, every stored record kept.
 * - The repeating part of a record (gateway, user, tunnel address, organization, plant name,
 *   subnet and its prefixes, device name) moves to `audit_identities`, stored once under
 *   its content address (SHA-256) and never edited (SPEC A5: a rename makes a new identity);
 *   a record keeps the identity's integer id.
 * - Idempotency by `record_key` (first-seen minute and 27 bits of SHA-256(gateway, record id)), in a small index
 *   instead of `(gateway_id, record_id)` text; the ingest compares the full ids on a match.
 * - The chain hash as 32 bytes (bytea / blob) instead of 64 hex digits.
 * - Instants (ingested, first and last seen) as milliseconds (bigint) instead of ISO text: the
 *   ingest has always stored them as `toISOString` spells them, which is exactly what they
 *   convert back to (checked per row here: a row that would not is an error, not a change). Existing records are copied into the new layout chunk by chunk, in
 * chain order, then the old table is dropped (PostgreSQL: with its day partitions).
 */
export function auditCompactRows(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const pg = engine === 'postgres';
      const bytes = pg ? 'bytea' : 'blob';
      await db.schema.dropIndex('audit_flows_record').execute();
      await db.schema.dropIndex('audit_flows_plant_window').execute();
      if (!pg) await db.schema.dropIndex('audit_flows_segment').execute();
      const oldSegments: number[] = [];
      if (pg) {
        await sql`alter table audit_flows rename constraint audit_flows_pk to audit_flows_v16_pk`.execute(db);
        await sql`alter table audit_flows rename to audit_flows_v16`.execute(db);
        const parts = await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_flows_v16'::regclass`.execute(db);
        for (const { name } of parts.rows) {
          oldSegments.push(Number(name.slice('audit_flows_s'.length)));
          await sql`alter table ${sql.id(name)} rename to ${sql.id(`audit_flows_v16_${name.slice('audit_flows_'.length)}`)}`.execute(db);
        }
      } else {
        await sql`alter table audit_flows rename to audit_flows_v16`.execute(db);
      }

      await db.schema
        .createTable('audit_identities')
        .addColumn('id', pg ? 'bigint' : 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
        .addColumn('digest', bytes, (c) => c.notNull().unique())
        .addColumn('gateway_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('user_email', 'text')
        .addColumn('tunnel_ip', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('plant_name', 'text', (c) => c.notNull())
        .addColumn('subnet_id', 'text', (c) => c.notNull())
        .addColumn('subnet_cidr', 'text', (c) => c.notNull())
        .addColumn('subnet_mapped', 'text', (c) => c.notNull())
        .addColumn('device_name', 'text')
        .execute();

      // Fixed-width columns first (PostgreSQL aligns each 8-byte value; no padding between them).
      let flows = db.schema
        .createTable('audit_flows')
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('record_key', 'bigint', (c) => c.notNull())
        .addColumn('identity_id', 'bigint', (c) => c.notNull())
        .addColumn('connections', 'bigint', (c) => c.notNull())
        .addColumn('bytes_in', 'bigint', (c) => c.notNull())
        .addColumn('bytes_out', 'bigint', (c) => c.notNull())
        .addColumn('ingested_ms', 'bigint', (c) => c.notNull())
        .addColumn('first_seen_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('port', 'integer')
        .addColumn('plant_id', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('destination_ip', 'text', (c) => c.notNull())
        .addColumn('device_ip', 'text', (c) => c.notNull())
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('session', 'text')
        .addColumn('hash', bytes, (c) => c.notNull());
      flows = pg
        ? flows.addPrimaryKeyConstraint('audit_flows_pk', ['plant_id', 'seq', 'segment']).modifyEnd(sql`partition by range (segment)`)
        : flows.addPrimaryKeyConstraint('audit_flows_pk', ['plant_id', 'seq']);
      await flows.execute();
      await db.schema.createIndex('audit_flows_record').on('audit_flows').column('record_key').execute();
      await db.schema.createIndex('audit_flows_plant_window').on('audit_flows').columns(['plant_id', 'last_seen_ms', 'first_seen_ms']).execute();
      if (!pg) await db.schema.createIndex('audit_flows_segment').on('audit_flows').columns(['segment', 'plant_id']).execute();
      for (const segment of oldSegments) {
        await sql`create table ${sql.id(`audit_flows_s${segment}`)} partition of audit_flows for values from (${sql.lit(segment)}) to (${sql.lit(segment + 1)})`.execute(db);
      }
      await copyRecords(db, engine);
      await sql`drop table audit_flows_v16`.execute(db);
    },
  };
}

type OldRow = {
  plant_id: string;
  seq: number | string;
  segment: number;
  record_id: string;
  gateway_id: string;
  ingested_at: string;
  user_id: string | null;
  user_email: string | null;
  tunnel_ip: string;
  org_id: string;
  plant_name: string;
  subnet_id: string;
  subnet_cidr: string;
  subnet_mapped: string;
  destination_ip: string;
  device_ip: string;
  device_name: string | null;
  protocol: string;
  port: number | null;
  connections: number | string;
  bytes_in: number | string;
  bytes_out: number | string;
  first_seen: string;
  last_seen: string;
  session: string | null;
  hash: string;
};

const CHUNK = 1000; // SQLite: 18 bound values a row, under its 32,766

function instantMs(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== text) throw new Error(`audit record instant "${text}" is not in the stored spelling; migration 0017 would change it`);
  return ms;
}

/** Every old row, in (plant, seq) order, into the new layout; nothing is dropped or changed. */
async function copyRecords(db: Kysely<unknown>, engine: Engine): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: the old table is not in the current schema type
  const old = db as Kysely<any>;
  const cacheOwner = {};
  let after: { plant: string; seq: number } | null = null;
  for (;;) {
    let q = old.selectFrom('audit_flows_v16').selectAll();
    if (after) {
      const a = after;
      // A row-value comparison: an index range on both engines (an `or` of the two cases is not).
      q = q.where((eb) => eb(eb.refTuple('plant_id', 'seq'), '>', eb.tuple(a.plant, a.seq)));
    }
    const rows = (await q.orderBy('plant_id').orderBy('seq').limit(CHUNK).execute()) as OldRow[];
    if (rows.length === 0) return;
    const ids = await identityIds(
      old,
      engine,
      rows.map((r) =>
        identityOf({
          gatewayId: r.gateway_id,
          userId: r.user_id,
          userEmail: r.user_email,
          tunnelIp: r.tunnel_ip,
          orgId: r.org_id,
          plantName: r.plant_name,
          subnetId: r.subnet_id,
          subnetCidr: r.subnet_cidr,
          subnetMapped: r.subnet_mapped,
          deviceName: r.device_name,
        }),
      ),
      cacheOwner,
    );
    await old
      .insertInto('audit_flows')
      .values(
        rows.map((r, k) => ({
          seq: r.seq,
          record_key: recordKey(r.gateway_id, r.record_id, r.first_seen),
          identity_id: ids[k],
          connections: r.connections,
          bytes_in: r.bytes_in,
          bytes_out: r.bytes_out,
          segment: r.segment,
          port: r.port,
          plant_id: r.plant_id,
          record_id: r.record_id,
          ingested_ms: instantMs(r.ingested_at),
          destination_ip: r.destination_ip,
          device_ip: r.device_ip,
          protocol: r.protocol,
          first_seen_ms: instantMs(r.first_seen),
          last_seen_ms: instantMs(r.last_seen),
          session: r.session,
          hash: hashBytes(r.hash),
        })),
      )
      .execute();
    const last = rows.at(-1) as OldRow;
    after = { plant: last.plant_id, seq: Number(last.seq) };
  }
}
