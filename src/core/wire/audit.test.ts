import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChain, testKeys } from '../audit/testing.ts';
import { verifyChain } from '../audit/verify-chain.ts';
import { AuditExportPage, FlowBatch, MAX_BATCH_RECORDS, MAX_INGEST_BODY } from './audit.ts';

const keys = testKeys();

describe('audit wire schemas', () => {
  it('an export page keeps every field the offline verification needs (records and checkpoints survive the schema)', () => {
    const chain = buildChain(keys.privateKeyPem, [4, 3], 2);
    const page = AuditExportPage.parse(JSON.parse(JSON.stringify({ records: chain.records, checkpoints: chain.checkpoints, next: null })));
    const v = verifyChain({ plantId: 'plant-a', records: page.records, checkpoints: page.checkpoints, head: null, publicKeyPem: keys.publicKeyPem, keepFrom: null });
    assert.equal(v.ok, true, JSON.stringify(v));
  });

  const record = { id: 'r1', tunnelIp: '100.64.0.10', destinationIp: '100.80.0.17', protocol: 'tcp', port: 502, connections: 1, bytesIn: 1, bytesOut: 2, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:01Z' };
  const rows: Array<[string, unknown, string | null]> = [
    ['a valid batch passes (session defaults to null)', { batchId: 'b1', records: [record] }, null],
    ['a bad tunnel address is named', { batchId: 'b1', records: [{ ...record, tunnelIp: '100.64.0' }] }, 'records.0.tunnelIp'],
    ['lastSeen before firstSeen is named', { batchId: 'b1', records: [{ ...record, lastSeen: '2025-12-31T00:00:00Z' }] }, 'records.0.lastSeen'],
    ['negative connections are refused', { batchId: 'b1', records: [{ ...record, connections: -1 }] }, 'records.0.connections'],
    ['negative bytes are refused', { batchId: 'b1', records: [{ ...record, bytesIn: -1 }] }, 'records.0.bytesIn'],
    ['an unknown field is refused', { batchId: 'b1', records: [{ ...record, extra: 1 }] }, 'records.0'],
    ['a batch id with a slash is refused', { batchId: 'a/b', records: [] }, 'batchId'],
    ['a time without zone is refused', { batchId: 'b1', records: [{ ...record, firstSeen: '2026-01-01T00:00:00' }] }, 'records.0.firstSeen'],
  ];
  it('the largest batch the schema accepts (10,000 records, every field at its longest) fits the ingest body limit', () => {
    const long = 'x'.repeat(128);
    const worst = {
      ...record,
      id: long,
      tunnelIp: '100.100.100.100',
      destinationIp: '100.100.100.100',
      protocol: 'x'.repeat(16),
      port: 65535,
      connections: Number.MAX_SAFE_INTEGER,
      bytesIn: Number.MAX_SAFE_INTEGER,
      bytesOut: Number.MAX_SAFE_INTEGER,
      firstSeen: '2026-01-01T00:00:00.000+00:00',
      lastSeen: '2026-01-01T00:00:01.000+00:00',
      session: long,
    };
    const batch = { batchId: long, records: Array.from({ length: MAX_BATCH_RECORDS }, () => worst), gaps: [] };
    assert.equal(FlowBatch.safeParse(batch).success, true);
    assert.ok(Buffer.byteLength(JSON.stringify(batch)) < MAX_INGEST_BODY);
  });

  for (const [name, input, field] of rows) {
    it(name, () => {
      const parsed = FlowBatch.safeParse(input);
      if (field === null) {
        assert.equal(parsed.success, true, JSON.stringify(parsed.error?.issues));
        assert.equal(parsed.data?.records[0]?.session, null);
      } else {
        assert.equal(parsed.success, false);
        assert.equal(parsed.error?.issues[0]?.path.join('.'), field);
      }
    });
  }
});
