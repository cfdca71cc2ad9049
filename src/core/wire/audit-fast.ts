import { parseIpv4 } from '../net/ipv4.ts';
import { type FlowBatch, MAX_BATCH_RECORDS } from './audit.ts';

/**
 * B6: the flow batch's hot path. Zod checks each of a 10,000-record batch's 110 fields
 * through its generic machinery, about a tenth of the ingest's time. This accepts exactly
 * the batches a gateway sends (canonical instants, no gaps) with plain checks, and
 * answers null — "let the schema decide" — for anything else, so `FlowBatch` stays the
 * one definition of what is valid and the only writer of error messages. It is never
 * more lenient: whatever it accepts, `FlowBatch` accepts with the same value
 * (audit-fast.test.ts checks both on every case).
 */
export function fastFlowBatch(raw: unknown): FlowBatch | null {
  if (!isPlainObject(raw)) return null;
  let keys = 0;
  for (const key in raw) {
    if (key !== 'batchId' && key !== 'records' && key !== 'gaps') return null;
    keys++;
  }
  const { batchId, records, gaps } = raw as { batchId?: unknown; records?: unknown; gaps?: unknown };
  if (keys !== Object.keys(raw).length || !isId(batchId)) return null;
  if (!Array.isArray(records) || records.length > MAX_BATCH_RECORDS) return null;
  if (gaps !== undefined && !(Array.isArray(gaps) && gaps.length === 0)) return null;
  const instants = new Set<string>();
  for (const record of records) if (!isFlowRecord(record, instants)) return null;
  for (const record of records) (record as { session: unknown }).session ??= null;
  (raw as { gaps: unknown[] }).gaps = [];
  return raw as FlowBatch;
}

const RECORD_KEYS = new Set(['id', 'tunnelIp', 'destinationIp', 'protocol', 'port', 'connections', 'bytesIn', 'bytesOut', 'firstSeen', 'lastSeen', 'session']);
const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROTOCOL = /^[a-z0-9-]{1,16}$/;
/** The gateway's spelling of an instant (UTC, milliseconds); other valid spellings go to the schema. */
const CANONICAL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function isFlowRecord(r: unknown, instants: Set<string>): boolean {
  if (!isPlainObject(r)) return false;
  let keys = 0;
  for (const key in r) {
    if (!RECORD_KEYS.has(key)) return false;
    keys++;
  }
  const f = r as Record<string, unknown>;
  if (keys !== Object.keys(f).length) return false;
  const { session, port, firstSeen, lastSeen } = f;
  return (
    isId(f.id) &&
    typeof f.tunnelIp === 'string' &&
    parseIpv4(f.tunnelIp) !== null &&
    typeof f.destinationIp === 'string' &&
    parseIpv4(f.destinationIp) !== null &&
    typeof f.protocol === 'string' &&
    PROTOCOL.test(f.protocol) &&
    (port === null || (Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) &&
    isCount(f.connections) &&
    isCount(f.bytesIn) &&
    isCount(f.bytesOut) &&
    isInstant(firstSeen, instants) &&
    isInstant(lastSeen, instants) &&
    (lastSeen as string) >= (firstSeen as string) &&
    (session === undefined || session === null || isId(session))
  );
}

function isPlainObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function isId(v: unknown): boolean {
  return typeof v === 'string' && ID.test(v);
}

function isCount(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/** A real instant in canonical form: it survives the round trip through Date (no 30 February, no hour 24). */
function isInstant(v: unknown, known: Set<string>): boolean {
  if (typeof v !== 'string') return false;
  if (known.has(v)) return true;
  if (!CANONICAL_INSTANT.test(v)) return false;
  const t = Date.parse(v);
  if (Number.isNaN(t) || new Date(t).toISOString() !== v) return false;
  known.add(v);
  return true;
}
