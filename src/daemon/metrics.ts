/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and
 * histograms with labels, plus collectors run at scrape time (for values such as the
 * sync lag that depend on "now"). No dependency: the daemons need a dozen series.
 */
export type Labels = Record<string, string>;

type Series = { labels: Labels; value: number };
type HistogramSeries = { labels: Labels; buckets: number[]; sum: number; count: number };

export class MetricsRegistry {
  private readonly families = new Map<string, { help: string; type: 'counter' | 'gauge' | 'histogram'; buckets?: number[] }>();
  private readonly series = new Map<string, Map<string, Series>>();
  private readonly histograms = new Map<string, Map<string, HistogramSeries>>();
  private readonly collectors: Array<() => void> = [];

  counter(name: string, help: string) {
    this.define(name, help, 'counter');
    return { inc: (labels: Labels = {}, by = 1) => this.add(name, labels, by) };
  }

  gauge(name: string, help: string) {
    this.define(name, help, 'gauge');
    return {
      set: (labels: Labels, value: number) => this.put(name, labels, value),
      /** Drops every series of this gauge (before re-setting the ones that still exist). */
      reset: () => this.series.get(name)?.clear(),
    };
  }

  histogram(name: string, help: string, buckets: number[]) {
    this.define(name, help, 'histogram', [...buckets].sort((a, b) => a - b));
    return { observe: (labels: Labels, value: number) => this.observe(name, labels, value) };
  }

  /** Runs before every render. */
  onCollect(collector: () => void): void {
    this.collectors.push(collector);
  }

  /** The value of one series (tests). */
  value(name: string, labels: Labels = {}): number | undefined {
    return this.series.get(name)?.get(labelKey(labels))?.value ?? this.histograms.get(name)?.get(labelKey(labels))?.count;
  }

  render(): string {
    for (const collector of this.collectors) collector();
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.type === 'histogram') {
        for (const series of this.histograms.get(name)?.values() ?? []) {
          family.buckets?.forEach((bound, index) => {
            lines.push(`${name}_bucket${formatLabels({ ...series.labels, le: String(bound) })} ${series.buckets[index]}`);
          });
          lines.push(`${name}_bucket${formatLabels({ ...series.labels, le: '+Inf' })} ${series.count}`);
          lines.push(`${name}_sum${formatLabels(series.labels)} ${series.sum}`);
          lines.push(`${name}_count${formatLabels(series.labels)} ${series.count}`);
        }
      } else {
        for (const series of this.series.get(name)?.values() ?? []) lines.push(`${name}${formatLabels(series.labels)} ${series.value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private define(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', buckets?: number[]) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    this.families.set(name, { help, type, buckets });
    if (type === 'histogram') this.histograms.set(name, new Map());
    else this.series.set(name, new Map());
  }

  private add(name: string, labels: Labels, by: number) {
    const map = this.series.get(name);
    const key = labelKey(labels);
    const current = map?.get(key);
    if (current) current.value += by;
    else map?.set(key, { labels, value: by });
  }

  private put(name: string, labels: Labels, value: number) {
    this.series.get(name)?.set(labelKey(labels), { labels, value });
  }

  private observe(name: string, labels: Labels, value: number) {
    const bounds = this.families.get(name)?.buckets ?? [];
    const map = this.histograms.get(name);
    const key = labelKey(labels);
    let series = map?.get(key);
    if (!series) {
      series = { labels, buckets: bounds.map(() => 0), sum: 0, count: 0 };
      map?.set(key, series);
    }
    bounds.forEach((bound, index) => {
      if (value <= bound && series) series.buckets[index]++;
    });
    series.sum += value;
    series.count++;
  }
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escaped = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${entries.map(([key, value]) => `${key}="${escaped(value)}"`).join(',')}}`;
}
