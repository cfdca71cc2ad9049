import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { type OpenAuditStore, onEachAuditEngine } from '../../../../test/support/audit-engines.ts';
import { recordKeyAt } from '../../../core/audit/identity.ts';
import { identityIds } from '../../features/audit/identity-store.ts';
import { auditMigrations } from '../audit-connect.ts';
import type { Engine } from '../migrations.ts';

const SEGMENT = 20_400;

/** The key as migration 0017 stored it: the first-seen minute above 27 bits of the hash. */
function minuteKey(gatewayId: string, recordId: string, firstSeenMs: number): number {
  const minutes = Math.floor(firstSeenMs / 60_000) % 2 ** 26;
  return minutes * 2 ** 27 + (hash('sha256', `${gatewayId}\n${recordId}`, 'buffer').readUInt32BE(0) >>> 5);
}

// Record ids as gateways, agents and the proxy make them, and ones with bytes beyond ASCII
// (the key hashes UTF-8 on both engines); first-seen instants across the wrap-free range.
const ROWS = Array.from({ length: 6003 }, (_, k) => ({
  gatewayId: k % 3 === 0 ? 'gw-1' : 'gateway-ä',
  recordId: k % 5 === 0 ? `proxy.${k}` : k % 7 === 0 ? `gw:ünïcödé:${k}` : `gw-1:1764000000000:${k}`,
  firstSeenMs: Date.UTC(2025, 0, 1) + k * 7919,
}));

function suite(engine: Engine, open: OpenAuditStore) {
  describe(`migration 0019_audit_record_key_ms (${engine})`, () => {
    it('rekeys every stored record to recordKeyAt (the key a resent record is looked up by), the index rebuilt', async () => {
      const { db, close } = await open();
      try {
        const all = auditMigrations(engine);
        const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
        assert.equal((await migrator.migrateTo('0017_audit_compact_rows')).error, undefined);
        if (engine === 'postgres') await sql.raw(`create table audit_flows_s${SEGMENT} partition of audit_flows for values from (${SEGMENT}) to (${SEGMENT + 1})`).execute(db);
        const gateways = [...new Set(ROWS.map((r) => r.gatewayId))];
        const ids = await identityIds(
          db,
          engine,
          gateways.map((gatewayId) => ({ gatewayId, userId: null, userEmail: null, tunnelIp: '100.64.0.2', orgId: 'o', plantName: 'P', subnetId: 's', subnetCidr: '10.0.0.0/24', subnetMapped: '172.16.0.0/24', deviceName: null })),
        );
        const identityOf = new Map(gateways.map((g, k) => [g, ids[k] as number]));
        for (let i = 0; i < ROWS.length; i += 500) {
          await db
            .insertInto('audit_flows')
            .values(
              ROWS.slice(i, i + 500).map((r, k) => ({
                seq: i + k + 1, record_key: minuteKey(r.gatewayId, r.recordId, r.firstSeenMs), identity_id: identityOf.get(r.gatewayId) as number,
                connections: 1, bytes_in: 1, bytes_out: 1, ingested_ms: r.firstSeenMs + 1000, first_seen_ms: r.firstSeenMs, last_seen_ms: r.firstSeenMs + 500,
                segment: SEGMENT, port: 502, plant_id: 'plant-a', record_id: r.recordId, destination_ip: '172.16.0.17', device_ip: '10.0.0.17', protocol: 'tcp',
                session: null, hash: Buffer.alloc(32, k),
              })),
            )
            .execute();
        }
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        const stored = await db.selectFrom('audit_flows').select(['record_id', 'record_key', 'first_seen_ms']).orderBy('seq').execute();
        assert.equal(stored.length, ROWS.length, 'every record kept');
        ROWS.forEach((r, k) => {
          const row = stored[k] as { record_id: string; record_key: number | string };
          assert.equal(row.record_id, r.recordId);
          assert.equal(Number(row.record_key), recordKeyAt(r.gatewayId, r.recordId, r.firstSeenMs), `record ${r.recordId}`);
        });
        // The lookup the ingest makes finds a record by its new key.
        const probe = ROWS[4242] as (typeof ROWS)[number];
        const found = await db.selectFrom('audit_flows').select('record_id').where('record_key', '=', recordKeyAt(probe.gatewayId, probe.recordId, probe.firstSeenMs)).execute();
        assert.ok(found.some((f) => f.record_id === probe.recordId));
      } finally {
        await close();
      }
    });
  });
}

onEachAuditEngine('m0019', suite);
