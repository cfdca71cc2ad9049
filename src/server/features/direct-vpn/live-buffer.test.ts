import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DirectVpnLiveBuffer, rateBetween } from './live-buffer.ts';

describe('D7 live buffer: the rate over the last two reports', () => {
  const cases: Array<[string, { bytes: number; at: string } | undefined, number, string, number]> = [
    ['first report: no rate yet', undefined, 1000, '2026-11-30T12:00:10Z', 0],
    ['1000 bytes in 10 s', { bytes: 0, at: '2026-11-30T12:00:00Z' }, 1000, '2026-11-30T12:00:10Z', 100],
    ['counters went back (tunnel restarted): 0, not negative', { bytes: 5000, at: '2026-11-30T12:00:00Z' }, 10, '2026-11-30T12:00:10Z', 0],
    ['no time passed', { bytes: 0, at: '2026-11-30T12:00:10Z' }, 10, '2026-11-30T12:00:10Z', 0],
  ];
  for (const [name, previous, bytes, at, rate] of cases) it(name, () => assert.equal(rateBetween(previous, bytes, at), rate));

  it('control characters an agent sends (terminal escapes) never reach a reader', () => {
    const buffer = new DirectVpnLiveBuffer();
    buffer.record([{ id: 'v', state: 'down', since: 's', bytesIn: 0, bytesOut: 0, logs: [{ at: 'x', text: 'evil \u001b[2J\u0007 line' }], checks: [{ check: 'c', ok: false, detail: 'd\u001b]0;t', fix: null }] }], '2026-11-30T12:00:00.000Z');
    const entry = buffer.latestOf('v');
    assert.equal(entry?.logs[0]?.text, 'evil  [2J  line');
    assert.doesNotMatch(JSON.stringify(entry), /\\u001b/);
  });

  it('record keeps the newest report per direct VPN with its rates, logs carried over when a report has none', () => {
    const buffer = new DirectVpnLiveBuffer();
    const base = { id: 'v', state: 'connected' as const, since: '2026-11-30T11:00:00Z', bytesOut: 0 };
    buffer.record([{ ...base, bytesIn: 0, logs: [{ at: 'x', text: 'started' }] }], '2026-11-30T12:00:00.000Z');
    buffer.record([{ ...base, bytesIn: 2000 }], '2026-11-30T12:00:10.000Z');
    const entry = buffer.latestOf('v');
    assert.equal(entry?.rateIn, 200);
    assert.equal(entry?.rateOut, 0);
    assert.deepEqual(entry?.logs, [{ at: 'x', text: 'started' }]);
  });
});
