import type { ExpressionBuilder, Kysely } from 'kysely';
import { AGENT_GAP_OWNER_PREFIX, agentGapPrefix } from '../../../core/audit/gap-owner.ts';
import type { AuditDatabase } from '../../db/audit-schema.ts';

/**
 * Capture gaps recorded while a plant's chain was kept (SPEC A5): `audit verify` says how
 * many, so a verified trail with holes is never reported as complete. Gaps belong to
 * gateways, not plants: every gap ingested from the day before the plant's first kept record
 * on counts (a spool overflow arrives after the records it lost, or with the first ones).
 */
export async function countGapsFromSegment(db: Kysely<AuditDatabase>, plantId: string, segment: number): Promise<number> {
  const row = await db
    .selectFrom('audit_gaps')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('segment', '>=', segment - 1)
    // another plant's agent's gaps are not this plant's (core/audit/gap-owner.ts)
    .where((eb) => gapsOfPlant(eb, plantId))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Every gateway's gaps and this plant's agents' only (core/audit/gap-owner.ts); a prefix compare, the same on SQLite and PostgreSQL. */
export function gapsOfPlant(eb: ExpressionBuilder<AuditDatabase, 'audit_gaps'>, plantId: string) {
  const prefix = agentGapPrefix(plantId);
  return eb.or([
    eb('gateway_id', 'not like', `${AGENT_GAP_OWNER_PREFIX}%`),
    eb(eb.fn<string>('substr', [eb.ref('gateway_id'), eb.lit(1), eb.lit(prefix.length)]), '=', prefix),
  ]);
}
