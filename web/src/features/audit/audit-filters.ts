import { parseIpv4 } from '../../../../src/core/net/ipv4.ts';

/** The filters as typed into the form. */
export type AuditFilterDraft = { user: string; device: string; from: string; to: string };
/** The filters as the records query takes them (absent when empty). */
export type AuditFilters = { user?: string; device?: string; from?: string; to?: string };
export type FilterCheck = { ok: true; filters: AuditFilters } | { ok: false; errors: Partial<Record<keyof AuditFilterDraft, string>> };

export const NO_FILTERS: AuditFilterDraft = { user: '', device: '', from: '', to: '' };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks the filters as they are typed, with the message shown under the field: a device
 * is an IPv4 address; from/to are an ISO date-time with a zone, or a day (UTC: `from` is
 * its start, `to` its end); `to` is not before `from`.
 */
export function checkAuditFilters(draft: AuditFilterDraft): FilterCheck {
  const errors: Partial<Record<keyof AuditFilterDraft, string>> = {};
  const filters: AuditFilters = {};
  const user = draft.user.trim();
  if (user.length > 320) errors.user = 'must be at most 320 characters';
  else if (user) filters.user = user;
  const device = draft.device.trim();
  if (device && parseIpv4(device) === null) errors.device = 'must be an IPv4 address (a.b.c.d)';
  else if (device) filters.device = device;
  for (const key of ['from', 'to'] as const) {
    const text = draft[key].trim();
    if (!text) continue;
    const instant = parseInstant(text, key === 'to');
    if (instant === null) errors[key] = 'must be a day (2026-11-30) or a date-time with a zone (2026-11-30T08:00Z)';
    else filters[key] = instant;
  }
  if (filters.from && filters.to && Date.parse(filters.to) < Date.parse(filters.from)) errors.to = 'must not be before From';
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, filters };
}

function parseInstant(text: string, endOfDay: boolean): string | null {
  const day = DAY.exec(text);
  if (day) {
    const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    const date = new Date(start);
    // Date.UTC rolls 2026-02-31 over into March: such a day does not exist.
    if (date.getUTCDate() !== Number(day[3]) || date.getUTCMonth() !== Number(day[2]) - 1) return null;
    return new Date(endOfDay ? start + 86_400_000 - 1 : start).toISOString();
  }
  if (!DATE_TIME_WITH_ZONE.test(text)) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
