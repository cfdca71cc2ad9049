import { MetricsRegistry } from '../../daemon/metrics.ts';

/**
 * The control plane's /metrics (prom-client, the same registry interface the daemons
 * use): Node's process metrics, HTTP requests by route pattern and status, their
 * latency, requests in flight, and the daemons waiting in a long-poll right now.
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Long-poll routes: a request there with `after=` waits for the next revision. */
const LONG_POLL_ROUTES: Record<string, 'gateway' | 'agent'> = {
  '/api/v1/gateways/:id/state': 'gateway',
  '/api/v1/agents/:id/state': 'agent',
};

export class ServerMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.counter('plantgate_http_requests_total', 'HTTP requests by method, route pattern and status', ['method', 'route', 'status']);
  private readonly duration = this.registry.histogram('plantgate_http_request_duration_seconds', 'HTTP request latency by method and route pattern (long-polls include their wait)', LATENCY_BUCKETS, ['method', 'route']);
  private readonly inFlight = this.registry.gauge('plantgate_http_requests_in_flight', 'HTTP requests being answered now', []);
  private readonly waiters = this.registry.gauge('plantgate_longpoll_waiters', 'Daemons waiting in a long-poll for the next revision, by kind', ['kind']);
  private readonly revision = this.registry.gauge('plantgate_state_revision', 'The state revision this replica has loaded', []);
  private readonly queries = this.registry.gauge('plantgate_db_queries_total', 'Database queries run by this control-plane process (flat while no fleet change happens)', []);
  private readonly stateWaiting = this.registry.gauge('plantgate_state_waiting', 'Long-polls of daemons waiting inside the fleet state for a change, by kind', ['kind']);
  private inFlightCount = 0;
  private readonly waiting = { gateway: 0, agent: 0 };

  constructor(options: { processMetrics: boolean; revision?: () => number; queries?: () => number; stateWaiting?: () => { gateway: number; agent: number } }) {
    if (options.processMetrics) this.registry.collectProcessMetrics();
    this.registry.onCollect(() => {
      this.inFlight.set({}, this.inFlightCount);
      for (const kind of ['gateway', 'agent'] as const) this.waiters.set({ kind }, this.waiting[kind]);
      if (options.revision) this.revision.set({}, options.revision());
      if (options.queries) this.queries.set({}, options.queries());
      if (options.stateWaiting) {
        const waiting = options.stateWaiting();
        for (const kind of ['gateway', 'agent'] as const) this.stateWaiting.set({ kind }, waiting[kind]);
      }
    });
  }

  /** Marks a request started; call the returned function once with its status when it is done. */
  started(method: string, route: string, url: URL): (status: number, seconds: number) => void {
    const longPoll = url.searchParams.has('after') ? LONG_POLL_ROUTES[route] : undefined;
    this.inFlightCount++;
    if (longPoll) this.waiting[longPoll]++;
    let done = false;
    return (status, seconds) => {
      if (done) return;
      done = true;
      this.inFlightCount--;
      if (longPoll) this.waiting[longPoll]--;
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
