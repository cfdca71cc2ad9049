import { Counter } from 'prom-client';
import { MetricsRegistry } from '../../daemon/metrics.ts';

/**
 * The control plane's /metrics (prom-client, the same registry interface the daemons
 * use): Node's process metrics, HTTP requests by route pattern and status, their
 * latency, requests in flight, the daemons waiting in a long-poll right now, the state
 * revision and the database queries run (flat while nothing changes: the idle cost).
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the control plane reports at scrape time. */
export type ServerMetricSources = {
  revision(): number;
  /** Long-polls waiting now (FleetState counts them where they wait). */
  waiting(): { gateway: number; agent: number };
  dbQueries(): number;
};

export class ServerMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.counter('plantgate_http_requests_total', 'HTTP requests by method, route pattern and status', ['method', 'route', 'status']);
  private readonly duration = this.registry.histogram('plantgate_http_request_duration_seconds', 'HTTP request latency by method and route pattern (long-polls include their wait)', LATENCY_BUCKETS, ['method', 'route']);
  private readonly inFlight = this.registry.gauge('plantgate_http_requests_in_flight', 'HTTP requests being answered now', []);
  private readonly waiters = this.registry.gauge('plantgate_longpoll_waiters', 'Daemons waiting in a long-poll for the next revision, by kind', ['kind']);
  private readonly revision = this.registry.gauge('plantgate_state_revision', 'The state revision this replica has loaded', []);
  private inFlightCount = 0;

  constructor(options: { processMetrics: boolean; sources: ServerMetricSources }) {
    if (options.processMetrics) this.registry.collectProcessMetrics();
    const { sources } = options;
    new Counter({
      name: 'plantgate_db_queries_total',
      help: 'Database queries run by this control-plane process',
      registers: [this.registry.prom],
      collect() {
        this.reset();
        this.inc(sources.dbQueries());
      },
    });
    this.registry.onCollect(() => {
      this.inFlight.set({}, this.inFlightCount);
      const waiting = sources.waiting();
      for (const kind of ['gateway', 'agent'] as const) this.waiters.set({ kind }, waiting[kind]);
      this.revision.set({}, sources.revision());
    });
  }

  /** Marks a request started; call the returned function once with its status when it is done. */
  started(method: string, route: string): (status: number, seconds: number) => void {
    this.inFlightCount++;
    let done = false;
    return (status, seconds) => {
      if (done) return;
      done = true;
      this.inFlightCount--;
      this.requests.inc({ method, route, status: String(status) });
      this.duration.observe({ method, route }, seconds);
    };
  }

  render(): Promise<string> {
    return this.registry.render();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
