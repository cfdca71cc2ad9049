import type { Kysely } from 'kysely';
import type { AuditDatabase } from '../../db/audit-schema.ts';

export type StoredKey = { private_sealed: string; public_pem: string };

export async function readAuditKey(db: Kysely<AuditDatabase>, id: string): Promise<StoredKey | undefined> {
  return db.selectFrom('audit_keys').select(['private_sealed', 'public_pem']).where('id', '=', id).executeTakeFirst();
}

/** Inserts unless another replica already did (the first one wins; everyone reads it back). */
export async function insertAuditKey(db: Kysely<AuditDatabase>, row: AuditDatabase['audit_keys']): Promise<void> {
  await db.insertInto('audit_keys').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
}
