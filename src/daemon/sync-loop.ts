import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { Clock } from './clock.ts';
import { isTransient } from './control-plane.ts';
import type { DaemonMetrics } from './daemon-metrics.ts';
import { errorMessage, type Logger } from './log.ts';
import { ControlPlaneError } from './control-plane.ts';

/**
 * The loop shared by gateway and agent (DESIGN "Sync"): `main → loop → plan → drivers`.
 *
 * - Long-poll: `after` = the revision last received; a new revision is applied at once
 *   (the applier plans the change against what it last applied and changes only that).
 * - (Re)connect: before the first poll and after any failure, `connect()` runs (register
 *   again, fetch secrets) and the state is fetched without `after`, then applied in full:
 *   whatever the daemon had that is not in it goes. Except: a daemon that lost the
 *   connection while holding an applied document of this run resumes from its revision
 *   (another replica answers with a delta), so a failover costs no full read-back.
 * - Reconcile: every `reconcileMs` the last desired state is applied again, which
 *   repairs drift (an nft element deleted by hand) — also while the control plane is away.
 * - Fail static, bounded: when the control plane is unreachable nothing is torn down; the
 *   loop retries with capped backoff. A daemon that starts without the control plane
 *   applies the desired state from its state dir (`restore`), and only then. Both only up
 *   to `maxStaleMs` after the control plane was last reached: beyond that the state may
 *   predate a revocation, so it is applied with user access withdrawn (`access:
 *   'withdrawn'`; mode `stale-withdrawn` in status and metrics) until the control plane
 *   answers again.
 * - Status: `report()` every `statusMs`.
 * Applies never overlap (one queue). Time comes only from the Clock.
 */

export type ApplyReason = 'update' | 'reconnect' | 'reconcile' | 'restore' | 'withdraw';

/** 'withdrawn': apply the state without user access (the daemon decides what that is). */
export type Access = 'serving' | 'withdrawn';
export type ServingMode = 'serving' | 'stale-withdrawn';

export type LoopStatus = { appliedRevision: number | null; lastError: string | null; connected: boolean; mode: ServingMode };

export type SyncLoopPorts<S extends { revision: number }> = {
  clock: Clock;
  log: Logger;
  metrics: DaemonMetrics;
  /** Runs before every fetch without `after`: registration, secrets. */
  connect(signal: AbortSignal): Promise<void>;
  fetch(after: number | null, waitSeconds: number, signal: AbortSignal): Promise<S>;
  /** Optional work before a reconcile is queued (reading the data plane back while updates go on). */
  prepare?(desired: S, reason: ApplyReason): Promise<void>;
  /** Plan, change the difference. Returns a one-line summary for the log (null: nothing changed). */
  apply(desired: S, reason: ApplyReason, access: Access): Promise<string | null>;
  /** Keeps the desired state for a restart without the control plane. */
  persist(desired: S): Promise<void>;
  /** Keeps the time the control plane last answered (at most once a minute), for the max age after a restart. */
  persistContact?(at: number): Promise<void>;
  report(status: LoopStatus): Promise<void>;
  /** [0, 1): spreads the backoff of many daemons. */
  random?: () => number;
  /**
   * The control plane refused the credential (401: the daemon was removed). A removed
   * gateway must not go on admitting users with a stale state: the daemon stops, and its
   * shutdown removes the data plane (unless --keep-on-exit).
   */
  onCredentialRejected?: (reason: string) => void;
};

export type SyncLoopOptions = {
  waitSeconds: number;
  reconcileMs: number;
  statusMs: number;
  backoff: BackoffOptions;
  /** How long a state not confirmed by the control plane is served (default 24 h). */
  maxStaleMs: number;
};

export const DEFAULT_LOOP_OPTIONS: SyncLoopOptions = { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000, backoff: DEFAULT_BACKOFF, maxStaleMs: 24 * 3600_000 };
const CONTACT_PERSIST_MS = 60_000;

export class SyncLoop<S extends { revision: number }> {
  private readonly ports: SyncLoopPorts<S>;
  private readonly options: SyncLoopOptions;
  private readonly stopper = new AbortController();
  private desired: S | null = null;
  private restoreCandidate: S | null = null;
  private appliedRevisionValue: number | null = null;
  private connectedValue = false;
  private lastErrorValue: string | null = null;
  private failures = 0;
  /** The last update failed to apply: retried in full (observing what is there) with backoff. */
  private retryApply = false;
  /** The document held came from the control plane in this run and is applied: a reconnect may resume from it. */
  private resumable = false;
  private modeValue: ServingMode = 'serving';
  /** When the control plane last answered (from the state dir until it answers). */
  private contactAt: number | null = null;
  private contactPersistedAt = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();
  private tasks: Promise<void>[] = [];

