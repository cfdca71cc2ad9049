import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { oneLine, strictIpv4 } from './formats.ts';
import { hasControlCharacter } from '../render/unsafe-characters.ts';

/**
 * Wire types and endpoints of the audit trail (issue 10, SPEC A1–A5): gateways post
 * batches of flow records and capture gaps; a plant's operator organization (Admins and
 * Moderators) queries, exports and verifies the trail; auditors get the public key.
 * `:plant` is a plant's id, or its name when that names one plant the caller may audit.
 */

/** The most records (and gaps) in one batch; with MAX_INGEST_BODY it bounds one request. */
export const MAX_BATCH_RECORDS = 10_000;
/** ≈ 10,000 records of ≈ 300 bytes of JSON each, with room. */
export const MAX_INGEST_BODY = 6 * 1024 * 1024;

const id = z
  .string()
  .min(1, 'is required')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits and . _ : - only');
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });
const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER, 'is too large');

/** HTTP detail of a browser-proxy record (issue 12 item 4): at most this many entries, the rest summed into one `*` entry. */
export const MAX_HTTP_ENTRIES = 50;
/** A path longer than this is cut to it (the query string is never sent). */
export const MAX_HTTP_PATH = 256;
/** The entry summing a window's (method, path, status) beyond the first MAX_HTTP_ENTRIES - 1. */
export const HTTP_OVERFLOW = { method: '*', path: '*', status: 0 } as const;

