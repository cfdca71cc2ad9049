import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { privateDatabaseFile, privateDirectory, tightenDatabaseFiles } from './file-modes.ts';
import { type Engine, migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import { openSqlite } from './sqlite-adapter.ts';

export type Store = {
  db: Kysely<Database>;
  engine: Engine;
  /** The connection URL (PostgreSQL: a LISTEN connection of its own is opened from it). */
  url: string;
  /** Queries run through `db` since the store opened (idle cost: should not move while nothing changes). */
  queryCount: () => number;
  close: () => Promise<void>;
};

// int8 (counts, bigint columns) as numbers: every value we store there fits in 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

/** `sqlite:PATH` (default engine) or `postgres://…`; runs migrations before returning. */
export async function openStore(url: string): Promise<Store> {
  let queries = 0;
  // Kysely calls `log` once per executed query (and per failed one): the cheapest exact counter.
  const log = (_event: LogEvent) => {
    queries++;
  };
  let store: Store;
  let sqliteFile: string | null = null;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle pooled connection that the server ends (PostgreSQL restarted or shut down)
    // emits 'error' on the pool; unhandled, that would end the control-plane process. The pool
    // drops that connection and opens a new one for the next query.
    pool.on('error', (error) => {
      process.emitWarning(`PostgreSQL closed an idle connection: ${error.message}`, 'PlantgateDatabase');
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
    store = { db, engine: 'postgres', url, queryCount: () => queries, close: () => db.destroy() };
  } else if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') {
      if (!existsSync(dirname(path))) privateDirectory(dirname(path));
      privateDatabaseFile(path);
      sqliteFile = path;
    }
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }), log });
    store = { db, engine: 'sqlite', url, queryCount: () => queries, close: () => db.destroy() };
  } else {
    throw new Error(`--database: "${url}" is neither sqlite:PATH nor postgres://…`);
  }
  await migrateToLatest(store.db, store.engine);
  // WAL and shared-memory files exist from the first write on; an older version may have left them 0644.
  if (sqliteFile) tightenDatabaseFiles(sqliteFile);
  return store;
}
