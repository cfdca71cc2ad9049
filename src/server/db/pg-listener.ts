import pg from 'pg';

export type ListenerEvents = {
  /** A notification's payload. */
  notify: (payload: string) => void;
  /** The LISTEN is (again) in place: notifications may have been missed before it, so catch up. */
  ready: () => void;
  /** The connection is gone; until `ready`, the caller must not rely on notifications. */
  lost: (error: Error) => void;
};

/**
 * One PostgreSQL connection per control-plane process, dedicated to `LISTEN`: the change
 * notification every long-poll waits on (instead of one database poll per waiting
 * daemon). Reconnects with a capped backoff when the connection drops.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private live = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | null = null;
  private readonly url: string;
  private readonly channel: string;
  private readonly events: ListenerEvents;

  constructor(url: string, channel: string, events: ListenerEvents) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`channel name "${channel}" must be a plain identifier`);
    this.url = url;
    this.channel = channel;
    this.events = events;
  }

  isLive(): boolean {
    return this.live;
  }

  /** Resolves once the first LISTEN is in place (or rejects if the first connection fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel === this.channel) this.events.notify(msg.payload ?? '');
    });
    const onLost = (error: Error) => {
      if (this.client !== client) return;
      this.client = null;
      this.live = false;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.events.lost(error);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('LISTEN connection closed')));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      this.client = null;
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.live = true;
    this.retryMs = 100;
    this.events.ready();
  }

  private scheduleReconnect(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().catch((error: Error) => {
        if (this.stopped) return;
        this.events.lost(error);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
        this.scheduleReconnect();
      });
    }, this.retryMs);
    this.timer.unref();
  }
}