  constructor(ports: SyncLoopPorts<S>, options: Partial<SyncLoopOptions> = {}) {
    this.ports = ports;
    this.options = { ...DEFAULT_LOOP_OPTIONS, ...options };
  }

  get appliedRevision(): number | null {
    return this.appliedRevisionValue;
  }
  get connected(): boolean {
    return this.connectedValue;
  }
  get desiredState(): S | null {
    return this.desired;
  }
  get lastError(): string | null {
    return this.lastErrorValue;
  }
  get mode(): ServingMode {
    return this.modeValue;
  }

  /**
   * Starts the three loops. `saved` is the desired state from the state dir, applied only
   * if the control plane cannot be reached; `savedContactAt` when the control plane last
   * answered before the restart (null: unknown, so a restore withdraws user access).
   */
  start(saved: S | null, savedContactAt: number | null = null): void {
    this.restoreCandidate = saved;
    this.contactAt = savedContactAt;
    this.ports.metrics.servingMode(this.modeValue);
    this.tasks = [this.pollLoop(), this.every(this.options.reconcileMs, () => this.reconcile()), this.every(this.options.statusMs, () => this.reportNow())];
  }

  /** Stops the loops (an open long-poll is aborted) and waits for a running apply to finish. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await Promise.allSettled(this.tasks);
    await this.queue.catch(() => {});
  }

  /**
   * Applies the last desired state again (the periodic reconcile; also callable on demand),
   * or withdraws user access when the control plane has been away longer than the max age.
   */
  async reconcile(): Promise<void> {
    if (this.desired === null) return;
    if (this.modeValue === 'serving' && !this.connectedValue && this.isStale()) {
      await this.withdraw(this.desired, 'withdraw');
      return;
    }
    try {
      await this.ports.prepare?.(this.desired, 'reconcile');
    } catch (error) {
      this.ports.log.warn('reading the data plane back failed; the reconcile reads it again', { error: errorMessage(error) });
    }
    try {
      await this.applyQueued(this.desired, 'reconcile');
    } catch {
      // counted and logged in applyQueued; the next cycle tries again
    }
  }

