import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetProbe } from './net-probe.ts';

/** A harness: the probe, an address that answers ping with `openPort` accepting connections and `closedPort` not, and a name that does not resolve. */
export type NetProbeHarness = { probe: NetProbe; address: string; openPort: number; closedPort: number; unknownName: string; teardown(): Promise<void> };

export function netProbeContract(label: string, setup: () => Promise<NetProbeHarness>): void {
  describe(`NetProbe contract: ${label}`, () => {
    let h: NetProbeHarness;
    before(async () => {
      h = await setup();
    });
    after(async () => {
      await h?.teardown();
    });

    it('a literal address resolves to itself; an unknown name to nothing (no throw)', async () => {
      assert.deepEqual(await h.probe.resolve(h.address, 2000), [h.address]);
      assert.deepEqual(await h.probe.resolve(h.unknownName, 2000), []);
    });
    it('ping answers for a live address', async () => {
      const result = await h.probe.ping(h.address, 1000);
      assert.equal(result.ok, true);
    });
    it('a listening port accepts, a closed one does not (no throw)', async () => {
      assert.equal(await h.probe.tcpConnect(h.address, h.openPort, 1000), true);
      assert.equal(await h.probe.tcpConnect(h.address, h.closedPort, 1000), false);
    });
  });
}
