import type { LabProcess } from '../test/e2e/netns.ts';
import { type FlowSample, flowCut, parseFlow } from '../test/e2e/scenario-lab.ts';

/**
 * What B3's variants share: the statistics, the reading of one flow's log around a
 * change at t0, and the timeline of that change through the processes' own log lines
 * (server: pino JSON, `time` in epoch ms; daemons: JSON lines, `time` in ISO).
 */

export type Summary = { n: number; p50: number; p90: number; p99: number; max: number; min: number };

export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function summary(xs: readonly number[]): Summary {
  const sorted = [...xs].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN, min: sorted[0] ?? Number.NaN };
}

export function summaryRow(label: string, x: Summary): string {
  return `| ${label} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.min} |`;
}

/** The cut of one flow around t0 (all ms relative to t0), or why it cannot be read. */
export type Cut = { firstDropped: number; lastThrough: number; echoesBefore: number; lateEchoes: number };

export function readCut(sample: FlowSample, t0: number, lateAfterMs: number): Cut | string {
  const cut = flowCut(sample);
  if (cut.lastReceivedAt === null || cut.firstLostSentAt === null) return `no cut in the flow (${JSON.stringify({ ...cut, errors: sample.errors })})`;
  // A flow that was never cut has its last echo at its very end.
  const lastSent = Math.max(...sample.sent.values());
  if (cut.lastReceivedAt >= lastSent - 50) return `the flow was never cut (last echo ${cut.lastReceivedAt - t0} ms after t0, at the end of the flow)`;
  return {
    firstDropped: cut.firstLostSentAt - t0,
    lastThrough: cut.lastReceivedAt - t0,
    echoesBefore: [...sample.received.values()].filter((at) => at < t0).length,
    lateEchoes: [...sample.received.values()].filter((at) => at > t0 + lateAfterMs).length,
  };
}

export { parseFlow };

export type LogEvent = { source: string; msg: string; at: number; fields: Record<string, unknown> };

/**
 * Every JSON log line of a process, with its time (a server `request` line is named after
 * its method and route). A gateway/agent `applied` line also
 * yields an `apply started` event (its time minus its `ms`), so the timeline shows
 * when the daemon began the apply that carried the change.
 */
export function logEvents(source: string, output: string): LogEvent[] {
  const events: LogEvent[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const at = typeof fields.time === 'number' ? fields.time : typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
    let msg = typeof fields.msg === 'string' ? fields.msg : '';
    if (!Number.isFinite(at) || !msg) continue;
    // The server logs every request when it answers: one step per route (a long-poll's answer is the daemon's fetch).
    if (msg === 'request' && typeof fields.route === 'string') msg = `${String(fields.method)} ${fields.route} answered`;
    events.push({ source, msg, at, fields });
    if (msg === 'applied' && typeof fields.ms === 'number') events.push({ source, msg: 'apply started', at: at - fields.ms, fields });
  }
  return events;
}

/**
 * The first occurrence of each `source: msg` in [t0 − slack, t0 + windowMs], as ms after
 * t0: one trial's timeline (commit → notify → fetched → applied, whatever the processes log).
 */
export function timeline(events: readonly LogEvent[], t0: number, windowMs: number, slackMs = 5): Map<string, number> {
  const out = new Map<string, number>();
  const sorted = [...events].sort((a, b) => a.at - b.at);
  for (const e of sorted) {
    if (e.at < t0 - slackMs || e.at > t0 + windowMs) continue;
    // A reconcile that repaired nothing is not part of the change's path.
    if (e.fields.reason === 'reconcile') continue;
    // Status reports and scrapes run on their own clocks, not on the change's path.
    if (/(\/status|\/metrics) answered$/.test(e.msg) || e.msg === 'status report failed') continue;
    const key = `${e.source}: ${e.msg}`;
    if (!out.has(key)) out.set(key, e.at - t0);
  }
  return out;
}

/** Per step, p50/p99 over the trials that logged it, ordered by median. */
export function timelineSummary(timelines: ReadonlyArray<Map<string, number>>): Array<{ step: string; summary: Summary }> {
  const steps = new Map<string, number[]>();
  for (const t of timelines) for (const [step, ms] of t) steps.set(step, [...(steps.get(step) ?? []), ms]);
  return [...steps].map(([step, xs]) => ({ step, summary: summary(xs) })).sort((a, b) => a.summary.p50 - b.summary.p50);
}

/** The output of the processes that log the change's path, as events. */
export function labEvents(processes: ReadonlyArray<[string, LabProcess | null | undefined]>): LogEvent[] {
  return processes.flatMap(([source, p]) => (p ? logEvents(source, p.output()) : []));
}
