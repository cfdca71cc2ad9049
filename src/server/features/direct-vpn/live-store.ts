import { sql } from 'kysely';
import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the direct VPNs' live state (D7): written in the daemons' status flush, never through the fleet revision. */

export type LiveRow = Database['direct_vpn_live'];

/**
 * One statement per batch: rows of direct VPNs deleted meanwhile are dropped (`where exists`),
 * the others inserted or replaced. Casts: PostgreSQL reads VALUES parameters as text.
 */
export async function upsertLiveRows(db: Db, rows: LiveRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.direct_vpn_id}, ${r.state}, ${r.since}, ${String(r.bytes_in)}, ${String(r.bytes_out)}, ${String(r.rate_in)}, ${String(r.rate_out)}, ${r.reported_at}, ${r.logs}, ${r.checks}, ${r.clients})`,
    ),
  );
  await sql`with v(id, state, since, bytes_in, bytes_out, rate_in, rate_out, reported_at, logs, checks, clients) as (values ${values})
    insert into direct_vpn_live (direct_vpn_id, state, since, bytes_in, bytes_out, rate_in, rate_out, reported_at, logs, checks, clients)
    select v.id, v.state, v.since, cast(v.bytes_in as bigint), cast(v.bytes_out as bigint), cast(v.rate_in as double precision), cast(v.rate_out as double precision), v.reported_at, v.logs, v.checks, v.clients
    from v where exists (select 1 from direct_vpns d where d.id = v.id)
    on conflict (direct_vpn_id) do update set state = excluded.state, since = excluded.since, bytes_in = excluded.bytes_in, bytes_out = excluded.bytes_out,
      rate_in = excluded.rate_in, rate_out = excluded.rate_out, reported_at = excluded.reported_at, logs = excluded.logs, checks = excluded.checks, clients = excluded.clients`.execute(db);
}

export async function liveRowsOf(db: Db, ids: string[]): Promise<LiveRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('direct_vpn_live').selectAll().where('direct_vpn_id', 'in', ids).execute();
}

/** Every direct VPN id → its plant (which agent may report it), read once per revision. */
export async function directVpnPlants(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('direct_vpns').select(['id', 'plant_id']).execute();
  return new Map(rows.map((r) => [r.id, r.plant_id]));
}
