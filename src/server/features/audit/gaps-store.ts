import type { Kysely } from 'kysely';
import type { AuditDatabase } from '../../db/audit-schema.ts';

/**
 * Capture gaps recorded while a plant's chain was kept (SPEC A5): `audit verify` says how
 * many, so a verified trail with holes is never reported as complete. Gaps belong to
 * gateways, not plants: every gap ingested from the day before the plant's first kept record
 * on counts (a spool overflow arrives after the records it lost, or with the first ones).
 */
export async function countGapsFromSegment(db: Kysely<AuditDatabase>, segment: number): Promise<number> {
  const row = await db.selectFrom('audit_gaps').select((eb) => eb.fn.countAll<number>().as('n')).where('segment', '>=', segment - 1).executeTakeFirst();
  return Number(row?.n ?? 0);
}
