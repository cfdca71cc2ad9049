import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from './metrics.ts';

describe('MetricsRegistry (prom-client)', () => {
  it('renders counters, gauges and cumulative histogram buckets in Prometheus text format', async () => {
    const registry = new MetricsRegistry();
    const errors = registry.counter('pg_errors_total', 'errors');
    const revision = registry.gauge('pg_revision', 'revision');
    const duration = registry.histogram('pg_apply_seconds', 'apply', [1, 0.1]);
    errors.inc({ kind: 'poll' });
    errors.inc({ kind: 'poll' }, 2);
    revision.set({}, 7);
    duration.observe({ reason: 'update' }, 0.05);
    duration.observe({ reason: 'update' }, 0.5);
    duration.observe({ reason: 'update' }, 5);
    const text = await registry.render();
    assert.match(text, /^# TYPE pg_errors_total counter$/m);
    assert.match(text, /^pg_errors_total\{kind="poll"\} 3$/m);
    assert.match(text, /^pg_revision 7$/m);
    assert.match(text, /^pg_apply_seconds_bucket\{le="0.1",reason="update"\} 1$/m);
    assert.match(text, /^pg_apply_seconds_bucket\{le="1",reason="update"\} 2$/m);
    assert.match(text, /^pg_apply_seconds_bucket\{le="\+Inf",reason="update"\} 3$/m);
    assert.match(text, /^pg_apply_seconds_count\{reason="update"\} 3$/m);
    assert.equal(await registry.value('pg_errors_total', { kind: 'poll' }), 3);
    assert.equal(await registry.value('pg_apply_seconds', { reason: 'update' }), 3);
  });

  it('runs collectors at render time and escapes label values', async () => {
    const registry = new MetricsRegistry();
    const lag = registry.gauge('pg_lag', 'lag');
    let now = 1;
    registry.onCollect(() => lag.set({ name: 'a"b' }, now));
    now = 42;
    assert.match(await registry.render(), /^pg_lag\{name="a\\"b"\} 42$/m);
  });

  it('a gauge reset drops the series of things that are gone (a removed gateway)', async () => {
    const registry = new MetricsRegistry();
    const age = registry.gauge('pg_age', 'age');
    age.set({ gateway: 'gw1' }, 1);
    age.set({ gateway: 'gw2' }, 2);
    age.reset();
    age.set({ gateway: 'gw2' }, 3);
    const text = await registry.render();
    assert.doesNotMatch(text, /gw1/);
    assert.match(text, /^pg_age\{gateway="gw2"\} 3$/m);
  });

  it('a series family used with other label names is a bug: it throws', () => {
    const registry = new MetricsRegistry();
    const errors = registry.counter('pg_errors_total', 'errors', ['kind']);
    assert.throws(() => errors.inc({ reason: 'x' }), /label/);
  });

  it('process metrics (prom-client defaults) are there when asked for', async () => {
    const registry = new MetricsRegistry();
    registry.collectProcessMetrics();
    const text = await registry.render();
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  });
});
