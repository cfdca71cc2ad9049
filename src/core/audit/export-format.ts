import { AUDIT_RECORD_CONTRACT_KEYS, type AuditExportPage, type AuditRecord, type ChainedRecord } from '../wire/audit.ts';

/**
 * The export file formats (issue 10 item 5), shared by `plantgate audit export` and the
 * web UI's export buttons so both write the same bytes. CSV is for people (a spreadsheet);
 * JSON lines carry hashes and checkpoints, so an auditor can verify them offline.
 */
const CSV_KEYS = [...AUDIT_RECORD_CONTRACT_KEYS, 'seq', 'mappedSubnet', 'deviceName', 'tunnelIp', 'recordId', 'gatewayId', 'hash', 'http'] as const;

export function csvHeader(): string {
  return CSV_KEYS.join(',');
}

export function csvLine(r: ChainedRecord): string {
  const values: Record<(typeof CSV_KEYS)[number], unknown> = { ...auditRecordOf(r), recordId: r.recordId, gatewayId: r.gatewayId, hash: r.hash, http: httpCell(r.http) };
  return CSV_KEYS.map((k) => csvField(values[k])).join(',');
}

type FlowFields = Pick<
  ChainedRecord,
  'userEmail' | 'plantName' | 'subnetCidr' | 'deviceIp' | 'protocol' | 'port' | 'connections' | 'bytesIn' | 'bytesOut' | 'firstSeen' | 'lastSeen' | 'session' | 'seq' | 'subnetMapped' | 'deviceName' | 'tunnelIp' | 'http'
>;

/** A stored record as the query answers it (and as the CSV export's first columns show it). */
export function auditRecordOf(r: FlowFields): AuditRecord {
  return {
    user: r.userEmail,
    plant: r.plantName,
    subnet: r.subnetCidr,
    deviceIp: r.deviceIp,
    protocol: r.protocol,
    port: r.port,
    connections: r.connections,
    bytesIn: r.bytesIn,
    bytesOut: r.bytesOut,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    session: r.session,
    seq: r.seq,
    mappedSubnet: r.subnetMapped,
    deviceName: r.deviceName,
    tunnelIp: r.tunnelIp,
    // Only a browser-proxy record has it: other records keep exactly their keys.
    ...(r.http !== undefined ? { http: r.http } : {}),
  };
}

/** The CSV cell of a record's requests: `METHOD path status ×requests in/out` per entry, `; ` between (empty for other records). */
function httpCell(http: ChainedRecord['http']): string | null {
  if (http === undefined) return null;
  return http.map((e) => `${e.method} ${e.path} ${e.status} ×${e.requests} ${e.bytesIn}/${e.bytesOut}`).join('; ');
}

/** RFC 4180 quoting; a leading = + - @ is prefixed so a spreadsheet never runs a cell as a formula. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One export page as JSON lines: its checkpoints, then its records, each tagged with its type. */
export function jsonLines(page: Pick<AuditExportPage, 'records' | 'checkpoints'>): string[] {
  return [...page.checkpoints.map((c) => JSON.stringify({ type: 'checkpoint', ...c })), ...page.records.map((r) => JSON.stringify({ type: 'record', ...r }))];
}
