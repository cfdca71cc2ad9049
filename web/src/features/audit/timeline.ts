import type { AuditEvent, AuditRecord, AuditSession } from '../../../../src/core/wire/audit.ts';

/**
 * The Audit page's timeline (issue 10 item 8): the plant's flow records and its SPEC A4
 * events in one list ordered by time (a record at its first seen, an event at its time),
 * filterable by what it shows. Pure.
 */
export type TimelineShow = 'all' | 'access' | 'events';
export type TimelineItem = { at: string; kind: 'access'; record: AuditRecord } | { at: string; kind: 'event'; event: AuditEvent };

export function mergeTimeline(records: readonly AuditRecord[], events: readonly AuditEvent[], show: TimelineShow): TimelineItem[] {
  const items: TimelineItem[] = [];
  if (show !== 'events') for (const record of records) items.push({ at: record.firstSeen, kind: 'access', record });
  if (show !== 'access') for (const event of events) items.push({ at: event.at, kind: 'event', event });
  // Same instant: the event first (a profile issued or a login precedes the traffic it allowed).
  return items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.kind === b.kind ? 0 : a.kind === 'event' ? -1 : 1));
}

/** One line saying what an event was, for people: "profile issued to carol@…", "direct VPN Router A created". */
export function describeEvent(e: AuditEvent): string {
  const d = e.details;
  const vpn = typeof d.directVpn === 'string' ? ` ${d.directVpn}` : '';
  const who = e.subject ?? e.actor ?? 'someone';
  switch (e.kind) {
    case 'auth.login':
      return `${who} logged in`;
    case 'auth.login-failed':
      return `failed login of ${who}`;
    case 'profile.issued':
      return `VPN profile issued to ${who}`;
    case 'profile.rotated':
      return `VPN profile of ${who} rotated`;
    case 'profile.revoked':
      return `VPN profile of ${who} revoked`;
    case 'routes.changed': {
      const added = Array.isArray(d.added) ? d.added.length : 0;
      const removed = Array.isArray(d.removed) ? d.removed.length : 0;
      return `routes of ${who} changed (+${added} −${removed})${typeof d.cause === 'string' ? `: ${d.cause}` : ''}`;
    }
    default:
      if (e.kind.startsWith('direct-vpn.')) return `direct VPN${vpn} ${e.kind.slice('direct-vpn.'.length)}${e.actor ? ` by ${e.actor}` : ''}`;
      return `${e.kind.replace(/[.-]/g, ' ')}${e.actor ? ` by ${e.actor}` : ''}`;
  }
}

export type SessionSummary = {
  id: string;
  session: AuditSession | null;
  user: string | null;
  devices: number;
  connections: number;
  bytesIn: number;
  bytesOut: number;
};

/** Per P7 session over the records given (records without a session are left out), in the order the sessions started. */
export function summarizeSessions(records: readonly AuditRecord[], sessions: readonly AuditSession[]): SessionSummary[] {
  const byId = new Map<string, SessionSummary & { deviceSet: Set<string> }>();
  for (const r of records) {
    if (r.session === null) continue;
    let s = byId.get(r.session);
    if (!s) {
      s = { id: r.session, session: sessions.find((x) => x.id === r.session) ?? null, user: r.user, devices: 0, connections: 0, bytesIn: 0, bytesOut: 0, deviceSet: new Set() };
      byId.set(r.session, s);
    }
    s.deviceSet.add(`${r.subnet}\n${r.deviceIp}`);
    s.connections += r.connections;
    s.bytesIn += r.bytesIn;
    s.bytesOut += r.bytesOut;
  }
  return [...byId.values()]
    .map(({ deviceSet, ...s }) => ({ ...s, devices: deviceSet.size }))
    .sort((a, b) => (a.session?.start ?? '').localeCompare(b.session?.start ?? '') || a.id.localeCompare(b.id));
}
