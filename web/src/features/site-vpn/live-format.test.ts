import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatRate, formatSince, liveState } from './live-format.ts';

test('D7 card: the state shown is the agent report, disabled wins, no report is unknown', () => {
  const live = (state: 'connected' | 'down') => ({ state, since: null, bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0, reportedAt: null });
  const rows: Array<[string, Parameters<typeof liveState>[0], string]> = [
    ['reported connected', { enabled: true, live: live('connected') }, 'connected'],
    ['reported down', { enabled: true, live: live('down') }, 'down'],
    ['disabled although last reported connected', { enabled: false, live: live('connected') }, 'disabled'],
    ['a server without the live field (older server)', { enabled: true }, 'unknown'],
  ];
  for (const [name, vpn, expected] of rows) assert.equal(liveState(vpn), expected, name);
});

test('D7 card: traffic in binary units, rates per second, durations since a state change', () => {
  const bytes: Array<[number, string]> = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
    [3.25 * 1024 ** 3, '3.3 GiB'],
    [-1, '—'],
  ];
  for (const [n, text] of bytes) assert.equal(formatBytes(n), text, String(n));
  assert.equal(formatRate(2048), '2.0 KiB/s');
  const now = Date.parse('2026-11-30T12:00:00Z');
  assert.equal(formatSince('2026-11-30T11:59:30Z', now), '30 s');
  assert.equal(formatSince('2026-11-30T11:57:00Z', now), '3 min');
  assert.equal(formatSince('2026-11-30T09:30:00Z', now), '2 h 30 min');
  assert.equal(formatSince('2026-11-27T12:00:00Z', now), '3 days');
  assert.equal(formatSince(null, now), null);
  assert.equal(formatSince('not a date', now), null);
});
