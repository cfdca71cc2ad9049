import type { PeerStatus } from '../../../core/wire/daemon.ts';
import type { Db } from '../../db/handle.ts';
import type { SessionRecorder } from '../sessions/recorder.ts';
import { writeStatuses } from './store.ts';
import { DirectVpnLiveBuffer } from '../direct-vpn/live-buffer.ts';

type Pending = { status: string; seenAt: string };

/** Rows per UPDATE statement when flushing. */
const BATCH = 200;

/**
 * Daemons report their status every few seconds; 5,000 daemons writing one row each
 * would be hundreds of queries a second while nothing changes. Reports are kept in
 * memory (the listing reads them from here first) and written in batches, one
 * `UPDATE … FROM (VALUES …)` per 200 daemons, every `flushMs` and at shutdown.
 * Another replica's listing may show a status up to `flushMs` old. Gateways' peer lists also
 * feed the session recorder (SPEC P7), which writes in the same flush.
 */
export class DaemonStatusBuffer {
  private pending = new Map<string, Pending>();
  private readonly latest = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly db: Db;
  private readonly flushMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly sessions: SessionRecorder | null;
  /** Agents' per-direct-VPN reports (issue 9 D7), written in the same flush. */
  readonly directVpns = new DirectVpnLiveBuffer();

  constructor(db: Db, flushMs = 15_000, onError: (error: unknown) => void = () => undefined, sessions: SessionRecorder | null = null) {
    this.db = db;
    this.flushMs = flushMs;
    this.onError = onError;
    this.sessions = sessions;
  }

  /** `peers`: a gateway's peer list, for sessions (agents pass none). */
  record(daemonId: string, status: string, seenAt: string, peers?: PeerStatus[]): void {
    if (peers && this.sessions) this.sessions.observe(daemonId, peers, Math.floor(Date.parse(seenAt) / 1000));
    const entry = { status, seenAt };
    this.pending.set(daemonId, entry);
    this.latest.set(daemonId, entry);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush().catch(this.onError);
      }, this.flushMs);
      this.timer.unref();
    }
  }

  /** The newest report of a daemon seen by this process (fresher than the database's until flushed). */
  latestOf(daemonId: string): Pending | undefined {
    return this.latest.get(daemonId);
  }

  /** Forgets a removed daemon. */
  forget(daemonId: string): void {
    this.pending.delete(daemonId);
    this.latest.delete(daemonId);
    this.sessions?.forget(daemonId);
  }

  flush(): Promise<void> {
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async write(): Promise<void> {
    const rows = [...this.pending];
    this.pending = new Map();
    for (let i = 0; i < rows.length; i += BATCH) await writeStatuses(this.db, rows.slice(i, i + BATCH));
    await this.directVpns.flush(this.db);
    await this.sessions?.flush();
  }
}
