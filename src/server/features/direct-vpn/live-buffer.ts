import type { DirectVpnStatusReport } from '../../../core/wire/daemon.ts';
import type { Db } from '../../db/handle.ts';
import { type LiveRow, upsertLiveRows } from './live-store.ts';

/**
 * D7: the latest report of each direct VPN, as its plant's agent sent it. Agents report every
 * few seconds: the reports are kept in memory (reads look here first) and written with the
 * daemons' status flush, in batches — never through a fleet write, so a status report wakes no
 * agent or gateway long-poll. The rate is computed from the previous report this process saw.
 */

export type LiveEntry = {
  state: DirectVpnStatusReport['state'];
  since: string;
  bytesIn: number;
  bytesOut: number;
  rateIn: number;
  rateOut: number;
  reportedAt: string;
  logs: NonNullable<DirectVpnStatusReport['logs']>;
  checks: NonNullable<DirectVpnStatusReport['checks']>;
  clients: NonNullable<DirectVpnStatusReport['clients']>;
};

const BATCH = 200;

/** What an agent sends is shown to users (terminal, browser): no control characters. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

function cleanReport(report: DirectVpnStatusReport): DirectVpnStatusReport {
  return {
    ...report,
    logs: report.logs?.map((l) => ({ at: printable(l.at), text: printable(l.text) })),
    checks: report.checks?.map((c) => ({ check: printable(c.check), ok: c.ok, detail: printable(c.detail), fix: c.fix === null ? null : printable(c.fix) })),
    clients: report.clients?.map((c) => ({ ...c, client: printable(c.client), endpoint: c.endpoint === null ? null : printable(c.endpoint) })),
  };
}

/** Bytes per second between two reports; 0 when the counters went back (the tunnel restarted) or no time passed. */
export function rateBetween(previous: { bytes: number; at: string } | undefined, bytes: number, at: string): number {
  if (!previous) return 0;
  const seconds = (Date.parse(at) - Date.parse(previous.at)) / 1000;
  if (!(seconds > 0) || bytes < previous.bytes) return 0;
  return Math.round(((bytes - previous.bytes) / seconds) * 10) / 10;
}

export class DirectVpnLiveBuffer {
  private readonly latest = new Map<string, LiveEntry>();
  private pending = new Map<string, LiveEntry>();

  record(reports: readonly DirectVpnStatusReport[], at: string): void {
    for (const sent of reports) {
      const report = cleanReport(sent);
      const previous = this.latest.get(report.id);
      const entry: LiveEntry = {
        state: report.state,
        since: report.since,
        bytesIn: report.bytesIn,
        bytesOut: report.bytesOut,
        rateIn: rateBetween(previous && { bytes: previous.bytesIn, at: previous.reportedAt }, report.bytesIn, at),
        rateOut: rateBetween(previous && { bytes: previous.bytesOut, at: previous.reportedAt }, report.bytesOut, at),
        reportedAt: at,
        logs: report.logs ?? previous?.logs ?? [],
        checks: report.checks ?? previous?.checks ?? [],
        clients: report.clients ?? [],
      };
      this.latest.set(report.id, entry);
      this.pending.set(report.id, entry);
    }
  }

  /** The newest report of a direct VPN seen by this process. */
  latestOf(id: string): LiveEntry | undefined {
    return this.latest.get(id);
  }

  async flush(db: Db): Promise<void> {
    const rows = [...this.pending].map(([id, e]): LiveRow => ({
      direct_vpn_id: id,
      state: e.state,
      since: e.since,
      bytes_in: e.bytesIn,
      bytes_out: e.bytesOut,
      rate_in: e.rateIn,
      rate_out: e.rateOut,
      reported_at: e.reportedAt,
      logs: JSON.stringify(e.logs),
      checks: JSON.stringify(e.checks),
      clients: JSON.stringify(e.clients),
    }));
    this.pending = new Map();
    for (let i = 0; i < rows.length; i += BATCH) await upsertLiveRows(db, rows.slice(i, i + BATCH));
  }
}

/** A stored row as an entry. */
export function entryOfRow(row: LiveRow): LiveEntry {
  return {
    state: row.state as LiveEntry['state'],
    since: row.since,
    bytesIn: Number(row.bytes_in),
    bytesOut: Number(row.bytes_out),
    rateIn: Number(row.rate_in),
    rateOut: Number(row.rate_out),
    reportedAt: row.reported_at,
    logs: JSON.parse(row.logs),
    checks: JSON.parse(row.checks),
    clients: JSON.parse(row.clients),
  };
}
