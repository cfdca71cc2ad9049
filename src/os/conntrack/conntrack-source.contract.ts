import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConntrackEvent } from './conntrack-line.ts';
import type { ConntrackGap, ConntrackSource } from './conntrack-source.ts';

/**
 * The behaviour every ConntrackSource must have; run against the fake and against the
 * real conntrack in a network namespace. `connect` makes one TCP connection that sends
 * `sent` bytes and receives `received` bytes, then closes; `destroy` deletes its entry
 * (as the kernel does after TIME_WAIT); `overflow` makes the source lose events.
 */
export type ConntrackHarness = {
  source: ConntrackSource;
  connect(sent: number, received: number): Promise<{ sport: number; dport: number }>;
  destroy(sport: number): Promise<void>;
  overflow(): Promise<void>;
  /** The event stream dies (conntrack killed); the source must come back by itself. */
  interrupt(): Promise<void>;
  teardown(): Promise<void>;
};

export function conntrackSourceContract(label: string, setup: () => Promise<ConntrackHarness>): void {
  describe(`ConntrackSource contract: ${label}`, () => {
    let harness: ConntrackHarness;
    const events: ConntrackEvent[] = [];
    const gaps: ConntrackGap[] = [];
    before(async () => {
      harness = await setup();
      await harness.source.start({ event: (event) => events.push(event), gap: (gap) => gaps.push(gap) });
    });
    after(async () => {
      await harness?.source.stop();
      await harness?.teardown();
    });

    const waitFor = async (what: string, found: () => ConntrackEvent | undefined): Promise<ConntrackEvent> => {
      for (let i = 0; i < 100; i++) {
        const event = found();
        if (event !== undefined) return event;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no ${what} within 5 s; events: ${JSON.stringify(events.slice(-5))}`);
    };

    it('A1: a TCP connection appears as NEW, is listed with its byte counters, and its DESTROY carries the bytes each way', async () => {
      const { sport, dport } = await harness.connect(300, 5000);
      const opened = await waitFor('NEW', () => events.find((e) => e.type === 'new' && e.sport === sport && e.dport === dport));
      assert.equal(opened.protocol, 'tcp');
      assert.ok(opened.at !== null && opened.at > 0, 'an event has its kernel time');

      const listed = (await harness.source.list()).find((e) => e.id === opened.id);
      assert.ok(listed, 'the entry is listed while it exists');
      assert.equal(listed.type, 'list');
      // Payload plus TCP/IP headers: at least what was sent each way.
      assert.ok((listed.orig?.bytes ?? 0) >= 300, `orig bytes ${listed.orig?.bytes}`);
      assert.ok((listed.reply?.bytes ?? 0) >= 5000, `reply bytes ${listed.reply?.bytes}`);

      await harness.destroy(sport);
      const destroyed = await waitFor('DESTROY', () => events.find((e) => e.type === 'destroy' && e.id === opened.id));
      assert.deepEqual(destroyed.orig, listed.orig, 'the final counters are those listed (the connection had ended)');
      assert.deepEqual(destroyed.reply, listed.reply);
      assert.equal((await harness.source.list()).find((e) => e.id === opened.id), undefined, 'gone from the listing');
    });

    it('A5: lost events (netlink buffer overrun) come as a gap with its time window, and events flow again after it', async () => {
      await harness.overflow();
      for (let i = 0; i < 100 && gaps.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(gaps.length >= 1, 'a gap was reported');
      assert.ok(gaps[0].from <= gaps[0].to, 'the window is ordered');
      assert.match(gaps[0].reason, /lost|overrun|ENOBUFS/);
      const { sport } = await harness.connect(10, 10);
      await waitFor('NEW after the gap', () => events.find((e) => e.type === 'new' && e.sport === sport));
    });

    it('A5: an interrupted event stream comes back by itself, and the time without it is a gap', async () => {
      const before = gaps.length;
      await harness.interrupt();
      for (let i = 0; i < 100 && gaps.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(gaps.length, before + 1, 'one gap for the interruption');
      assert.match(gaps[before].reason, /interrupted/);
      const { sport } = await harness.connect(10, 10);
      await waitFor('NEW after the restart', () => events.find((e) => e.type === 'new' && e.sport === sport));
    });
  });
}
