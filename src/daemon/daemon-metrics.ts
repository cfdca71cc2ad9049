import type { Clock } from './clock.ts';
import { MetricsRegistry } from './metrics.ts';

/**
 * The series every daemon exposes on /metrics (gateway and agent alike); the data-plane
 * gauges (peers, set sizes, handshake ages) are set by each daemon's own code.
 * Prefix: plantgate_<kind>_.
 */
export class DaemonMetrics {
  readonly registry: MetricsRegistry;
  readonly prefix: string;
  private readonly applyDuration;
  private readonly applies;
  private readonly errors;
  private readonly revisionApplied;
  private readonly revisionDesired;
  private readonly up;
  private readonly lag;
  private readonly serving;
  private lastPollAt: number | null = null;

  constructor(kind: 'gateway' | 'agent', clock: Clock, registry = new MetricsRegistry()) {
    this.registry = registry;
    this.prefix = `plantgate_${kind}`;
    const p = this.prefix;
    this.applyDuration = registry.histogram(`${p}_apply_duration_seconds`, 'Time to observe, plan and apply a desired state', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], ['reason']);
    this.applies = registry.counter(`${p}_applies_total`, 'Applies by reason (update, reconnect, reconcile, restore) and result', ['reason', 'result']);
    this.errors = registry.counter(`${p}_errors_total`, 'Errors by kind (poll, poll_refused, apply, status)', ['kind']);
    this.revisionApplied = registry.gauge(`${p}_applied_revision`, 'Revision of the desired state last applied successfully', []);
    this.revisionDesired = registry.gauge(`${p}_desired_revision`, 'Revision of the latest desired state received', []);
    this.up = registry.gauge(`${p}_control_plane_connected`, '1 while the control plane answers, 0 while the daemon runs on its last state', []);
    this.lag = registry.gauge(`${p}_sync_lag_seconds`, 'Seconds since the last successful answer of the control plane (-1: never)', []);
    this.serving = registry.gauge(`${p}_serving_mode`, '1 for the mode the daemon is in: serving, or stale-withdrawn (control plane away past the max age: user access withdrawn)', ['mode']);
    this.up.set({}, 0);
    for (const kindName of ['poll', 'poll_refused', 'apply', 'status']) this.errors.inc({ kind: kindName }, 0);
    registry.onCollect(() => this.lag.set({}, this.lastPollAt === null ? -1 : Math.max(0, (clock.now() - this.lastPollAt) / 1000)));
  }

  applied(reason: string, seconds: number, ok: boolean): void {
    this.applyDuration.observe({ reason }, seconds);
    this.applies.inc({ reason, result: ok ? 'ok' : 'error' });
  }
  error(kind: 'poll' | 'poll_refused' | 'apply' | 'status'): void {
    this.errors.inc({ kind });
  }
  appliedRevision(revision: number): void {
    this.revisionApplied.set({}, revision);
  }
  desiredRevision(revision: number): void {
    this.revisionDesired.set({}, revision);
  }
  connected(yes: boolean): void {
    this.up.set({}, yes ? 1 : 0);
  }
  servingMode(mode: 'serving' | 'stale-withdrawn'): void {
    this.serving.set({ mode: 'serving' }, mode === 'serving' ? 1 : 0);
    this.serving.set({ mode: 'stale-withdrawn' }, mode === 'serving' ? 0 : 1);
  }
  polled(at: number): void {
    this.lastPollAt = at;
  }
  render(): Promise<string> {
    return this.registry.render();
  }
}
