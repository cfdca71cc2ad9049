import type { ConntrackEvent } from './conntrack-line.ts';
import type { ConntrackGap, ConntrackHandler, ConntrackSource } from './conntrack-source.ts';

/** In-memory ConntrackSource: tests push events and overflows; open entries are kept for list(). */
export class FakeConntrackSource implements ConntrackSource {
  private handler: ConntrackHandler | null = null;
  private readonly open = new Map<number, ConntrackEvent>();
  started = false;

  async start(handler: ConntrackHandler): Promise<void> {
    this.handler = handler;
    this.started = true;
  }

  async list(): Promise<ConntrackEvent[]> {
    return [...this.open.values()].map((entry) => ({ ...entry, type: 'list', at: null }));
  }

  async stop(): Promise<void> {
    this.handler = null;
    this.started = false;
  }

  /** As the kernel would: NEW/UPDATE keep the entry open (with the counters given), DESTROY removes it. */
  push(event: ConntrackEvent): void {
    if (event.type === 'destroy') this.open.delete(event.id);
    else this.open.set(event.id, { ...event, orig: event.orig ?? { packets: 0, bytes: 0 }, reply: event.reply ?? { packets: 0, bytes: 0 } });
    this.handler?.event(event);
  }

  /** Counters of an open entry grow (what list() shows next). */
  count(id: number, orig: number, reply: number): void {
    const entry = this.open.get(id);
    if (entry === undefined) throw new Error(`no open entry ${id}`);
    entry.orig = { packets: (entry.orig?.packets ?? 0) + 1, bytes: (entry.orig?.bytes ?? 0) + orig };
    entry.reply = { packets: (entry.reply?.packets ?? 0) + 1, bytes: (entry.reply?.bytes ?? 0) + reply };
  }

  overflow(gap: ConntrackGap): void {
    this.handler?.gap(gap);
  }
}
