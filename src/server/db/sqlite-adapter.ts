import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Prepared statements kept per SQL text; the cache is emptied when it grows past this. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SqliteDialect over Node's built-in `node:sqlite` (no native addon to build
 * against the wrong Node ABI). WAL so readers never wait for the writer.
 *
 * Kysely prepares every query it runs; preparing is a large part of a small query's cost
 * (B8: the token lookup on every request), so statements are reused by SQL text. Reuse is
 * safe: Kysely runs one query at a time on this single connection, and SQLite re-prepares
 * a statement by itself when the schema changes under it.
 */
export function openSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  const raw = new DatabaseSync(path);
  raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  const statements = new Map<string, SqliteStatement>();
  return {
    raw,
    close: () => {
      statements.clear();
      raw.close();
    },
    prepare: (sql: string): SqliteStatement => {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = wrapStatement(raw.prepare(sql));
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

function wrapStatement(statement: StatementSync): SqliteStatement {
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...(parameters as never[])) as unknown[],
    run: (parameters) => statement.run(...(parameters as never[])),
    iterate: (parameters) => statement.iterate(...(parameters as never[])) as IterableIterator<unknown>,
  };
}