  async reportNow(): Promise<void> {
    try {
      await this.ports.report({ appliedRevision: this.appliedRevisionValue, lastError: this.lastErrorValue, connected: this.connectedValue, mode: this.modeValue });
    } catch (error) {
      this.ports.metrics.error('status');
      if (this.connectedValue) this.ports.log.warn('status report failed', { error: errorMessage(error) });
    }
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async pollLoop(): Promise<void> {
    const { clock, log, metrics } = this.ports;
    while (!this.stopped) {
      let phase: 'fetch' | 'apply' = 'fetch';
      try {
        if (this.retryApply && this.connectedValue && this.desired !== null) {
          phase = 'apply';
          await this.applyQueued(this.desired, 'reconcile');
          this.retryApply = false;
          phase = 'fetch';
        }
        const reconnecting = !this.connectedValue;
        // After a lost connection (a replica gone, a network blip) a daemon that holds and has
        // applied the document of this run resumes from its revision: a delta (or nothing), not
        // the whole document and a full read-back. A (re)start or a withdrawal starts over.
        const resuming = reconnecting && this.resumable && this.desired !== null;
        if (reconnecting) await this.ports.connect(this.stopper.signal);
        // a delta is relative to the document held, applied or not (a failed apply is retried by reconcile)
        const after = reconnecting && !resuming ? null : (this.desired?.revision ?? null);
        const next = await this.ports.fetch(after, resuming ? 0 : this.options.waitSeconds, this.stopper.signal);
        if (this.stopped) break;
        metrics.polled(clock.now());
        this.contacted(clock.now());
        if (reconnecting) {
          log.info('connected to the control plane', { revision: next.revision, after: this.failures > 0 ? `${this.failures} failure(s)` : undefined, resumed: resuming || undefined });
          this.connectedValue = true;
          metrics.connected(true);
          if (this.modeValue !== 'serving') log.info('control plane reached again: serving the current state');
          this.setMode('serving');
        }
        this.failures = 0;
        const full = reconnecting && !resuming;
        if (full || next.revision !== this.desired?.revision) {
          this.desired = next;
          metrics.desiredRevision(next.revision);
          await this.ports.persist(next);
        }
        phase = 'apply';
        if (full || next.revision !== this.appliedRevisionValue) {
          this.retryApply = false;
          await this.applyQueued(next, full ? 'reconnect' : 'update');
        }
        this.resumable = this.modeValue === 'serving' && this.appliedRevisionValue === this.desired?.revision;
      } catch (error) {
        if (this.stopped) break;
        if (phase === 'fetch' && error instanceof ControlPlaneError && error.status === 401 && this.ports.onCredentialRejected) {
          log.error('the control plane refuses this credential (was this daemon removed?): stopping', { error: errorMessage(error) });
          this.lastErrorValue = errorMessage(error);
          this.ports.onCredentialRejected(errorMessage(error));
          break;
        }
        this.failures++;
        if (phase === 'fetch') {
          metrics.error(isTransient(error) ? 'poll' : 'poll_refused');
          if (this.connectedValue || this.failures === 1) {
            log.warn('control plane unreachable: keeping the last applied state', { error: errorMessage(error) });
          }
          this.lastErrorValue = this.modeValue === 'serving' ? errorMessage(error) : `${this.staleMessage()}; ${errorMessage(error)}`;
          this.connectedValue = false;
          metrics.connected(false);
          await this.restoreIfNeeded();
        }
        if (phase === 'apply') this.retryApply = true;
        const delay = backoffDelay(this.failures, this.options.backoff, this.ports.random?.() ?? 0);
        await clock.sleep(delay, this.stopper.signal);
      }
    }
  }

  /** Fail static for a daemon that (re)started while the control plane is away. */
  private async restoreIfNeeded(): Promise<void> {
    const saved = this.restoreCandidate;
    if (saved === null || this.appliedRevisionValue !== null || this.desired !== null) return;
    this.restoreCandidate = null;
    this.desired = saved;
    this.ports.metrics.desiredRevision(saved.revision);
    if (this.isStale()) {
      await this.withdraw(saved, 'restore');
      return;
    }
    this.ports.log.warn('starting from the desired state in the state dir', { revision: saved.revision });
    try {
      await this.applyQueued(saved, 'restore');
    } catch {
      // logged; reconcile retries
    }
  }

  private isStale(): boolean {
    return this.contactAt === null || this.ports.clock.now() - this.contactAt > this.options.maxStaleMs;
  }

  private staleMessage(): string {
    const hours = (ms: number) => `${Math.round((ms / 3600_000) * 10) / 10} h`;
    const since = this.contactAt === null ? 'never confirmed' : `not reached for ${hours(this.ports.clock.now() - this.contactAt)}`;
    return `control plane ${since} (max age ${hours(this.options.maxStaleMs)}): user access withdrawn, site tunnels kept`;
  }

  private async withdraw(desired: S, reason: 'withdraw' | 'restore'): Promise<void> {
    this.setMode('stale-withdrawn');
    this.resumable = false;
    this.lastErrorValue = this.staleMessage();
    this.ports.log.warn('the saved desired state is too old to serve: withdrawing user access', { revision: desired.revision, reason: this.lastErrorValue });
    try {
      await this.applyQueued(desired, reason, 'withdrawn');
    } catch {
      // logged; reconcile retries (still withdrawn)
    }
  }

  private setMode(mode: ServingMode): void {
    this.modeValue = mode;
    this.ports.metrics.servingMode(mode);
  }

  private contacted(at: number): void {
    this.contactAt = at;
    if (this.ports.persistContact && at - this.contactPersistedAt >= CONTACT_PERSIST_MS) {
      this.contactPersistedAt = at;
      this.ports.persistContact(at).catch((error) => this.ports.log.warn('could not keep the contact time in the state dir', { error: errorMessage(error) }));
    }
  }

  private applyQueued(desired: S, reason: ApplyReason, access?: Access): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      const started = this.ports.clock.now();
      // decided when it runs: a reconcile queued before a withdrawal applies the withdrawn form
      const withdrawn = (access ?? (this.modeValue === 'serving' ? 'serving' : 'withdrawn')) === 'withdrawn';
      try {
        const summary = await this.ports.apply(desired, reason, withdrawn ? 'withdrawn' : 'serving');
        const seconds = (this.ports.clock.now() - started) / 1000;
        this.ports.metrics.applied(reason, seconds, true);
        this.appliedRevisionValue = desired.revision;
        this.ports.metrics.appliedRevision(desired.revision);
        this.lastErrorValue = withdrawn ? this.staleMessage() : null;
        if (summary !== null || reason !== 'reconcile') {
          this.ports.log.info(reason === 'reconcile' ? 'drift repaired' : 'applied', { revision: desired.revision, reason, ms: Math.round(seconds * 1000), changes: summary ?? 'none' });
        }
      } catch (error) {
        this.ports.metrics.applied(reason, (this.ports.clock.now() - started) / 1000, false);
        this.ports.metrics.error('apply');
        this.lastErrorValue = errorMessage(error);
        this.ports.log.error('apply failed', { revision: desired.revision, reason, error: errorMessage(error) });
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  private async every(ms: number, task: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      await this.ports.clock.sleep(ms, this.stopper.signal);
      if (this.stopped) break;
      await task();
    }
  }
}
