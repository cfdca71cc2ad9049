import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { type OpenAuditStore, onEachAuditEngine } from '../../../../test/support/audit-engines.ts';
import { appendToChain, EMPTY_HEAD } from '../../../core/audit/chain.ts';
import { signCheckpoint } from '../../../core/audit/checkpoint.ts';
import type { StoredFlow } from '../../../core/audit/flow.ts';
import { verifyChain } from '../../../core/audit/verify-chain.ts';
import { selectChainPage } from '../../features/audit/query-store.ts';
import { auditMigrations } from '../audit-connect.ts';
import type { AuditDatabase } from '../audit-schema.ts';
import type { Engine } from '../migrations.ts';

const SEGMENT = 20_000;

/** A plant's chain as the ingest before 0017 stored it (times as sent, i.e. `toISOString` spelling). */
function chainOf(plantId: string, n: number, renameAt: number): Array<StoredFlow & { hash: string }> {
  const records = Array.from({ length: n }, (_, k) => ({
    plantId,
    recordId: `gw1:1764000000000:${k}`,
    userId: k % 3 === 0 ? null : `user-${k % 2}`,
    userEmail: k % 3 === 0 ? null : `u${k % 2}@example.test`,
    tunnelIp: `100.64.0.${1 + (k % 2)}`,
    orgId: 'org-1',
    // A rename in the middle of the trail (SPEC A5): the records before it keep the old name.
    plantName: k < renameAt ? 'Plant Old' : 'Plant New',
    subnetId: 'subnet-1',
    subnetCidr: '10.1.0.0/24',
    subnetMapped: '172.16.1.0/24',
    destinationIp: `172.16.1.${17 + (k % 2)}`,
    deviceIp: `10.1.0.${17 + (k % 2)}`,
    deviceName: k % 4 === 0 ? null : 'plc',
    protocol: k % 5 === 0 ? 'udp' : 'tcp',
    port: k % 7 === 0 ? null : 502,
    connections: 1 + k,
    bytesIn: 1000 * k,
    bytesOut: 2 ** 40 + k,
    firstSeen: new Date(Date.UTC(2024, 9, 6, 10, 0, k)).toISOString(),
    lastSeen: new Date(Date.UTC(2024, 9, 6, 10, 1, k)).toISOString(),
    session: k % 2 === 0 ? `session-${k}` : null,
  }));
  return appendToChain(EMPTY_HEAD, records, { gatewayId: 'gw1', segment: SEGMENT, ingestedAt: '2024-10-06T10:05:00.123Z' }).records;
}

function oldRow(r: StoredFlow & { hash: string }) {
  return {
    plant_id: r.plantId, seq: r.seq, segment: r.segment, record_id: r.recordId, gateway_id: r.gatewayId, ingested_at: r.ingestedAt, user_id: r.userId,
    user_email: r.userEmail, tunnel_ip: r.tunnelIp, org_id: r.orgId, plant_name: r.plantName, subnet_id: r.subnetId, subnet_cidr: r.subnetCidr,
    subnet_mapped: r.subnetMapped, destination_ip: r.destinationIp, device_ip: r.deviceIp, device_name: r.deviceName, protocol: r.protocol, port: r.port,
    connections: r.connections, bytes_in: r.bytesIn, bytes_out: r.bytesOut, first_seen: r.firstSeen, last_seen: r.lastSeen, session: r.session, hash: r.hash,
  };
}

async function migrateWithHistory(db: Kysely<AuditDatabase>, engine: Engine): Promise<Record<string, Array<StoredFlow & { hash: string }>>> {
  const all = auditMigrations(engine);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
  assert.equal((await migrator.migrateTo('0016_audit_segment_first_seen')).error, undefined);
  const old = db as Kysely<any>;
  if (engine === 'postgres') {
    await sql.raw(`create table audit_flows_s${SEGMENT} partition of audit_flows for values from (${SEGMENT}) to (${SEGMENT + 1})`).execute(old);
  }
  // 2,500 records for plant A (more than one copy chunk), 7 for plant B.
  const chains = { 'plant-a': chainOf('plant-a', 2500, 1200), 'plant-b': chainOf('plant-b', 7, 3) };
  for (const chain of Object.values(chains)) {
    for (let i = 0; i < chain.length; i += 500) await old.insertInto('audit_flows').values(chain.slice(i, i + 500).map(oldRow)).execute();
  }
  assert.equal((await migrator.migrateToLatest()).error, undefined);
  return chains;
}

async function readAll(db: Kysely<AuditDatabase>, plantId: string): Promise<Array<StoredFlow & { hash: string }>> {
  const out: Array<StoredFlow & { hash: string }> = [];
  for (let after = 0; ; ) {
    const page = await selectChainPage(db, plantId, after, 1000);
    if (page.length === 0) return out;
    out.push(...page);
    after = (page.at(-1) as StoredFlow).seq;
  }
}

function suite(engine: Engine, open: OpenAuditStore) {
  describe(`migration 0017_audit_compact_rows on a trail with history (${engine})`, () => {
    it('keeps every stored record exactly as it was (every field, the hash), the chain verifies, a rename stays two identities', async () => {
      const { db, close } = await open();
      try {
        const chains = await migrateWithHistory(db, engine);
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
        for (const [plantId, chain] of Object.entries(chains)) {
          const stored = await readAll(db, plantId);
          assert.equal(stored.length, chain.length, `${plantId}: every record kept`);
          assert.deepEqual(stored, chain, `${plantId}: every field as before`);
          const last = chain.at(-1) as StoredFlow & { hash: string };
          const checkpoint = signCheckpoint(privatePem, { plantId, seq: last.seq, hash: last.hash, recordSegment: SEGMENT, segment: SEGMENT, createdAt: last.ingestedAt });
          const verdict = verifyChain({ plantId, records: stored, checkpoints: [checkpoint], head: { seq: last.seq, hash: last.hash, segment: SEGMENT }, publicKeyPem: publicPem, keepFrom: null });
          assert.equal(verdict.ok, true, JSON.stringify(verdict));
        }
        const names = await db.selectFrom('audit_identities').select('plant_name').distinct().orderBy('plant_name').execute();
        assert.deepEqual(names.map((n) => n.plant_name), ['Plant New', 'Plant Old']);
        // The repeating part is stored once: far fewer identities than records.
        const identities = await db.selectFrom('audit_identities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        assert.ok(Number(identities.n) <= 2 * 2 * 2 * 2 * 2, `identities: ${identities.n}`);
      } finally {
        await close();
      }
    });
  });
}

onEachAuditEngine('m0017', suite);
