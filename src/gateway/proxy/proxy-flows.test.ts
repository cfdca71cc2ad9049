import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowRecordIn } from '../../core/wire/audit.ts';
import { type ProxiedRequest, ProxyFlows } from './proxy-flows.ts';

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
