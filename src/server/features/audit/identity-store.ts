import { type Kysely, sql } from 'kysely';
import { type Identity, identityDigest, identityKey, identityOf } from '../../../core/audit/identity.ts';
import type { Engine } from '../../db/migrations.ts';

/**
 * `audit_identities` (migration 0017): each distinct identity a record names, stored once
 * under its content address and never changed. Ids are resolved before the ingest
 * transaction, in their own committed statement, so the in-memory cache only ever holds
 * ids of committed rows (an identity no record names yet is harmless; one that a record
 * names but the store lacks would not be).
 */
// biome-ignore lint/suspicious/noExplicitAny: used by the live store and by migration 0017 (Kysely<unknown>)
type AnyDb = Kysely<any>;

const caches = new WeakMap<object, Map<string, number>>();

/** The identities' ids (inserted where missing), in the order given. */
export async function identityIds(db: AnyDb, engine: Engine, identities: readonly Identity[], cacheOwner: object = db): Promise<number[]> {
  return identityIdsOf(db, engine, identities, (r) => r.gatewayId, cacheOwner);
}

/**
 * The ids of the identities the records name (each record's identity fields, with the
 * gateway `gatewayOf` gives): the ingest's way, which builds an Identity only for one the
 * cache does not know yet (B6). `texts`: the records' identityKey, when the caller has them.
 */
export async function identityIdsOf<R extends Omit<Identity, 'gatewayId'>>(
  db: AnyDb,
  engine: Engine,
  records: readonly R[],
  gatewayOf: (r: R) => string,
  cacheOwner: object = db,
  texts: readonly string[] = records.map((r) => identityKey(gatewayOf(r), r)),
): Promise<number[]> {
  const cache = caches.get(cacheOwner) ?? new Map<string, number>();
  caches.set(cacheOwner, cache);
  const missing = new Map<string, Identity>();
  texts.forEach((t, k) => {
    if (!cache.has(t) && !missing.has(t)) {
      const r = records[k] as R;
      missing.set(t, identityOf({ ...r, gatewayId: gatewayOf(r) }));
    }
  });
  if (missing.size > 0) {
    const list = [...missing.values()];
    const digests = list.map(identityDigest);
    if (engine === 'postgres') {
      const col = <K extends keyof Identity>(k: K) => list.map((i) => i[k]);
      await sql`insert into audit_identities (digest, gateway_id, user_id, user_email, tunnel_ip, org_id, plant_name, subnet_id, subnet_cidr, subnet_mapped, device_name)
        select * from unnest(${digests}::bytea[], ${col('gatewayId')}::text[], ${col('userId')}::text[], ${col('userEmail')}::text[], ${col('tunnelIp')}::text[],
          ${col('orgId')}::text[], ${col('plantName')}::text[], ${col('subnetId')}::text[], ${col('subnetCidr')}::text[], ${col('subnetMapped')}::text[], ${col('deviceName')}::text[])
        on conflict (digest) do nothing`.execute(db);
      const rows = await sql<{ id: string; digest: Buffer }>`select id, digest from audit_identities where digest = any(${digests}::bytea[])`.execute(db);
      remember(cache, list, digests, rows.rows);
    } else {
      for (let i = 0; i < list.length; i += 200) {
        const part = list.slice(i, i + 200);
        const partDigests = digests.slice(i, i + 200);
        await db
          .insertInto('audit_identities')
          .values(
            part.map((r, k) => ({
              digest: partDigests[k],
              gateway_id: r.gatewayId,
              user_id: r.userId,
              user_email: r.userEmail,
              tunnel_ip: r.tunnelIp,
              org_id: r.orgId,
              plant_name: r.plantName,
              subnet_id: r.subnetId,
              subnet_cidr: r.subnetCidr,
              subnet_mapped: r.subnetMapped,
              device_name: r.deviceName,
            })),
          )
          .onConflict((oc) => oc.column('digest').doNothing())
          .execute();
        const rows = await db.selectFrom('audit_identities').select(['id', 'digest']).where('digest', 'in', partDigests).execute();
        remember(cache, part, partDigests, rows as Array<{ id: number; digest: Uint8Array }>);
      }
    }
  }
  return texts.map((t) => {
    const id = cache.get(t);
    if (id === undefined) throw new Error('audit identity was not stored');
    return id;
  });
}

function remember(cache: Map<string, number>, list: readonly Identity[], digests: readonly Buffer[], rows: ReadonlyArray<{ id: string | number; digest: Uint8Array }>): void {
  const byDigest = new Map(rows.map((r) => [Buffer.from(r.digest).toString('hex'), Number(r.id)]));
  list.forEach((identity, k) => {
    const id = byDigest.get((digests[k] as Buffer).toString('hex'));
    if (id !== undefined) cache.set(identityKey(identity.gatewayId, identity), id);
  });
}
