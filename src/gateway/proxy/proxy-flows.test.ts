import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowRecordIn, MAX_HTTP_ENTRIES, MAX_HTTP_PATH } from '../../core/wire/audit.ts';
import { type ProxiedRequest, ProxyFlows, auditPath } from './proxy-flows.ts';

const request = (over: Partial<ProxiedRequest>): ProxiedRequest => ({
  sessionId: 's1',
  targetId: 't1',
  userEmail: 'a@b.c',
  mappedAddress: '100.80.0.10',
  port: 443,
  method: 'GET',
  path: '/',
  status: 200,
  bytesOut: 100,
  bytesIn: 1000,
  startedAt: Date.parse('2026-11-30T12:00:00Z'),
  endedAt: Date.parse('2026-11-30T12:00:01Z'),
  ...over,
});

test('A1 proxy flows: requests summed per session and device over a window, as valid flow records of the existing shape', () => {
  const flows = new ProxyFlows('px-test');
  flows.record(request({}));
  flows.record(request({ bytesIn: 50, endedAt: Date.parse('2026-11-30T12:00:05Z') }));
  flows.record(request({ sessionId: 's2' }));
  assert.deepEqual(flows.drain(null), [], 'no source address yet: kept');
  const records = flows.drain('100.64.0.9');
  assert.equal(records.length, 2);
  const s1 = records.find((r) => r.session === 'proxy:s1');
  assert.deepEqual(
    { connections: s1?.connections, bytesIn: s1?.bytesIn, bytesOut: s1?.bytesOut, firstSeen: s1?.firstSeen, lastSeen: s1?.lastSeen, tunnelIp: s1?.tunnelIp, port: s1?.port },
    { connections: 2, bytesIn: 1050, bytesOut: 200, firstSeen: '2026-11-30T12:00:00.000Z', lastSeen: '2026-11-30T12:00:05.000Z', tunnelIp: '100.64.0.9', port: 443 },
  );
  for (const record of records) assert.equal(FlowRecordIn.safeParse(record).success, true, JSON.stringify(record));
  assert.notEqual(records[0]?.id, records[1]?.id);
  assert.deepEqual(flows.drain('100.64.0.9'), [], 'the window starts empty');
});

test('A1 proxy flows (issue 12 item 4): each record lists its requests per method, path without query, and status', () => {
  const flows = new ProxyFlows('px-test');
  flows.record(request({ path: '/index.html?token=secret', bytesIn: 10, bytesOut: 1 }));
  flows.record(request({ path: '/index.html', bytesIn: 20, bytesOut: 2 }));
  flows.record(request({ method: 'POST', path: '/api/set', status: 401, bytesIn: 5, bytesOut: 50 }));
  flows.record(request({ sessionId: 's2', path: '/other' }));
  const records = flows.drain('100.64.0.9');
  const s1 = records.find((r) => r.session === 'proxy:s1');
  assert.deepEqual(s1?.http, [
    { method: 'GET', path: '/index.html', status: 200, requests: 2, bytesIn: 30, bytesOut: 3 },
    { method: 'POST', path: '/api/set', status: 401, requests: 1, bytesIn: 5, bytesOut: 50 },
  ]);
  assert.equal(s1?.connections, 3, 'the entries sum to the record');
  assert.deepEqual(records.find((r) => r.session === 'proxy:s2')?.http?.map((e) => e.path), ['/other']);
  for (const record of records) assert.equal(FlowRecordIn.safeParse(record).success, true, JSON.stringify(record));
});

test('A1 proxy flows: more distinct requests than fit keep the most requested and sum the rest into one * entry (bounded record)', () => {
  const flows = new ProxyFlows('px-test');
  for (let k = 0; k < 120; k++) flows.record(request({ path: `/page/${k}`, bytesIn: 1 }));
  for (let k = 0; k < 5; k++) flows.record(request({ path: '/busy', bytesIn: 1 }));
  const [record] = flows.drain('100.64.0.9');
  const http = record?.http ?? [];
  assert.equal(http.length, MAX_HTTP_ENTRIES);
  assert.deepEqual(http[0], { method: 'GET', path: '/busy', status: 200, requests: 5, bytesIn: 5, bytesOut: 500 });
  assert.deepEqual(http.at(-1), { method: '*', path: '*', status: 0, requests: 125 - 5 - (MAX_HTTP_ENTRIES - 2), bytesIn: 125 - 5 - (MAX_HTTP_ENTRIES - 2), bytesOut: 100 * (125 - 5 - (MAX_HTTP_ENTRIES - 2)) });
  assert.equal(http.reduce((n, e) => n + e.requests, 0), 125, 'no request lost');
  assert.equal(FlowRecordIn.safeParse(record).success, true);
});

test('A1 proxy flows: a path is cut to its stated length, control characters escaped, never a query', () => {
  assert.equal(auditPath(`/${'a'.repeat(400)}?q=1`).length, MAX_HTTP_PATH);
  assert.equal(auditPath('/a\u0001b#frag'), '/a%01b');
  assert.equal(auditPath('*'), '/');
  const flows = new ProxyFlows('px-test');
  flows.record(request({ path: `/${'x'.repeat(1000)}`, method: 'weird method' }));
  const [record] = flows.drain('100.64.0.9');
  assert.equal(FlowRecordIn.safeParse(record).success, true, JSON.stringify(record?.http));
  assert.equal(record?.http?.[0]?.method, '*');
});
