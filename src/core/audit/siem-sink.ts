import { z } from 'zod';
import type { AuditEvent } from '../wire/audit.ts';
import { auditRecordOf } from './export-format.ts';
import type { StoredFlow } from './flow.ts';
import { asciiJson, formatSyslog5424 } from './syslog-5424.ts';

/**
 * SIEM sinks of the audit trail (issue 10 item 5, docs/audit.md "Streaming to a SIEM"):
 * the server config file's `audit.sinks`. Each sink is scoped to ONE organization (it
 * receives only records of that organization's plants and the events concerning them,
 * SPEC A2) or, written explicitly, to the whole platform.
 */

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1–63 lowercase letters, digits and -, starting with a letter or digit');
const oneLine = z.string().min(1, 'must not be empty').max(4096, 'is too long').refine((v) => !/[\r\n\0]/.test(v), 'must be one line');

export const SiemSinkConfig = z
  .object({
    /** Names the sink's cursor in the audit store: renaming a sink starts it from the beginning. */
    name,
    /** The organization (name or id) whose plants' records and events this sink receives. */
    organization: oneLine.optional(),
    /** `true`: every organization's records and all events (a written decision, like audit.operatorsMayRead). */
    platform: z.literal(true).optional(),
    syslog: z
      .object({
        host: oneLine,
        port: z.number().int().min(1).max(65535, 'must be a port (1–65535)'),
        /** tcp (octet counting, RFC 6587) or tls (the same over TLS, RFC 5425). */
        transport: z.enum(['tcp', 'tls']).default('tcp'),
        /** PEM file of the CA that signed the receiver's certificate (tls; default: the system's CAs). */
        ca: oneLine.optional(),
        /** 0–23, default 16 (local0). */
        facility: z.number().int().min(0).max(23, 'must be 0–23').default(16),
      })
      .strict()
      .optional(),
    webhook: z
      .object({
        url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
        /** Shared secret of the HMAC-SHA256 signature header (never logged). */
        secret: z.string().min(16, 'must be at least 16 characters').max(4096, 'is too long'),
        ca: oneLine.optional(),
      })
      .strict()
      .optional(),
    /** Lines per delivery (default 500). */
    batch: z.number().int().min(1).max(10_000, 'must be at most 10000').optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.organization === undefined) === (s.platform === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of organization: NAME (that organization\u2019s plants only) or platform: true', path: ['organization'] });
    }
    if ((s.syslog === undefined) === (s.webhook === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of syslog or webhook', path: ['syslog'] });
    }
  });
export type SiemSinkConfig = z.output<typeof SiemSinkConfig>;

export const SiemSinks = z.array(SiemSinkConfig).max(50, 'must list at most 50 sinks').superRefine((sinks, ctx) => {
  const seen = new Set<string>();
  sinks.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', message: `name "${s.name}" is used twice`, path: [i, 'name'] });
    seen.add(s.name);
  });
});

/** A flow record as one SIEM line: its stable id (`flow:<plant>:<seq>`, the same on every resend) and the record as operators read it. */
export function flowLine(r: StoredFlow & { hash: string }): { id: string; at: string; type: 'flow'; json: string } {
  const id = `flow:${r.plantId}:${r.seq}`;
  const record = auditRecordOf(r);
  const json = asciiJson({ id, type: 'flow', organizationId: r.orgId, plantId: r.plantId, ...record, recordId: r.recordId, gatewayId: r.gatewayId, ingestedAt: r.ingestedAt, hash: r.hash });
  return { id, at: r.lastSeen, type: 'flow', json };
}

/** An A4 event as one SIEM line (`event:<id>`). */
export function eventLine(e: AuditEvent & { orgId: string | null }): { id: string; at: string; type: 'event'; json: string } {
  const id = `event:${e.id}`;
  return { id, at: e.at, type: 'event', json: asciiJson({ id, type: 'event', at: e.at, kind: e.kind, actor: e.actor, subject: e.subject, organizationId: e.orgId, details: e.details }) };
}

/** The RFC 5424 message of a line: local facility, informational, MSGID flow|event, no structured data (the id is in the JSON). */
export function syslogLine(line: { at: string; type: string; json: string }, facility: number, hostname: string | null): string {
  return formatSyslog5424({
    facility,
    severity: 6,
    timestamp: new Date(line.at),
    hostname,
    appName: 'plantgate',
    procId: null,
    msgId: line.type,
    structuredData: [],
    message: line.json,
  });
}
