import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from './clock.ts';
import { ControlPlaneError } from './control-plane.ts';
import { DaemonMetrics } from './daemon-metrics.ts';
import { memoryLogger } from './log.ts';
import { type Access, type ApplyReason, type LoopStatus, SyncLoop } from './sync-loop.ts';
import { FakeClock, settle } from './testing/fake-clock.ts';

type State = { revision: number; value: string };

/** A control plane with a long-poll, which can be taken down and brought back. */
class FakeServer {
  state: State = { revision: 1, value: 'a' };
  up = true;
  connects = 0;
  fetches: Array<{ after: number | null; at: number }> = [];
  private waiters: Array<() => void> = [];
  private readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  change(value: string): void {
    this.state = { revision: this.state.revision + 1, value };
    for (const wake of this.waiters.splice(0)) wake();
  }

  async connect(): Promise<void> {
    if (!this.up) throw new ControlPlaneError(0, 'connect ECONNREFUSED');
    this.connects++;
  }

  async fetch(after: number | null, waitSeconds: number, signal: AbortSignal): Promise<State> {
    this.fetches.push({ after, at: this.clock.now() });
    if (!this.up) throw new ControlPlaneError(0, 'connect ECONNREFUSED');
    if (after !== null && after === this.state.revision) {
      const stop = new AbortController();
      const relay = () => stop.abort();
      signal.addEventListener('abort', relay, { once: true });
      await Promise.race([this.clock.sleep(waitSeconds * 1000, stop.signal), new Promise<void>((resolve) => this.waiters.push(resolve))]);
      stop.abort();
      signal.removeEventListener('abort', relay);
      if (signal.aborted) throw new Error('aborted');
      if (!this.up) throw new ControlPlaneError(0, 'socket hang up');
    }
    return { ...this.state };
  }
}

/** The "data plane": one value, which someone may change by hand (drift). */
class FakePlane {
  value: string | null = null;
  applies: Array<{ revision: number; reason: ApplyReason; access?: Access }> = [];
  failNext = 0;

  async apply(desired: State, reason: ApplyReason, access: Access = 'serving'): Promise<string | null> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('nft: Could not process rule');
    }
    this.applies.push({ revision: desired.revision, reason, ...(access === 'withdrawn' ? { access } : {}) });
    const value = access === 'withdrawn' ? `${desired.value} (withdrawn)` : desired.value;
    if (this.value === value) return null;
    const summary = `${this.value} -> ${value}`;
    this.value = value;
    return summary;
  }
}

function setup(options: { saved?: State | null; savedContactAt?: number | null; serverUp?: boolean; maxStaleMs?: number; onCredentialRejected?: (reason: string) => void } = {}) {
  const clock = new FakeClock();
  const server = new FakeServer(clock);
  server.up = options.serverUp ?? true;
  const plane = new FakePlane();
  const persisted: State[] = [];
  const reports: LoopStatus[] = [];
  const log = memoryLogger();
  const metrics = new DaemonMetrics('gateway', clock as Clock);
  const loop = new SyncLoop<State>(
    {
      clock,
      log,
      metrics,
      connect: () => server.connect(),
      fetch: (after, wait, signal) => server.fetch(after, wait, signal),
      apply: (desired, reason, access) => plane.apply(desired, reason, access),
      persist: async (desired) => {
        persisted.push(desired);
      },
      report: async (status) => {
        if (!server.up) throw new ControlPlaneError(0, 'down');
        reports.push(status);
      },
      onCredentialRejected: options.onCredentialRejected,
    },
    { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000, backoff: { initialMs: 500, maxMs: 8000 }, maxStaleMs: options.maxStaleMs ?? 24 * 3600_000 },
  );
  loop.start(options.saved ?? null, options.savedContactAt === undefined ? clock.now() - 60_000 : options.savedContactAt);
  return { clock, server, plane, persisted, reports, log, metrics, loop };
}

