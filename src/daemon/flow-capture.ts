import { type FlowBatch, MAX_BATCH_RECORDS } from '../core/wire/audit.ts';
import type { Clock } from './clock.ts';
import { errorMessage, type Logger } from './log.ts';
import type { MetricsRegistry } from './metrics.ts';
import type { ConntrackGap, ConntrackSource } from '../os/conntrack/conntrack-source.ts';
import type { FlowAccounting, OpenFlowSnapshot } from './flow-accounting.ts';
import type { FlowSpool } from './flow-spool.ts';

/**
 * A daemon's flow capture (issue 10, SPEC A1/A5; the gateway for personal-VPN users, the
 * agent for its hosted direct VPNs' clients): conntrack events feed FlowAccounting;
 * every report window the open flows are listed (so long-lived ones are reported before
 * they end), the window's records and the gaps since the last window are spooled as one
 * batch, and the spool uploads. Lost events reach the trail as gaps, never silently.
 */

export type FlowCaptureOptions = {
  daemonId: string;
  source: ConntrackSource;
  accounting: FlowAccounting;
  spool: FlowSpool;
  clock: Clock;
  log: Logger;
  /** Report window: records are spooled this often (default 60 s). */
  intervalMs?: number;
  /** Where what was reported of the open flows is kept across a restart (the state dir). */
  openFlows?: { load(): Promise<unknown>; save(snapshot: OpenFlowSnapshot[]): Promise<void> };
  /** The daemon's /metrics: records and gaps spooled, batches waiting, flows tracked. */
  metrics?: MetricsRegistry;
  /** Metric name prefix (default `plantgate_gateway_flow`) and the daemon's kind in gap reasons (default `gateway`). */
  metricsPrefix?: string;
  kind?: 'gateway' | 'agent';
};

function captureMetrics(registry: MetricsRegistry, p: string) {
  return {
    records: registry.counter(`${p}_records_total`, 'Flow records spooled for the audit trail', []),
    gaps: registry.counter(`${p}_gaps_total`, 'Capture gaps (lost conntrack events, spool overflow) recorded', []),
    spooled: registry.gauge(`${p}_spool_batches`, 'Flow batches on disk waiting for the control plane', []),
    open: registry.gauge(`${p}_open`, 'Open connections of users being tracked', []),
  };
}

export class FlowCapture {
  private readonly options: FlowCaptureOptions;
  private readonly intervalMs: number;
  private readonly gaps: FlowBatch['gaps'] = [];
  private gapCounter = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private readonly metrics: ReturnType<typeof captureMetrics> | null;

  constructor(options: FlowCaptureOptions) {
    this.options = options;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.metrics = options.metrics ? captureMetrics(options.metrics, options.metricsPrefix ?? 'plantgate_gateway_flow') : null;
    if (this.metrics !== null) {
      this.metrics.records.inc({}, 0);
      this.metrics.gaps.inc({}, 0);
    }
  }

  async start(): Promise<void> {
    const { source, accounting, clock, spool, openFlows } = this.options;
    const saved = await openFlows?.load().catch(() => null);
    if (Array.isArray(saved)) accounting.restore(saved.filter(isSnapshotEntry));
    await source.start({ event: (event) => accounting.event(event, clock.now()), gap: (gap) => this.gap(gap) });
    spool.kick(); // what an earlier run left in the spool
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.report());
    }, this.intervalMs);
  }

  /** Ends the window now: lists the open flows, spools the window's records and the gaps, uploads. */
  async report(): Promise<void> {
    const { source, accounting, clock, spool, log } = this.options;
    try {
      accounting.listed(await source.list(), clock.now());
    } catch (error) {
      // DESTROY events still bring every flow's bytes; only the interim report is late.
      log.warn('listing the open flows failed', { error: errorMessage(error) });
    }
    const records = accounting.flush(clock.now());
    const gaps = this.gaps.splice(0);
    this.metrics?.records.inc({}, records.length);
    this.metrics?.open.set({}, accounting.openFlows);
    try {
      for (let i = 0; i < Math.max(records.length, 1); i += MAX_BATCH_RECORDS) {
        await spool.add(records.slice(i, i + MAX_BATCH_RECORDS), i === 0 ? gaps : []);
      }
    } catch (error) {
      log.error('flow records could not be spooled', { records: records.length, error: errorMessage(error) });
      const now = clock.now();
      this.gaps.push(...gaps, { id: this.gapId(now), from: records[0]?.firstSeen ?? new Date(now).toISOString(), to: new Date(now).toISOString(), reason: `${this.options.kind ?? 'gateway'} could not spool ${records.length} flow records: ${errorMessage(error).slice(0, 300)}` });
    }
    // After the batch is on disk: a crash in between reports bytes twice, never loses them.
    await this.options.openFlows?.save(accounting.snapshot()).catch((error: unknown) => log.warn('open flows not saved', { error: errorMessage(error) }));
    spool.kick();
    if (this.metrics !== null) this.metrics.spooled.set({}, await spool.pending().catch(() => -1));
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.options.source.stop();
    // What the last window holds goes to the spool (delivered now, or after the restart).
    await this.report();
    await this.options.spool.stop();
  }

  private gap(gap: ConntrackGap): void {
    this.metrics?.gaps.inc({});
    this.options.log.warn('flow capture gap', { from: new Date(gap.from).toISOString(), to: new Date(gap.to).toISOString(), reason: gap.reason });
    this.gaps.push({ id: this.gapId(gap.from), from: new Date(gap.from).toISOString(), to: new Date(gap.to).toISOString(), reason: gap.reason });
  }

  private gapId(at: number): string {
    return `${this.options.daemonId}.gap.${at}.${this.gapCounter++}`;
  }
}

function isSnapshotEntry(value: unknown): value is OpenFlowSnapshot {
  return Array.isArray(value) && value.length === 4 && typeof value[0] === 'number' && typeof value[1] === 'string' && typeof value[2] === 'number' && typeof value[3] === 'number';
}
