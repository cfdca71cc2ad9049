import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalFlow } from './canonical.ts';
import { chainHash } from './chain.ts';
import type { StoredFlow } from './flow.ts';
import { flow } from './testing.ts';

const record: StoredFlow = { ...flow(1, 20_000), seq: 1 };
const detail = [
  { method: 'GET', path: '/index.html', status: 200, requests: 2, bytesIn: 30, bytesOut: 3 },
  { method: '*', path: '*', status: 0, requests: 7, bytesIn: 70, bytesOut: 7 },
];

describe('canonical form of a flow record (SPEC A3)', () => {
  it('A3: a record without HTTP detail keeps its pgaf1 bytes exactly (existing chains verify unchanged)', () => {
    assert.equal(
      canonicalFlow(record),
      '["pgaf1","plant-a",1,"r1","gw-1",20000,"2024-10-04T00:00:01.000Z","u-alice","alice@solarco.example","100.64.0.10","org-solarco","Park A","sub-1","192.168.1.0/24","100.80.0.0/24","100.80.0.17","192.168.1.17","inverter-17","tcp",502,2,1001,201,"2024-10-04T00:00:00.500Z","2024-10-04T00:00:01.000Z",null]',
    );
  });

  it('issue 12: a record with detail is pgaf2 — the same fields, then each entry as [method, path, status, requests, bytesIn, bytesOut]', () => {
    const text = canonicalFlow({ ...record, http: detail });
    const parsed = JSON.parse(text) as unknown[];
    assert.equal(parsed[0], 'pgaf2');
    assert.deepEqual(parsed.slice(1, -1), (JSON.parse(canonicalFlow(record)) as unknown[]).slice(1));
    assert.deepEqual(parsed.at(-1), [
      ['GET', '/index.html', 200, 2, 30, 3],
      ['*', '*', 0, 7, 70, 7],
    ]);
  });

  const edits: Array<{ name: string; http: StoredFlow['http'] }> = [
    { name: 'a path edited', http: [{ ...detail[0], path: '/admin' } as never, detail[1] as never] },
    { name: 'a status edited', http: [{ ...detail[0], status: 404 } as never, detail[1] as never] },
    { name: 'a count edited', http: [{ ...detail[0], requests: 1 } as never, detail[1] as never] },
    { name: 'an entry removed', http: [detail[0] as never] },
    { name: 'entries reordered', http: [detail[1] as never, detail[0] as never] },
    { name: 'the detail removed', http: undefined },
  ];
  for (const e of edits) {
    it(`A3: ${e.name} changes the record's chain hash`, () => {
      assert.notEqual(chainHash('0'.repeat(64), { ...record, http: e.http }), chainHash('0'.repeat(64), { ...record, http: detail }));
    });
  }
});

describe('canonicalFlow is JSON.stringify of the field array, whatever the fields hold', () => {
  /** The definition: every stored field in the fixed order, as one JSON array. */
  const reference = (r: StoredFlow) =>
    JSON.stringify([
      r.http === undefined ? 'pgaf1' : 'pgaf2',
      r.plantId, r.seq, r.recordId, r.gatewayId, r.segment, r.ingestedAt, r.userId, r.userEmail, r.tunnelIp, r.orgId, r.plantName, r.subnetId, r.subnetCidr, r.subnetMapped,
      r.destinationIp, r.deviceIp, r.deviceName, r.protocol, r.port, r.connections, r.bytesIn, r.bytesOut, r.firstSeen, r.lastSeen, r.session,
      ...(r.http === undefined ? [] : [r.http.map((e) => [e.method, e.path, e.status, e.requests, e.bytesIn, e.bytesOut])]),
    ]);
  const cases: Array<{ name: string; change: Partial<StoredFlow> }> = [
    { name: 'a plain record', change: {} },
    { name: 'nulls where fields may be null', change: { userId: null, userEmail: null, deviceName: null, port: null, session: null } },
    { name: 'quotes, backslashes and control characters in names', change: { plantName: 'Park "A" \\ east\n\t\u0001', deviceName: 'inv\u2028erter' } },
    { name: 'non-ASCII and astral characters', change: { plantName: 'Windpark Süd 🌬', userEmail: 'jürgen@example.test' } },
    { name: 'a field missing (as JSON.stringify writes undefined in an array: null)', change: { deviceName: undefined as never, session: undefined as never } },
    { name: 'large counters and seq', change: { seq: 2 ** 40, connections: Number.MAX_SAFE_INTEGER, bytesIn: 0, bytesOut: 10 ** 15 } },
    { name: 'HTTP detail (pgaf2)', change: { http: detail } },
    { name: 'HTTP detail with odd paths', change: { http: [{ method: 'GET', path: '/a%22b\\"c', status: 101, requests: 1, bytesIn: 0, bytesOut: 0 }] } },
  ];
  for (const { name, change } of cases) {
    it(name, () => {
      const r = { ...record, ...change };
      assert.equal(canonicalFlow(r), reference(r));
    });
  }
});
