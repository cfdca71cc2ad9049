import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CANONICAL_VERSION, canonicalFlow } from './canonical.ts';
import { EMPTY_HEAD, appendDrafts, appendToChain, chainDrafts } from './chain.ts';
import type { StoredFlow } from './flow.ts';

const base: StoredFlow = {
  plantId: 'plant-1', seq: 7, recordId: 'gw:1764000000000:3', gatewayId: 'gw', segment: 20_400, ingestedAt: '2025-11-07T10:00:00.000Z',
  userId: 'u1', userEmail: 'ulla@example.test', tunnelIp: '100.64.0.2', orgId: 'org', plantName: 'Park A', subnetId: 's1', subnetCidr: '10.0.0.0/24',
  subnetMapped: '172.16.0.0/24', destinationIp: '172.16.0.17', deviceIp: '10.0.0.17', deviceName: 'plc', protocol: 'tcp', port: 502, connections: 2,
  bytesIn: 1000, bytesOut: 200, firstSeen: '2025-11-07T09:59:00.000Z', lastSeen: '2025-11-07T09:59:30.000Z', session: 's-1',
};

const cases: Array<{ name: string; record: StoredFlow }> = [
  { name: 'every field set', record: base },
  { name: 'nulls (unknown user, no device name, no port, no session)', record: { ...base, userId: null, userEmail: null, deviceName: null, port: null, session: null } },
  { name: 'text that JSON escapes (quotes, backslash, newline, non-ASCII)', record: { ...base, plantName: 'Park "Süd"\\\n', deviceName: 'WR ☀ 1', recordId: 'a"b' } },
  { name: 'byte counts beyond 32 bits', record: { ...base, bytesIn: 2 ** 40 + 1, bytesOut: 2 ** 52, connections: 0 } },
  { name: 'plant id that JSON escapes', record: { ...base, plantId: 'p"\\1' } },
];

describe('canonicalFlow (the bytes the chain hash covers; a change breaks every stored chain)', () => {
  for (const { name, record } of cases) {
    it(`is the JSON array of the version and every field in fixed order: ${name}`, () => {
      const r = record;
      const expected = JSON.stringify([
        CANONICAL_VERSION, r.plantId, r.seq, r.recordId, r.gatewayId, r.segment, r.ingestedAt, r.userId, r.userEmail, r.tunnelIp, r.orgId, r.plantName,
        r.subnetId, r.subnetCidr, r.subnetMapped, r.destinationIp, r.deviceIp, r.deviceName, r.protocol, r.port, r.connections, r.bytesIn, r.bytesOut,
        r.firstSeen, r.lastSeen, r.session,
      ]);
      assert.equal(canonicalFlow(r), expected);
    });
  }
});

describe('appendDrafts (the ingest: canonical bytes made before the chain head is locked)', () => {
  const heads = [{ name: 'an empty chain', head: EMPTY_HEAD }, { name: 'a chain at seq 41', head: { seq: 41, hash: 'ab'.repeat(32), segment: 20_399 } }];
  for (const { name, head } of heads) {
    it(`gives exactly appendToChain's seqs, hashes and head on ${name}`, () => {
      const records = cases.map(({ record }, k) => {
        const { seq: _seq, ...rest } = record;
        return { ...rest, recordId: `${rest.recordId}#${k}` };
      });
      const slow = appendToChain(head, records.map(({ gatewayId: _g, segment: _s, ingestedAt: _i, ...r }) => r), { gatewayId: 'gw', segment: 20_400, ingestedAt: base.ingestedAt });
      const drafts = chainDrafts(records);
      const fast = appendDrafts(head, drafts);
      assert.deepEqual(fast, slow.head);
      assert.deepEqual(drafts.map((d) => d.record), slow.records);
    });
  }
  it('a changed field changes the hash of its record and of every later one', () => {
    const records = [0, 1, 2].map((k) => {
      const { seq: _seq, ...rest } = base;
      return { ...rest, recordId: `r${k}` };
    });
    const a = chainDrafts(records);
    appendDrafts(EMPTY_HEAD, a);
    const b = chainDrafts(records.map((r, k) => (k === 1 ? { ...r, bytesIn: r.bytesIn + 1 } : r)));
    appendDrafts(EMPTY_HEAD, b);
    assert.equal(a[0]?.record.hash, b[0]?.record.hash);
    assert.notEqual(a[1]?.record.hash, b[1]?.record.hash);
    assert.notEqual(a[2]?.record.hash, b[2]?.record.hash);
  });
});
