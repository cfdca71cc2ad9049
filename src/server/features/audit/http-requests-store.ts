import type { Kysely, Transaction } from 'kysely';
import type { HttpRequestSummary, StoredFlow } from '../../../core/audit/flow.ts';
import type { AuditDatabase } from '../../db/audit-schema.ts';

/**
 * The browser proxy's request detail of flow records (issue 12 item 4, migration
 * 0018_audit_http_requests): written by the ingest transaction only, for the records that
 * carry it (none for conntrack's flows: no statement at all), and joined onto records when
 * they are read (query, verify, export, SIEM stream) so the chain hash covers it.
 */
type AuditDb = Kysely<AuditDatabase>;

/** Rows per insert statement (5 parameters each, well below SQLite's limit). */
const ROWS_PER_INSERT = 500;

export async function insertHttpRequests<T>(trx: Transaction<AuditDatabase>, items: ReadonlyArray<T>, recordOf: (item: T) => StoredFlow): Promise<void> {
  let rows: AuditDatabase['audit_http_requests'][] | null = null;
  for (const item of items) {
    const r = recordOf(item);
    if (r.http === undefined) continue;
    rows ??= [];
    rows.push({ plant_id: r.plantId, seq: r.seq, segment: r.segment, requests: JSON.stringify(r.http.map(summaryOf)) });
  }
  if (rows === null) return;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await trx.insertInto('audit_http_requests').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
}

/**
 * Puts each record's stored detail on it (one primary-key range read per plant of the list;
 * records in chain order as every read returns them). Records without a row keep no `http`.
 */
export async function withHttpRequests<R extends StoredFlow>(db: AuditDb, records: R[]): Promise<R[]> {
  if (records.length === 0) return records;
  const byPlant = new Map<string, { min: number; max: number; records: Map<number, R> }>();
  for (const r of records) {
    const plant = byPlant.get(r.plantId) ?? { min: r.seq, max: r.seq, records: new Map<number, R>() };
    byPlant.set(r.plantId, plant);
    plant.min = Math.min(plant.min, r.seq);
    plant.max = Math.max(plant.max, r.seq);
    plant.records.set(r.seq, r);
  }
  for (const [plantId, plant] of byPlant) {
    const rows = await db
      .selectFrom('audit_http_requests')
      .select(['seq', 'requests'])
      .where('plant_id', '=', plantId)
      .where('seq', '>=', plant.min)
      .where('seq', '<=', plant.max)
      .execute();
    for (const row of rows) {
      const record = plant.records.get(Number(row.seq));
      if (record !== undefined) record.http = JSON.parse(row.requests) as HttpRequestSummary[];
    }
  }
  return records;
}

/** Exactly the six fields, in a fixed key order (the stored text is what verify re-reads). */
function summaryOf(e: HttpRequestSummary): HttpRequestSummary {
  return { method: e.method, path: e.path, status: e.status, requests: e.requests, bytesIn: e.bytesIn, bytesOut: e.bytesOut };
}

/** Retention: a purged segment's detail goes with its records. */
export async function deleteHttpRequestsOfSegment(trx: Transaction<AuditDatabase>, segment: number): Promise<void> {
  await trx.deleteFrom('audit_http_requests').where('segment', '=', segment).execute();
}
