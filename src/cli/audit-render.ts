import type { Checkpoint } from '../core/audit/checkpoint.ts';
import { type ChainVerdict, verifyChain } from '../core/audit/verify-chain.ts';
import { AUDIT_RECORD_CONTRACT_KEYS, type AuditPage, type AuditRecord, type AuditVerification, type ChainedRecord } from '../core/wire/audit.ts';
import { formatTable } from './table.ts';

export { csvHeader, csvLine, jsonLines } from '../core/audit/export-format.ts';

/** `audit query --json`: exactly the issue 10 contract keys (scripts depend on them), plus `http` on a browser-proxy record (issue 12). */
export function contractPage(page: AuditPage): { records: Array<Record<string, unknown>>; gaps: AuditPage['gaps']; next: string | null } {
  return { records: page.records.map(contractRecord), gaps: page.gaps.map((g) => ({ from: g.from, to: g.to, reason: g.reason })), next: page.next };
}

function contractRecord(r: AuditRecord): Record<string, unknown> {
  const record: Record<string, unknown> = Object.fromEntries(AUDIT_RECORD_CONTRACT_KEYS.map((k) => [k, r[k]]));
  if (r.http !== undefined) record.http = r.http;
  return record;
}

export function renderAuditPage(page: AuditPage): string {
  const lines: string[] = [];
  if (page.records.length === 0) lines.push('no records');
  else {
    lines.push(
      formatTable(
        ['LAST SEEN', 'USER', 'SUBNET', 'DEVICE', 'PROTO', 'PORT', 'CONN', 'BYTES IN', 'BYTES OUT'],
        page.records.map((r) => [
          r.lastSeen,
          r.user ?? '(unknown tunnel address)',
          r.subnet,
          r.deviceName ? `${r.deviceIp} (${r.deviceName})` : r.deviceIp,
          r.protocol,
          r.port === null ? '-' : String(r.port),
          String(r.connections),
          String(r.bytesIn),
          String(r.bytesOut),
        ]),
      ),
    );
  }
  for (const r of page.records) {
    if (r.http === undefined) continue;
    lines.push(`requests of ${r.user ?? r.tunnelIp} to ${r.deviceIp}:${r.port ?? '-'} (${r.firstSeen} … ${r.lastSeen}):`);
    for (const e of r.http) lines.push(`  ${e.method} ${e.path} ${e.status}  ×${e.requests}  ${e.bytesIn} bytes in, ${e.bytesOut} out`);
  }
  for (const g of page.gaps) lines.push(`gap ${g.from} … ${g.to}: ${g.reason}`);
  if (page.next) lines.push(`more: --cursor ${page.next}`);
  return lines.join('\n');
}

export function renderVerification(v: AuditVerification): string {
  if (!v.ok) return `plant ${v.plant}: verification FAILED at record #${v.seq}${v.recordId ? ` (id ${v.recordId})` : ''}: ${v.problem}`;
  const tail = v.unsignedTail > 0 ? `; the last ${v.unsignedTail} covered by the chain head until the next checkpoint` : '';
  const purged = v.firstSeq !== null && v.firstSeq > 1 ? ` (records before #${v.firstSeq} purged by retention, anchored by a checkpoint)` : '';
  const gaps = v.gaps ? `; ${v.gaps} capture gap${v.gaps === 1 ? '' : 's'} recorded in that time (plantgate audit query lists them)` : '';
  return `plant ${v.plant}: verified ${v.records} records and ${v.checkpoints} checkpoints${purged}${tail}${gaps}`;
}

/** Verifies a JSON-lines export offline, with only the public key (issue 10 item 6). */
export function verifyExport(text: string, publicKeyPem: string): ChainVerdict & { plant: string } {
  const records: ChainedRecord[] = [];
  const checkpoints = new Map<number, Checkpoint>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { type: string } & Record<string, unknown>;
    const { type, ...rest } = entry;
    if (type === 'record') records.push(rest as unknown as ChainedRecord);
    else if (type === 'checkpoint') checkpoints.set((rest as unknown as Checkpoint).seq, rest as unknown as Checkpoint);
  }
  const plantId = records[0]?.plantId ?? [...checkpoints.values()][0]?.plantId ?? '';
  const verdict = verifyChain({
    plantId,
    records,
    checkpoints: [...checkpoints.values()].sort((a, b) => a.seq - b.seq),
    head: null,
    publicKeyPem,
    keepFrom: null,
  });
  return { ...verdict, plant: records.at(-1)?.plantName ?? plantId };
}
