import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Kysely, } from 'kysely';
import { Migrator } from 'kysely/migration';
import { type OpenAuditStore, onEachAuditEngine } from '../../../../test/support/audit-engines.ts';
import { appendToChain, EMPTY_HEAD } from '../../../core/audit/chain.ts';
import { signCheckpoint } from '../../../core/audit/checkpoint.ts';
import type { StoredFlow } from '../../../core/audit/flow.ts';
import { identityOf } from '../../../core/audit/identity.ts';
import { flow } from '../../../core/audit/testing.ts';
import { verifyChain } from '../../../core/audit/verify-chain.ts';
import { insertHttpRequests } from '../../features/audit/http-requests-store.ts';
import { identityIds } from '../../features/audit/identity-store.ts';
import { ensureSegment, insertFlows, instantsOfBatch, prepareFlow } from '../../features/audit/ingest-store.ts';
import { selectChainPage } from '../../features/audit/query-store.ts';
import { dropSegment } from '../../features/audit/retention-store.ts';
import { auditMigrations } from '../audit-connect.ts';
import type { AuditDatabase } from '../audit-schema.ts';
import type { Engine } from '../migrations.ts';

const SEGMENT = 20_000;
type Chained = StoredFlow & { hash: string };

const DETAIL = [{ method: 'GET', path: '/status.html', status: 200, requests: 4, bytesIn: 4096, bytesOut: 512 }];

/** Writes records the way the ingest does (identities, flow rows, then the detail), outside a server. */
async function store(db: Kysely<AuditDatabase>, engine: Engine, records: Chained[]): Promise<void> {
  await ensureSegment(db, engine, SEGMENT, records[0]?.ingestedAt as string);
  const ids = await identityIds(db, engine, records.map((r) => identityOf(r)));
  await db.transaction().execute(async (trx) => {
    // already numbered and hashed: preparing only carries them to the row writer
    const msOf = instantsOfBatch();
    const rows = records.map((record, k) => prepareFlow(engine, record, ids[k] as number, msOf));
    await insertFlows(trx, { engine, sqlite: null }, rows);
    await insertHttpRequests(trx, records, (r) => r);
  });
}

function suite(engine: Engine, open: OpenAuditStore) {
  describe(`migration 0018_audit_http_requests (${engine})`, () => {
    it('a trail stored before 0018 reads back unchanged (no http) and verifies; records after it keep their detail, chained, and a purge removes it with its segment', async () => {
      const { db, close } = await open();
      try {
        const all = auditMigrations(engine);
        const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
        assert.equal((await migrator.migrateTo('0017_audit_compact_rows')).error, undefined);
        const chain = appendToChain(EMPTY_HEAD, [0, 1, 2, 3].map((i) => flow(i, SEGMENT)), {}).records;
        await store(db, engine, chain.slice(0, 2));
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        const newer = appendToChain({ seq: 2, hash: (chain[1] as Chained).hash, segment: SEGMENT }, [flow(2, SEGMENT), { ...flow(3, SEGMENT), http: DETAIL }], {}).records;
        await store(db, engine, newer);

        const read = await selectChainPage(db, 'plant-a', 0, 100);
        assert.deepEqual(read.slice(0, 2), chain.slice(0, 2), 'records from before 0018: every field as stored, no http');
        assert.equal('http' in (read[2] as Chained), false);
        assert.deepEqual(read[3]?.http, DETAIL, 'the detail is read back with its record');
        const keys = generateKeyPairSync('ed25519');
        const last = read.at(-1) as Chained;
        const checkpoint = signCheckpoint(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
          plantId: 'plant-a',
          seq: last.seq,
          hash: last.hash,
          recordSegment: SEGMENT,
          segment: SEGMENT,
          createdAt: last.ingestedAt,
        });
        const verdict = verifyChain({
          plantId: 'plant-a',
          records: read,
          checkpoints: [checkpoint],
          head: { seq: last.seq, hash: last.hash, segment: SEGMENT },
          publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          keepFrom: null,
        });
        assert.equal(verdict.ok, true, JSON.stringify(verdict));

        await dropSegment(db, engine, SEGMENT);
        const left = await db.selectFrom('audit_http_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        assert.equal(Number(left.n), 0, 'the purge took the detail with its records');
      } finally {
        await close();
      }
    });
  });
}

onEachAuditEngine('m0018', suite);