describe('SyncLoop', () => {
  it('a removed daemon (401) stops instead of serving a stale state forever', async () => {
    const rejected: string[] = [];
    const { server, loop, clock } = setup({ onCredentialRejected: (reason) => rejected.push(reason) });
    await settle();
    server.fetch = async () => {
      throw new ControlPlaneError(401, 'invalid daemon credential (was it removed?)', 'unauthorized');
    };
    server.change('b');
    await clock.advance(30_000);
    assert.equal(rejected.length, 1);
    assert.match(rejected[0] as string, /invalid daemon credential/);
    await loop.stop();
  });

  it('first start: connects, fetches without `after`, applies in full, persists, then long-polls after the applied revision', async () => {
    const { server, plane, persisted, loop } = setup();
    await settle();
    assert.equal(server.connects, 1);
    assert.deepEqual(server.fetches.map((fetch) => fetch.after), [null, 1]);
    assert.deepEqual(plane.applies, [{ revision: 1, reason: 'reconnect' }]);
    assert.equal(plane.value, 'a');
    assert.deepEqual(persisted, [{ revision: 1, value: 'a' }]);
    assert.equal(loop.appliedRevision, 1);
    await loop.stop();
  });

  it('long-poll: a change is applied at once, without waiting for any timer', async () => {
    const { server, plane, loop, clock } = setup();
    await settle();
    const before = clock.now();
    server.change('b');
    await settle();
    assert.equal(clock.now(), before);
    assert.deepEqual(plane.applies.at(-1), { revision: 2, reason: 'update' });
    assert.equal(plane.value, 'b');
    assert.equal(server.fetches.at(-1)?.after, 2);
    await loop.stop();
  });

  it('long-poll answered with the same revision after `wait`: nothing is applied, the next poll starts', async () => {
    const { server, plane, loop, clock } = setup();
    await settle();
    await clock.advance(25_000);
    assert.deepEqual(server.fetches.map((fetch) => fetch.after), [null, 1, 1]);
    assert.equal(plane.applies.filter((apply) => apply.reason !== 'reconcile').length, 1);
    await loop.stop();
  });

  it('fail static: while the control plane is down nothing is torn down; retries back off (capped); on return it resumes from the revision it holds (no full read-back)', async () => {
    const { server, plane, loop, clock, metrics, log } = setup();
    await settle();
    server.up = false;
    server.change('c'); // made while the daemon cannot see it; wakes the open poll, which then fails
    await settle();
    assert.equal(loop.connected, false);
    assert.equal(plane.value, 'a', 'the last applied state stays');
    await clock.advance(60_000);
    // 500 + 1000 + 2000 + 4000 + 8000 × 5.6: at least 9 retries in a minute, each counted
    assert.ok(((await metrics.registry.value('plantgate_gateway_errors_total', { kind: 'poll' })) ?? 0) >= 9);
    assert.equal(log.lines.filter((line) => line.message.startsWith('control plane unreachable')).length, 1, 'logged once, not per retry');
    assert.equal(plane.value, 'a');
    server.up = true;
    await clock.advance(8000); // at most one capped backoff
    assert.equal(loop.connected, true);
    assert.equal(plane.value, 'c');
    assert.deepEqual(plane.applies.at(-1), { revision: 2, reason: 'update' });
    assert.equal(server.connects, 2, 'registered again on reconnect');
    assert.equal(server.fetches.at(-2)?.after, 1, 'asked from the revision held, not for the whole document');
    await loop.stop();
  });

  it('backoff doubles per failure up to the cap', async () => {
    const { server, loop, clock } = setup({ serverUp: false });
    const attempts: number[] = [];
    const original = server.connect.bind(server);
    server.connect = async () => {
      attempts.push(clock.now());
      return original();
    };
    await clock.advance(40_000);
    const gaps = attempts.slice(1).map((at, index) => at - attempts[index]);
    // the first attempt (at start, before the spy) was followed by 500 ms
    assert.deepEqual(gaps.slice(0, 5), [1000, 2000, 4000, 8000, 8000]);
    await loop.stop();
  });

  it('restart without the control plane: applies the saved desired state; with it: the saved state is never applied', async () => {
    const saved = { revision: 9, value: 'saved' };
    const down = setup({ saved, serverUp: false });
    await settle();
    assert.deepEqual(down.plane.applies, [{ revision: 9, reason: 'restore' }]);
    assert.equal(down.plane.value, 'saved');
    await down.loop.stop();

    const up = setup({ saved, serverUp: true });
    await settle();
    assert.deepEqual(up.plane.applies, [{ revision: 1, reason: 'reconnect' }]);
    assert.equal(up.plane.value, 'a');
    await up.loop.stop();
  });

  it('reconcile repairs drift every cycle, also while the control plane is down', async () => {
    const { server, plane, loop, clock, log } = setup();
    await settle();
    plane.value = 'hand-edited';
    await clock.advance(30_000);
    assert.equal(plane.value, 'a');
    assert.ok(log.lines.some((line) => line.message === 'drift repaired'));
    server.up = false;
    plane.value = 'hand-edited again';
    await clock.advance(30_000);
    assert.equal(plane.value, 'a');
    await loop.stop();
  });

  it('a failed apply is retried with backoff; the revision counts as applied only once it worked; status carries the error', async () => {
    const { server, plane, loop, clock, reports } = setup();
    await settle();
    plane.failNext = 2;
    server.change('d');
    await settle();
    assert.equal(loop.appliedRevision, 1);
    assert.match(loop.lastError ?? '', /Could not process rule/);
    await clock.advance(500);
    assert.equal(loop.appliedRevision, 1);
    await clock.advance(1000);
    assert.equal(loop.appliedRevision, 2);
    assert.equal(plane.value, 'd');
    await clock.advance(10_000);
    assert.deepEqual(reports.at(-1), { appliedRevision: 2, lastError: null, connected: true, mode: 'serving' });
    await loop.stop();
  });

  it('stop() ends an open long-poll at once', async () => {
    const { loop, clock } = setup();
    await settle();
    const before = clock.now();
    await loop.stop();
    assert.equal(clock.now(), before);
    assert.equal(clock.pending, 0);
  });

  it('fail static bounded: a restart without the control plane serves a saved state confirmed within the max age', async () => {
    const { plane, loop, reports, clock } = setup({ saved: { revision: 4, value: 'saved' }, serverUp: false, savedContactAt: 1_700_000_000_000 - 23 * 3600_000 });
    await clock.advance(1000);
    assert.equal(plane.value, 'saved');
    assert.equal(loop.mode, 'serving');
    await clock.advance(10_000);
    assert.equal(reports.length, 0, 'no report without the control plane');
    await loop.stop();
  });

  it('fail static bounded: a saved state older than the max age (or of unknown age) is applied with user access withdrawn', async () => {
    for (const savedContactAt of [1_700_000_000_000 - 25 * 3600_000, null]) {
      const { plane, loop, metrics, clock } = setup({ saved: { revision: 4, value: 'saved' }, serverUp: false, savedContactAt });
      await clock.advance(1000);
      assert.equal(plane.value, 'saved (withdrawn)');
      assert.deepEqual(plane.applies, [{ revision: 4, reason: 'restore', access: 'withdrawn' }]);
      assert.equal(loop.mode, 'stale-withdrawn');
      assert.match(loop.lastError ?? '', /user access withdrawn/);
      assert.ok((await metrics.render()).includes('plantgate_gateway_serving_mode{mode="stale-withdrawn"} 1'));
      // the reconcile keeps it withdrawn
      plane.value = 'hand-edited';
      await clock.advance(30_000);
      assert.equal(plane.value, 'saved (withdrawn)');
      await loop.stop();
    }
  });

  it('fail static bounded: running without the control plane past the max age withdraws; its return serves the current state again', async () => {
    const { server, plane, loop, reports, clock } = setup({ maxStaleMs: 2 * 3600_000 });
    await settle();
    server.up = false;
    await clock.advance(3600_000);
    assert.equal(plane.value, 'a', 'within the max age');
    await clock.advance(3600_000 + 30_000);
    assert.equal(plane.value, 'a (withdrawn)');
    assert.equal(loop.mode, 'stale-withdrawn');
    server.change('b');
    server.up = true;
    await clock.advance(40_000);
    assert.equal(plane.value, 'b');
    assert.equal(loop.mode, 'serving');
    assert.deepEqual(reports.at(-1), { appliedRevision: 2, lastError: null, connected: true, mode: 'serving' });
    await loop.stop();
  });
});
