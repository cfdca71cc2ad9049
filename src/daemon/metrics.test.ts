import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from './metrics.ts';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and cumulative histogram buckets in Prometheus text format', () => {
    const registry = new MetricsRegistry();
    const errors = registry.counter('pg_errors_total', 'errors');
    const revision = registry.gauge('pg_revision', 'revision');
    const duration = registry.histogram('pg_apply_seconds', 'apply', [0.1, 1]);
    errors.inc({ kind: 'poll' });
    errors.inc({ kind: 'poll' }, 2);
    revision.set({}, 7);
    duration.observe({ reason: 'update' }, 0.05);
    duration.observe({ reason: 'update' }, 0.5);
    duration.observe({ reason: 'update' }, 5);
    const text = registry.render();
    assert.match(text, /^# TYPE pg_errors_total counter$/m);
    assert.match(text, /^pg_errors_total\{kind="poll"\} 3$/m);
    assert.match(text, /^pg_revision 7$/m);
    assert.match(text, /^pg_apply_seconds_bucket\{reason="update",le="0.1"\} 1$/m);
    assert.match(text, /^pg_apply_seconds_bucket\{reason="update",le="1"\} 2$/m);
    assert.match(text, /^pg_apply_seconds_bucket\{reason="update",le="\+Inf"\} 3$/m);
    assert.match(text, /^pg_apply_seconds_count\{reason="update"\} 3$/m);
  });

  it('runs collectors at render time and escapes label values', () => {
    const registry = new MetricsRegistry();
    const lag = registry.gauge('pg_lag', 'lag');
    let now = 1;
    registry.onCollect(() => lag.set({ name: 'a"b' }, now));
    now = 42;
    assert.match(registry.render(), /^pg_lag\{name="a\\"b"\} 42$/m);
  });
});