/** Requests of one method, path and status within the record's window, with their bytes (browser → device out, device → browser in). */
export const HttpRequestsIn = z
  .object({
    method: z.string().regex(/^(\*|[A-Z][A-Z0-9_-]{0,31})$/, 'must be an HTTP method in capitals (GET, POST, …), or * for the rest'),
    path: z
      .string()
      .min(1, 'is required')
      .max(MAX_HTTP_PATH, `must be at most ${MAX_HTTP_PATH} characters`)
      .regex(/^(\*|\/[^?#]*)$/, 'must be a path starting with / (no query), or * for the rest')
      .refine((v) => !hasControlCharacter(v), { message: 'must not contain control characters (CR, LF, ESC, …)' }),
    status: z.number().int('must be a whole number').min(0, 'must be an HTTP status (0–999)').max(999, 'must be an HTTP status (0–999)'),
    requests: count,
    bytesIn: count,
    bytesOut: count,
  })
  .strict();
export type HttpRequestsIn = z.infer<typeof HttpRequestsIn>;

export const FlowRecordIn = z
  .object({
    id,
    /** The user's tunnel address the flow came from. */
    tunnelIp: strictIpv4,
    /** The address the user addressed: a mapped address or a native one. */
    destinationIp: strictIpv4,
    protocol: z.string().regex(/^[a-z0-9-]{1,16}$/, 'must be a protocol name such as tcp, udp or icmp'),
    port: z.number().int().min(0).max(65535, 'must be a port (0–65535)').nullable(),
    /** Connections first seen in this window (0: more bytes of connections counted in an earlier one). */
    connections: count,
    bytesIn: count,
    bytesOut: count,
    firstSeen: instant,
    lastSeen: instant,
    session: id.nullable().default(null),
    /** The browser proxy's requests behind the record (absent for conntrack's flows). */
    http: z.array(HttpRequestsIn).min(1, 'must not be empty (leave it out)').max(MAX_HTTP_ENTRIES, `must hold at most ${MAX_HTTP_ENTRIES} entries`).optional(),
  })
  .strict()
  .refine((r) => Date.parse(r.lastSeen) >= Date.parse(r.firstSeen), { message: 'must not be before firstSeen', path: ['lastSeen'] });
export type FlowRecordIn = z.infer<typeof FlowRecordIn>;

export const GapIn = z
  .object({ id, from: instant, to: instant, reason: oneLine.pipe(z.string().min(1, 'is required').max(500, 'must be at most 500 characters')) })
  .strict()
  .refine((g) => Date.parse(g.to) >= Date.parse(g.from), { message: 'must not be before from', path: ['to'] });

export const FlowBatch = z
  .object({
    batchId: id,
    records: z.array(FlowRecordIn).max(MAX_BATCH_RECORDS, `must hold at most ${MAX_BATCH_RECORDS} records`),
    gaps: z.array(GapIn).max(1000, 'must hold at most 1000 gaps').default([]),
  })
  .strict();
export type FlowBatch = z.infer<typeof FlowBatch>;

/** The acknowledgement: the gateway deletes its spooled batch once it has it (a retry answers the same). */
export const FlowBatchAck = z.object({
  batchId: z.string(),
  /** The batch was already ingested: nothing was stored twice. */
  duplicate: z.boolean(),
  stored: z.number(),
  /** Records already stored from an earlier batch (same gateway and record id). */
  alreadyStored: z.number(),
  /** Records whose destination is in no plant subnet: recorded as a gap, not silently dropped. */
  unattributed: z.number(),
  gaps: z.number(),
});
export type FlowBatchAck = z.infer<typeof FlowBatchAck>;

// ---- read side --------------------------------------------------------------------------

export const AuditQuery = z
  .object({
    user: z.string().max(320, 'must be at most 320 characters').optional(),
    device: strictIpv4.optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.string().regex(/^[0-9]{1,16}$/, 'must be a cursor from a previous answer').optional(),
    limit: z.coerce.number().int().min(1).max(5000, 'must be at most 5000').default(500),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

/** One record as operators read it; the first twelve keys are the CLI's `--json` contract (issue 10). */
export const AuditRecord = z.object({
  user: z.string().nullable(),
  plant: z.string(),
  subnet: z.string(),
  deviceIp: z.string(),
  protocol: z.string(),
  port: z.number().nullable(),
  connections: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  session: z.string().nullable(),
  /** Beyond the contract: the chain position, the mapped prefix and device name as they were, the tunnel address. */
  seq: z.number(),
  mappedSubnet: z.string(),
  deviceName: z.string().nullable(),
  tunnelIp: z.string(),
  /** Only on a browser-proxy record: its requests per method, path and status (issue 12). */
  http: z.array(HttpRequestsIn).optional(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;
export const AUDIT_RECORD_CONTRACT_KEYS = [
  'user',
  'plant',
  'subnet',
  'deviceIp',
  'protocol',
  'port',
  'connections',
  'bytesIn',
  'bytesOut',
  'firstSeen',
  'lastSeen',
  'session',
] as const;

export const AuditGap = z.object({ from: z.string(), to: z.string(), reason: z.string() });
export type AuditGap = z.infer<typeof AuditGap>;

/** A P7 session that records of the page belong to (`records[].session` is its id), for the operator's per-session view. */
export const AuditSession = z.object({
  id: z.string(),
  user: z.string().nullable(),
  start: z.string(),
  /** null while connected. */
  end: z.string().nullable(),
  sourceAddress: z.string().nullable(),
  country: z.string().nullable(),
  region: z.string(),
  gateway: z.string(),
  bytesIn: z.number(),
  bytesOut: z.number(),
});
export type AuditSession = z.infer<typeof AuditSession>;

/** `sessions` (beyond the issue 10 contract; the CLI's --json prints records, gaps, next only): the sessions the page's records belong to. */
export const AuditPage = z.object({ records: z.array(AuditRecord), gaps: z.array(AuditGap), next: z.string().nullable(), sessions: z.array(AuditSession).optional() });
export type AuditPage = z.infer<typeof AuditPage>;

export const AuditVerification = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    plant: z.string(),
    records: z.number(),
    checkpoints: z.number(),
    firstSeq: z.number().nullable(),
    unsignedTail: z.number(),
    /** Capture gaps recorded in the time the chain covers (SPEC A5): the chain is intact, yet the capture had holes. */
    gaps: z.number().optional(),
  }),
  z.object({ ok: z.literal(false), plant: z.string(), seq: z.number(), recordId: z.string().nullable(), problem: z.string() }),
]);
export type AuditVerification = z.infer<typeof AuditVerification>;

export const AuditPublicKey = z.object({ algorithm: z.literal('ed25519'), publicKeyPem: z.string(), fingerprint: z.string() });

/** A stored record exactly as chained (every canonical field and its hash): what an offline verification needs. */
export const ChainedRecord = z.object({
  plantId: z.string(),
  seq: z.number(),
  recordId: z.string(),
  gatewayId: z.string(),
  segment: z.number(),
  ingestedAt: z.string(),
  userId: z.string().nullable(),
  userEmail: z.string().nullable(),
  tunnelIp: z.string(),
  orgId: z.string(),
  plantName: z.string(),
  subnetId: z.string(),
  subnetCidr: z.string(),
  subnetMapped: z.string(),
  destinationIp: z.string(),
  deviceIp: z.string(),
  deviceName: z.string().nullable(),
  protocol: z.string(),
  port: z.number().nullable(),
  connections: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  session: z.string().nullable(),
  /** Chained with the record (canonical form pgaf2) when present. */
  http: z.array(HttpRequestsIn).optional(),
  hash: z.string(),
});
export type ChainedRecord = z.infer<typeof ChainedRecord>;
export const SignedCheckpoint = z.object({
  plantId: z.string(),
  seq: z.number(),
  hash: z.string(),
  recordSegment: z.number(),
  segment: z.number(),
  createdAt: z.string(),
  signature: z.string(),
});

export const AuditExportQuery = z
  .object({
    cursor: z.string().regex(/^[0-9]{1,16}$/, 'must be a cursor from a previous answer').optional(),
    limit: z.coerce.number().int().min(1).max(10_000, 'must be at most 10000').default(5000),
  })
  .strict();
/**
 * One page of the export: records in chain order with their hashes, and the checkpoints
 * that sign positions within the page (the first page also the one anchoring it after a purge).
 */
export const AuditExportPage = z.object({ records: z.array(ChainedRecord), checkpoints: z.array(SignedCheckpoint), next: z.string().nullable() });
export type AuditExportPage = z.infer<typeof AuditExportPage>;

// ---- SPEC A4 events of a plant (issue 10 item 8) ------------------------------------------

/** Events concerning a plant (its edits, direct VPNs, route moves into or out of it, its users' profiles and logins), oldest first. */
export const AuditEventsQuery = z
  .object({
    user: z.string().max(320, 'must be at most 320 characters').optional(),
    /** A kind (`profile.issued`) or a family (`profile`, `direct-vpn`). */
    kind: z.string().max(60, 'must be at most 60 characters').optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.string().regex(/^[0-9]{1,16}$/, 'must be a cursor from a previous answer').optional(),
    limit: z.coerce.number().int().min(1).max(1000, 'must be at most 1000').default(200),
  })
  .strict();
export type AuditEventsQuery = z.infer<typeof AuditEventsQuery>;

export const AuditEvent = z.object({
  /** The event's id in the event log (`event:<id>` in a SIEM line). */
  id: z.number(),
  at: z.string(),
  kind: z.string(),
  actor: z.string().nullable(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** `next`: pass as `cursor` to continue (null: nothing more); a page may hold fewer than `limit` when few events concern the plant. */
export const AuditEventPage = z.object({ events: z.array(AuditEvent), next: z.string().nullable() });
export type AuditEventPage = z.infer<typeof AuditEventPage>;

export const auditApi = {
  ingest: endpoint({ method: 'POST', path: '/gateways/:id/flows', body: FlowBatch, response: FlowBatchAck }),
  /** The same batch from a plant's agent: flows of its hosted direct VPNs' clients (attributed to its own plant only). */
  ingestAgent: endpoint({ method: 'POST', path: '/agents/:id/flows', body: FlowBatch, response: FlowBatchAck }),
  records: endpoint({ method: 'GET', path: '/audit/plants/:plant/records', query: AuditQuery, response: AuditPage }),
  verify: endpoint({ method: 'GET', path: '/audit/plants/:plant/verify', response: AuditVerification }),
  export: endpoint({ method: 'GET', path: '/audit/plants/:plant/export', query: AuditExportQuery, response: AuditExportPage }),
  publicKey: endpoint({ method: 'GET', path: '/audit/public-key', response: AuditPublicKey }),
  events: endpoint({ method: 'GET', path: '/audit/plants/:plant/events', query: AuditEventsQuery, response: AuditEventPage }),
};
