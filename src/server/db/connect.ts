import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { privateDatabaseFile, privateDirectory, tightenDatabaseFiles } from './file-modes.ts';
import { type Engine, migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import { openSqlite } from './sqlite-adapter.ts';

export type Store = { db: Kysely<Database>; engine: Engine; close: () => Promise<void> };

// int8 (counts, bigint columns) as numbers: every value we store there fits in 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

/** `sqlite:PATH` (default engine) or `postgres://…`; runs migrations before returning. */
export async function openStore(url: string): Promise<Store> {
  let store: Store;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    store = { db, engine: 'postgres', close: () => db.destroy() };
  } else if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    const onDisk = path !== ':memory:';
    if (onDisk) {
      if (!existsSync(dirname(path))) privateDirectory(dirname(path));
      privateDatabaseFile(path);
    }
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }) });
    store = { db, engine: 'sqlite', close: () => db.destroy() };
    await migrateToLatest(store.db, store.engine);
    // WAL and shared-memory files exist from the first write on; an older version may have left them 0644.
    if (onDisk) tightenDatabaseFiles(path);
    return store;
  } else {
    throw new Error(`--database: "${url}" is neither sqlite:PATH nor postgres://…`);
  }
  await migrateToLatest(store.db, store.engine);
  return store;
}
