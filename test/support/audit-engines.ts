import { after, before } from 'node:test';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { AuditDatabase } from '../../src/server/db/audit-schema.ts';
import type { Engine } from '../../src/server/db/migrations.ts';
import { openSqlite } from '../../src/server/db/sqlite-adapter.ts';
import { type TestPostgres, createDatabase, startTestPostgres } from './postgres.ts';

export type OpenAuditStore = () => Promise<{ db: Kysely<AuditDatabase>; close: () => Promise<void> }>;

/**
 * Runs a migration test's suite on both engines: an empty in-memory SQLite audit store, and a
 * fresh database on a throwaway PostgreSQL started for the file (`name` tells the databases apart).
 */
export function onEachAuditEngine(name: string, suite: (engine: Engine, open: OpenAuditStore) => void): void {
  suite('sqlite', async () => {
    const db = new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
    return { db, close: () => db.destroy() };
  });
  let server: TestPostgres | undefined;
  before(async () => {
    server = await startTestPostgres();
  });
  after(async () => {
    await server?.stop();
  });
  suite('postgres', async () => {
    const url = await createDatabase((server as TestPostgres).url, `plantgate_${name}_${process.pid}`);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // As the product's pools do: the cluster stopping after the suite closes idle connections.
    pool.on('error', () => undefined);
    const db = new Kysely<AuditDatabase>({ dialect: new PostgresDialect({ pool }) });
    return { db, close: () => db.destroy() };
  });
}
