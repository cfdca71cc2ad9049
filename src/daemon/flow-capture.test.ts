import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowBatch, FlowBatchAck } from '../core/wire/audit.ts';
import { ControlPlaneError } from './control-plane.ts';
import { memoryLogger } from './log.ts';
import { FakeConntrackSource } from '../os/conntrack/fake-conntrack-source.ts';
import { FlowAccounting } from './flow-accounting.ts';
import { FlowCapture } from './flow-capture.ts';
import { FlowSpool, MemorySpoolFiles } from './flow-spool.ts';

const T0 = Date.parse('2026-11-30T10:00:00Z');

function setup() {
  let now = T0;
  const clock = { now: () => now, sleep: async () => {} };
  const uploaded: FlowBatch[] = [];
  let reachable = true;
  const upload = async (batch: FlowBatch): Promise<FlowBatchAck> => {
    if (!reachable) throw new ControlPlaneError(0, 'unreachable');
    uploaded.push(batch);
    return { batchId: batch.batchId, duplicate: false, stored: batch.records.length, alreadyStored: 0, unattributed: 0, gaps: batch.gaps.length };
  };
  const source = new FakeConntrackSource();
  const accounting = new FlowAccounting({ daemonId: 'gw1' });
  accounting.setTunnelRange('100.64.0.0/16');
  const files = new MemorySpoolFiles();
  const spool = new FlowSpool({ daemonId: 'gw1', files, upload, now: clock.now, random: () => 0, log: memoryLogger() });
  const capture = new FlowCapture({ daemonId: 'gw1', source, accounting, spool, clock, log: memoryLogger(), intervalMs: 3_600_000 });
  return {
    source,
    spool,
    capture,
    files,
    uploaded,
    advance: (ms: number) => {
      now += ms;
    },
    setReachable: (value: boolean) => {
      reachable = value;
    },
  };
}

const flow = { protocol: 'tcp', src: '100.64.0.2', dst: '100.80.1.17', dport: 80, zone: 0 };

describe('FlowCapture (issue 10: the gateway reports user flows with their gaps)', () => {
  it("a user's two HTTP connections (still in TIME_WAIT) and a lost-events gap reach the control plane in one batch", async () => {
    const t = setup();
    await t.capture.start();
    for (const id of [1, 2]) {
      t.source.push({ ...flow, id, sport: 40000 + id, type: 'new', at: T0 + id, orig: null, reply: null });
      t.source.count(id, 300, 5000);
    }
    t.source.overflow({ from: T0 + 10, to: T0 + 20, reason: 'conntrack events lost: netlink socket buffer overrun (ENOBUFS)' });
    t.advance(60_000);
    await t.capture.report();
    await t.spool.drain();
    await t.capture.stop();
    assert.equal(t.uploaded.length, 1);
    const [batch] = t.uploaded;
    assert.deepEqual(
      batch.records.map((r) => [r.tunnelIp, r.destinationIp, r.protocol, r.port, r.connections, r.bytesOut, r.bytesIn]),
      [['100.64.0.2', '100.80.1.17', 'tcp', 80, 2, 600, 10_000]],
    );
    assert.deepEqual(batch.gaps.map((g) => [g.from, g.to]), [['2026-11-30T10:00:00.010Z', '2026-11-30T10:00:00.020Z']]);
  });

  it('stopping spools the last window; records wait in the spool while the control plane is unreachable', async () => {
    const t = setup();
    t.setReachable(false);
    await t.capture.start();
    t.source.push({ ...flow, id: 5, sport: 40005, type: 'new', at: T0, orig: null, reply: null });
    await t.capture.stop();
    assert.equal(t.uploaded.length, 0);
    assert.equal(t.files.files.size, 1, 'the window is on disk for the next run');
    assert.equal(t.source.started, false, 'conntrack stopped');
  });

  it('a connection open across a gateway restart is reported after it with only the bytes it moved since (open flows kept in the state dir)', async () => {
    let kept: unknown = null;
    const openFlows = {
      load: async () => kept,
      save: async (snapshot: unknown) => {
        kept = snapshot;
      },
    };
    const uploaded: FlowBatch[] = [];
    const upload = async (batch: FlowBatch): Promise<FlowBatchAck> => {
      uploaded.push(batch);
      return { batchId: batch.batchId, duplicate: false, stored: batch.records.length, alreadyStored: 0, unattributed: 0, gaps: 0 };
    };
    const source = new FakeConntrackSource(); // the kernel's table: it outlives the gateway
    const run = async (at: number, between: () => void) => {
      const clock = { now: () => at, sleep: async () => {} };
      const accounting = new FlowAccounting({ daemonId: 'gw1' });
      accounting.setTunnelRange('100.64.0.0/16');
      const spool = new FlowSpool({ daemonId: 'gw1', files: new MemorySpoolFiles(), upload, now: clock.now, random: () => 0, log: memoryLogger() });
      const capture = new FlowCapture({ daemonId: 'gw1', source, accounting, spool, clock, log: memoryLogger(), intervalMs: 3_600_000, openFlows });
      await capture.start();
      between();
      await capture.stop();
    };
    await run(T0, () => {
      source.push({ ...flow, id: 8, sport: 40008, type: 'new', at: T0, orig: null, reply: null });
      source.count(8, 1000, 20_000);
    });
    await run(T0 + 60_000, () => source.count(8, 100, 500));
    assert.deepEqual(
      uploaded.flatMap((b) => b.records).map((r) => [r.connections, r.bytesOut, r.bytesIn]),
      [
        [1, 1000, 20_000],
        [0, 100, 500],
      ],
      'after the restart only its growth, and it is not counted as a second connection',
    );
  });
});
