import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/**
 * The daemons' metrics registry: a small interface (counter / gauge / histogram with
 * labels, collectors run at scrape time for values that depend on "now") over
 * `prom-client`, the same library the control plane's /metrics uses.
 *
 * The label names of a series family are taken from its first use unless given: the
 * call sites pass labels as objects and each family always uses the same keys; a call
 * with other keys throws (a bug, like in prom-client itself).
 */
export type Labels = Record<string, string>;

export class MetricsRegistry {
  /** The prom-client registry (the HTTP server serves it; default metrics go here too). */
  readonly prom = new Registry();
  private readonly collectors: Array<() => void> = [];

  counter(name: string, help: string, labelNames?: string[]) {
    const family = this.family(name, labelNames, (names) => new Counter({ name, help, labelNames: names, registers: [this.prom] }));
    return { inc: (labels: Labels = {}, by = 1) => family(labels).inc(labels, by) };
  }

  gauge(name: string, help: string, labelNames?: string[]) {
    const family = this.family(name, labelNames, (names) => new Gauge({ name, help, labelNames: names, registers: [this.prom] }));
    return {
      set: (labels: Labels, value: number) => family(labels).set(labels, value),
      /** Drops every series of this gauge (before re-setting the ones that still exist). */
      reset: () => family.created()?.reset(),
    };
  }

  histogram(name: string, help: string, buckets: number[], labelNames?: string[]) {
    const sorted = [...buckets].sort((a, b) => a - b);
    const family = this.family(name, labelNames, (names) => new Histogram({ name, help, labelNames: names, buckets: sorted, registers: [this.prom] }));
    return { observe: (labels: Labels, value: number) => family(labels).observe(labels, value) };
  }

  /** Runs before every render. */
  onCollect(collector: () => void): void {
    this.collectors.push(collector);
  }

  /** Node's process metrics (CPU, memory, event loop lag, handles): only in a real daemon process. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.prom });
  }

  /** The value of one series (a histogram: its count); for tests. */
  async value(name: string, labels: Labels = {}): Promise<number | undefined> {
    const metric = this.prom.getSingleMetric(name);
    if (!metric) return undefined;
    const { type, values } = await metric.get();
    const wanted = String(type) === 'histogram' ? `${name}_count` : name;
    const key = labelKey(labels);
    // histogram values carry their own series name (…_bucket, …_sum, …_count)
    const series = values as Array<{ value: number; labels: object; metricName?: string }>;
    return series.find((v) => (v.metricName ?? name) === wanted && labelKey(v.labels as Labels) === key)?.value;
  }

  /** Prometheus text exposition format. */
  async render(): Promise<string> {
    for (const collector of this.collectors) collector();
    return this.prom.metrics();
  }

  get contentType(): string {
    return this.prom.contentType;
  }

  private family<M extends Metric>(name: string, labelNames: string[] | undefined, create: (labelNames: string[]) => M) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    let metric: M | null = labelNames ? create(labelNames) : null;
    const get = (labels: Labels): M => {
      metric ??= create(Object.keys(labels).sort());
      return metric;
    };
    return Object.assign(get, { created: () => metric });
  }
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}
