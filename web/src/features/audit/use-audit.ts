import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { csvHeader, csvLine, jsonLines } from '../../../../src/core/audit/export-format.ts';
import { request } from '../../api/client.ts';
import { auditApi } from '../../api/endpoints.ts';
import type { AuditFilters } from './audit-filters.ts';

export const PAGE_SIZE = 200;

/** One page of a plant's records (chain order), from `cursor` on. */
export function useAuditRecords(plantId: string, filters: AuditFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: ['audit', plantId, filters, cursor],
    queryFn: () => request(auditApi.records, { params: { plant: plantId }, query: { ...filters, cursor, limit: PAGE_SIZE } }),
    placeholderData: keepPreviousData,
  });
}

export function useVerify(plantId: string) {
  return useMutation({ mutationFn: () => request(auditApi.verify, { params: { plant: plantId } }) });
}

export type ExportFormat = 'csv' | 'jsonl';

/**
 * The whole stored trail through the export endpoint, page by page, in the CLI's file
 * formats (src/core/audit/export-format.ts): JSON lines keep hashes and checkpoints, so
 * the file verifies offline with `plantgate audit verify --file`.
 */
export async function exportTrail(plantId: string, format: ExportFormat): Promise<string> {
  const lines: string[] = format === 'csv' ? [csvHeader()] : [];
  for (let cursor: string | undefined; ; ) {
    const page = await request(auditApi.export, { params: { plant: plantId }, query: { cursor } });
    lines.push(...(format === 'csv' ? page.records.map(csvLine) : jsonLines(page)));
    if (!page.next) break;
    cursor = page.next;
  }
  return `${lines.join('\n')}\n`;
}

/** The plant's SPEC A4 events for the same filters (user, from, to), oldest first; one page of up to 500. */
export function useAuditEvents(plantId: string, filters: AuditFilters) {
  return useQuery({
    queryKey: ['audit-events', plantId, filters.user, filters.from, filters.to],
    queryFn: () => request(auditApi.events, { params: { plant: plantId }, query: { user: filters.user, from: filters.from, to: filters.to, limit: 500 } }),
    placeholderData: keepPreviousData,
  });
}
