import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowBatch } from './audit.ts';
import { fastFlowBatch } from './audit-fast.ts';

const record = {
  id: 'gw:1764000000000:1',
  tunnelIp: '100.64.0.10',
  destinationIp: '100.80.0.17',
  protocol: 'tcp',
  port: 502,
  connections: 1,
  bytesIn: 1,
  bytesOut: 2,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:01:00.000Z',
  session: null,
};
const batch = (records: unknown[], extra: Record<string, unknown> = {}) => ({ batchId: 'b1', records, ...extra });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

// [case, input, does the fast path vouch for it]. Every row also runs through FlowBatch: the fast path must never accept what the schema refuses.
const rows: Array<[string, unknown, boolean]> = [
  ['a gateway batch (canonical instants, no gaps) takes the fast path', batch([record, { ...record, id: 'r2', port: null, session: 's-1' }]), true],
  ['an empty batch takes the fast path', batch([]), true],
  ['a missing session defaults to null on the fast path too', batch([{ ...record, session: undefined }]), true],
  ['an empty gaps list takes the fast path', batch([record], { gaps: [] }), true],
  ['gaps go to the schema', batch([record], { gaps: [{ id: 'g1', from: record.firstSeen, to: record.lastSeen, reason: 'lost' }] }), false],
  ['an instant with an offset goes to the schema', batch([{ ...record, firstSeen: '2026-01-01T00:00:00+00:00' }]), false],
  ['an instant without milliseconds goes to the schema', batch([{ ...record, firstSeen: '2026-01-01T00:00:00Z' }]), false],
  ['30 February is refused', batch([{ ...record, firstSeen: '2026-02-30T00:00:00.000Z' }]), false],
  ['hour 24 is refused', batch([{ ...record, lastSeen: '2026-01-01T24:00:00.000Z' }]), false],
  ['lastSeen before firstSeen is refused', batch([{ ...record, lastSeen: '2025-12-31T23:59:59.999Z' }]), false],
  ['an unknown record field is refused', batch([{ ...record, extra: 1 }]), false],
  ['an unknown batch field is refused', batch([record], { extra: 1 }), false],
  ['a bad tunnel address is refused', batch([{ ...record, tunnelIp: '100.64.0' }]), false],
  ['an octal-looking destination is refused', batch([{ ...record, destinationIp: '100.080.0.17' }]), false],
  ['a port above 65535 is refused', batch([{ ...record, port: 65536 }]), false],
  ['a fractional port is refused', batch([{ ...record, port: 1.5 }]), false],
  ['zero connections (more bytes of a connection counted before) are accepted', batch([{ ...record, connections: 0 }]), true],
  ['negative connections are refused', batch([{ ...record, connections: -1 }]), false],
  ['negative bytes are refused', batch([{ ...record, bytesOut: -1 }]), false],
  ['bytes past 2^53 are refused', batch([{ ...record, bytesIn: 2 ** 53 }]), false],
  ['bytes as a string are refused', batch([{ ...record, bytesIn: '5' }]), false],
  ['an upper-case protocol is refused', batch([{ ...record, protocol: 'TCP' }]), false],
  ['a record id with a slash is refused', batch([{ ...record, id: 'a/b' }]), false],
  ['a record id of 129 characters is refused', batch([{ ...record, id: 'x'.repeat(129) }]), false],
  ['a session with a space is refused', batch([{ ...record, session: 'a b' }]), false],
  ['a missing field is refused', batch([{ ...record, bytesIn: undefined }]), false],
  ['a record that is an array is refused', batch([[1]]), false],
  ['a batch id with a slash is refused', { batchId: 'a/b', records: [] }, false],
  ['records that are not a list are refused', { batchId: 'b1', records: {} }, false],
  ['a __proto__ key is refused', JSON.parse(`{"batchId":"b1","records":[],"__proto__":{"x":1}}`), false],
];

describe('B6 fast path of the flow batch (never more lenient than FlowBatch)', () => {
  for (const [name, input, vouched] of rows) {
    it(name, () => {
      const viaSchema = FlowBatch.safeParse(clone(input));
      const fast = fastFlowBatch(clone(input));
      assert.equal(fast !== null, vouched, 'fast path decision');
      if (fast !== null) {
        assert.ok(viaSchema.success, `the fast path accepted what the schema refuses: ${JSON.stringify(viaSchema.error?.issues)}`);
        assert.deepEqual(fast, viaSchema.data);
      }
    });
  }

  it('a random mutation of a valid record is never accepted by the fast path alone', () => {
    const values: unknown[] = [null, -1, 0, 1, 65536, 2 ** 53, 1.5, '', 'x', '100.64.0.1', 'tcp', '2026-01-01T00:00:00.000Z', '2026-13-01T00:00:00.000Z', [], {}, true];
    const keys = [...Object.keys(record), 'other'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const r: Record<string, unknown> = { ...record };
      r[keys[next(keys.length)] as string] = values[next(values.length)];
      const input = batch([r]);
      const fast = fastFlowBatch(clone(input));
      const viaSchema = FlowBatch.safeParse(clone(input));
      if (fast !== null) assert.ok(viaSchema.success, `the fast path alone accepted ${JSON.stringify(r)}`);
      if (fast !== null && viaSchema.success) assert.deepEqual(fast, viaSchema.data);
    }
  });
});
