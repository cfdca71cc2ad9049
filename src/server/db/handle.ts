import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** What a feature's store queries: the database or a transaction on it (a `Transaction` is a `Kysely`). */
export type Db = Kysely<Database>;

/** Runs `work` in one transaction: services group several store calls that must commit together. */
export function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
