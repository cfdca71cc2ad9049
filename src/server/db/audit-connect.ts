import { existsSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import type { AuditDatabase } from './audit-schema.ts';
import { privateDatabaseFile, privateDirectory, tightenDatabaseFiles } from './file-modes.ts';
import type { Engine } from './migrations.ts';
import { auditSchema } from './migrations/0008_audit.ts';
import { auditStreamCursors } from './migrations/0015_audit_stream_cursors.ts';
import { openSqlite } from './sqlite-adapter.ts';

export type AuditStore = {
  db: Kysely<AuditDatabase>;
  engine: Engine;
  /** SQLite: the connection itself, for the ingest's bulk insert through one prepared statement (inside Kysely's transaction). */
  sqlite: DatabaseSync | null;
  close: () => Promise<void>;
};

/** The audit store's migrations: append-only like the fleet's, tracked in their own table. */
export function auditMigrations(engine: Engine) {
  return { '0008_audit': auditSchema(engine), '0015_audit_stream_cursors': auditStreamCursors };
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
    const db = new Kysely<AuditDatabase>({ dialect: new PostgresDialect({ pool }) });
    store = { db, engine: 'postgres', sqlite: null, close: () => db.destroy() };
  } else if (fleetUrl.startsWith('sqlite:')) {
    const path = auditSqlitePath(fleetUrl.slice('sqlite:'.length));
    if (path !== ':memory:') {
      if (!existsSync(dirname(path))) privateDirectory(dirname(path));
      privateDatabaseFile(path);
      file = path;
    }
    const database = openSqlite(path);
    const db = new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database }) });
    store = { db, engine: 'sqlite', sqlite: database.raw, close: () => db.destroy() };
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
