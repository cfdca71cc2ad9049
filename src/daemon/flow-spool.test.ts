import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FlowBatch, FlowBatchAck } from '../core/wire/audit.ts';
import { ControlPlaneError } from './control-plane.ts';
import { memoryLogger } from './log.ts';
import { DirectorySpoolFiles, FlowSpool, MemorySpoolFiles, type SpoolFiles } from './flow-spool.ts';

const record = (id: string, minute = 0): FlowBatch['records'][number] => ({
  id,
  tunnelIp: '100.64.0.2',
  destinationIp: '100.80.1.17',
  protocol: 'tcp',
  port: 80,
  connections: 1,
  bytesIn: 10,
  bytesOut: 5,
  firstSeen: `2026-11-30T10:${String(minute).padStart(2, '0')}:00.000Z`,
  lastSeen: `2026-11-30T10:${String(minute).padStart(2, '0')}:10.000Z`,
  session: null,
});

/** A control plane that stores like the real ingest: idempotent by batch id and record id. */
class FakeIngest {
  reachable = true;
  refuse: string | null = null;
  readonly batches = new Map<string, FlowBatchAck>();
  readonly records = new Set<string>();
  readonly gaps: FlowBatch['gaps'] = [];
  upload = async (batch: FlowBatch): Promise<FlowBatchAck> => {
    if (!this.reachable) throw new ControlPlaneError(0, 'cannot reach the control plane');
    if (batch.records.some((r) => r.id === this.refuse)) throw new ControlPlaneError(400, 'records[0].port: must be a port');
    const seen = this.batches.get(batch.batchId);
    if (seen) return { ...seen, duplicate: true };
    const fresh = batch.records.filter((r) => !this.records.has(r.id));
    for (const r of fresh) this.records.add(r.id);
    this.gaps.push(...batch.gaps);
    const ack = { batchId: batch.batchId, duplicate: false, stored: fresh.length, alreadyStored: batch.records.length - fresh.length, unattributed: 0, gaps: batch.gaps.length };
    this.batches.set(batch.batchId, ack);
    return ack;
  };
}

function spool(files: SpoolFiles, ingest: FakeIngest, maxBatches = 100, start = 1000): FlowSpool {
  let t = start;
  return new FlowSpool({ daemonId: 'gw1', files, upload: ingest.upload, now: () => t++, random: () => 0, log: memoryLogger(), maxBatches });
}

describe('FlowSpool (SPEC A5: no silent loss)', () => {
  it('keeps batches on disk while the control plane is unreachable and delivers each exactly once when it is back', async () => {
    const files = new MemorySpoolFiles();
    const ingest = new FakeIngest();
    const s = spool(files, ingest);
    ingest.reachable = false;
    await s.add([record('r1')], []);
    await s.add([record('r2')], [{ id: 'g1', from: '2026-11-30T10:00:00Z', to: '2026-11-30T10:00:01Z', reason: 'conntrack events lost' }]);
    await s.drain();
    assert.equal(files.files.size, 2, 'nothing deleted without an acknowledgement');
    ingest.reachable = true;
    await s.drain();
    await s.stop();
    assert.equal(files.files.size, 0, 'deleted after the acknowledgement');
    assert.deepEqual([...ingest.records], ['r1', 'r2']);
    assert.deepEqual(ingest.gaps.map((g) => g.id), ['g1']);
  });

  it('survives a restart: a new spool over the same directory delivers what the old one had written, nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-spool-'));
    try {
      const ingest = new FakeIngest();
      ingest.reachable = false;
      const before = spool(new DirectorySpoolFiles(dir), ingest);
      await before.add([record('r1'), record('r2')], []);
      await before.add([record('r3')], []);
      await before.stop(); // the gateway is killed here
      ingest.reachable = true;
      const after = spool(new DirectorySpoolFiles(dir), ingest, 100, 5000);
      await after.drain();
      await after.stop();
      assert.deepEqual([...ingest.records].sort(), ['r1', 'r2', 'r3']);
      assert.deepEqual(readdirSync(dir), [], 'every batch file removed after its acknowledgement');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an acknowledgement lost on the way (upload stored, answer never arrived) is retried without a duplicate', async () => {
    const files = new MemorySpoolFiles();
    const ingest = new FakeIngest();
    let lose = true;
    const s = new FlowSpool({
      daemonId: 'gw1',
      files,
      upload: async (batch) => {
        const ack = await ingest.upload(batch);
        if (lose) {
          lose = false;
          throw new ControlPlaneError(0, 'connection reset');
        }
        return ack;
      },
      now: () => 1,
      random: () => 0,
      log: memoryLogger(),
    });
    await s.add([record('r1')], []);
    await s.drain();
    await s.drain();
    await s.stop();
    assert.equal(files.files.size, 0);
    assert.equal(ingest.records.size, 1);
    assert.equal([...ingest.batches.values()].length, 1);
  });

  it('is bounded: past the bound the oldest batches are dropped and the loss is delivered as a gap', async () => {
    const files = new MemorySpoolFiles();
    const ingest = new FakeIngest();
    ingest.reachable = false;
    const s = spool(files, ingest, 3);
    for (let i = 0; i < 5; i++) await s.add([record(`r${i}`, i)], []);
    assert.ok(files.files.size <= 3, `at most 3 files, got ${files.files.size}`);
    ingest.reachable = true;
    await s.drain();
    await s.stop();
    const delivered = [...ingest.records];
    const overflow = ingest.gaps.filter((g) => /spool full/.test(g.reason));
    assert.ok(overflow.length >= 1, 'the overflow is recorded as a gap');
    assert.ok(delivered.includes('r4'), 'the newest records are kept');
    const dropped = 5 - delivered.length;
    assert.equal(overflow.reduce((sum, g) => sum + Number(/: (\d+) flow records/.exec(g.reason)?.[1]), 0), dropped, 'every dropped record is counted in a gap');
  });

  it('a batch the control plane refuses for good (400) is set aside and does not block the others', async () => {
    const files = new MemorySpoolFiles();
    const ingest = new FakeIngest();
    ingest.refuse = 'bad';
    const s = spool(files, ingest);
    await s.add([record('bad')], []);
    await s.add([record('good')], []);
    await s.drain();
    await s.stop();
    assert.deepEqual([...ingest.records], ['good']);
    assert.equal(files.rejected.length, 1);
  });
});

describe('DirectorySpoolFiles', () => {
  it('a temporary file left by a crash in the middle of a write is no batch and is removed at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-spool-'));
    try {
      writeFileSync(join(dir, '.gw1.000000000000000001.000000.json.tmp'), '{"batchId":');
      const files = new DirectorySpoolFiles(dir);
      assert.deepEqual(await files.list(), []);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
