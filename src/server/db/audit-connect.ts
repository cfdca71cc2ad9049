import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import type { AuditDatabase } from './audit-schema.ts';
import { privateDatabaseFile, privateDirectory, tightenDatabaseFiles } from './file-modes.ts';
import type { Engine } from './migrations.ts';
import { auditSchema } from './migrations/0008_audit.ts';
import { auditQueryIndex } from './migrations/0014_audit_query_index.ts';
import { auditStreamCursors } from './migrations/0015_audit_stream_cursors.ts';
import { auditSegmentFirstSeen } from './migrations/0016_audit_segment_first_seen.ts';
import { auditCompactRows } from './migrations/0017_audit_compact_rows.ts';
import { auditHttpRequests } from './migrations/0018_audit_http_requests.ts';
import { auditRecordKeyMs } from './migrations/0019_audit_record_key_ms.ts';
import { auditSegmentIndex } from './migrations/0020_audit_segment_index.ts';
import { auditWindowByChain } from './migrations/0021_audit_window_by_chain.ts';
import { auditHeadsFillfactor } from './migrations/0022_audit_heads_fillfactor.ts';
import { openSqlite } from './sqlite-adapter.ts';

export type AuditStore = {
  db: Kysely<AuditDatabase>;
  engine: Engine;
  /** SQLite: the connection itself, for the ingest's bulk insert through one prepared statement (inside Kysely's transaction). */
  sqlite: DatabaseSync | null;
  /**
   * A transaction that also hands over its raw connection where the engine has one to give
   * (PostgreSQL: the pool client the transaction runs on, for `COPY` in the ingest).
   */
  transaction: <T>(work: (trx: Transaction<AuditDatabase>, pgClient: pg.PoolClient | null) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
};

/** The audit store's migrations: append-only like the fleet's, tracked in their own table. */
export function auditMigrations(engine: Engine) {
  return {
    '0008_audit': auditSchema(engine), '0014_audit_query_index': auditQueryIndex(engine), '0015_audit_stream_cursors': auditStreamCursors, '0016_audit_segment_first_seen': auditSegmentFirstSeen, '0017_audit_compact_rows': auditCompactRows(engine),
    '0018_audit_http_requests': auditHttpRequests,
    '0019_audit_record_key_ms': auditRecordKeyMs(engine),
    '0020_audit_segment_index': auditSegmentIndex(engine),
    '0021_audit_window_by_chain': auditWindowByChain(engine),
    '0022_audit_heads_fillfactor': auditHeadsFillfactor(engine),
  };
}

/**
 * Opens the audit store beside the fleet store (docs/decisions/audit-store.md):
 * - SQLite `sqlite:/data/plantgate.db` → its own file `/data/plantgate-audit.db` with its own
 *   connection, so an ingest transaction never holds the lock (or the connection) a fleet
 *   write waits for; `sqlite::memory:` → a second in-memory database;
 * - PostgreSQL: the same database, its own tables and its own small pool, so ingest never
 *   takes the fleet's connections.
 */
export async function openAuditStore(fleetUrl: string): Promise<AuditStore> {
  let store: AuditStore;
  let file: string | null = null;
  if (fleetUrl.startsWith('postgres://') || fleetUrl.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: fleetUrl, max: 4 });
    pool.on('error', (error) => process.emitWarning(`PostgreSQL closed an idle audit connection: ${error.message}`, 'PlantgateDatabase'));
    // Kysely does not expose the client a transaction runs on: the pool tells it to the transaction that asked.
    const reserving = new AsyncLocalStorage<{ client: pg.PoolClient | null }>();
    const telling = {
      connect: async () => {
        const client = await pool.connect();
        const holder = reserving.getStore();
        if (holder && !holder.client) holder.client = client;
        return client;
      },
      end: () => pool.end(),
      get options() {
        return pool.options;
      },
      Client: pg.Client,
    };
    const db = new Kysely<AuditDatabase>({ dialect: new PostgresDialect({ pool: telling as unknown as pg.Pool }) });
    store = {
      db,
      engine: 'postgres',
      sqlite: null,
      transaction: (work) => {
        const holder = { client: null as pg.PoolClient | null };
        return reserving.run(holder, () => db.transaction().execute((trx) => work(trx, holder.client)));
      },
      close: () => db.destroy(),
    };
  } else if (fleetUrl.startsWith('sqlite:')) {
    const path = auditSqlitePath(fleetUrl.slice('sqlite:'.length));
    if (path !== ':memory:') {
      if (!existsSync(dirname(path))) privateDirectory(dirname(path));
      privateDatabaseFile(path);
      file = path;
    }
    const database = openSqlite(path);
    // An append-mostly store written in transactions of up to three 10,000-record batches (B6,
    // commit-group.ts). synchronous = FULL: the WAL is flushed at every commit, so a batch
    // acknowledged to a gateway (which then deletes it from its spool) survives a power cut
    // too; one flush per commit, not per record. The WAL is checkpointed every 256 MiB instead
    // of every 4 MiB: a batch over thousands of plants dirties a primary-key page per plant,
    // the next batches dirty the same pages, and a checkpoint copies each page once (4,000
    // plants per batch: 47k → 56k flows/s sustained). 64 MiB of pages are cached.
    database.raw.exec('PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 65536; PRAGMA cache_size = -65536;');
    const db = new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database }) });
    store = { db, engine: 'sqlite', sqlite: database.raw, transaction: (work) => db.transaction().execute((trx) => work(trx, null)), close: () => db.destroy() };
  } else {
    throw new Error(`--database: "${fleetUrl}" is neither sqlite:PATH nor postgres://…`);
  }
  const provider: MigrationProvider = { getMigrations: async () => auditMigrations(store.engine) };
  const migrator = new Migrator({ db: store.db, provider, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await store.close();
    throw new Error(`audit store migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (file) tightenDatabaseFiles(file);
  return store;
}

/** `/data/plantgate.db` → `/data/plantgate-audit.db`; `:memory:` stays in memory. */
export function auditSqlitePath(fleetPath: string): string {
  if (fleetPath === ':memory:') return fleetPath;
  return fleetPath.endsWith('.db') ? `${fleetPath.slice(0, -3)}-audit.db` : `${fleetPath}-audit`;
}
