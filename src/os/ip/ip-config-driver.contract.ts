import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IpConfigDriver } from './ip-config-driver.ts';

/**
 * The behaviour every IpConfigDriver must have; run against the fake and against iproute2
 * and sysctl in a network namespace. `iface` is an interface that is up and has no address,
 * `other` a second one that must never be touched.
 */
export type IpConfigDriverHarness = { driver: IpConfigDriver; iface: string; other: string; teardown(): Promise<void> };

export function ipConfigDriverContract(label: string, setup: () => Promise<IpConfigDriverHarness>): void {
  describe(`IpConfigDriver contract: ${label}`, () => {
    let harness: IpConfigDriverHarness;
    before(async () => {
      harness = await setup();
    });
    after(async () => {
      await harness?.teardown();
    });

    it('sets the addresses of an interface, reports what changed, and a second run changes nothing', async () => {
      const { driver, iface } = harness;
      assert.deepEqual(await driver.syncAddresses(iface, ['100.64.0.1/32', '10.9.0.1/24']), ['+10.9.0.1/24', '+100.64.0.1/32']);
      assert.deepEqual(await driver.syncAddresses(iface, ['10.9.0.1/24', '100.64.0.1/32']), []);
      assert.deepEqual(await driver.syncAddresses(iface, ['100.64.0.1/32']), ['-10.9.0.1/24']);
    });

    it('makes the routes through an interface exactly the given prefixes (canonical), leaving other interfaces alone', async () => {
      const { driver, iface, other } = harness;
      assert.deepEqual(await driver.syncRoutes(other, ['192.0.2.0/24']), ['+192.0.2.0/24']);
      assert.deepEqual(await driver.syncRoutes(iface, ['100.80.1.7/24', '100.81.0.0/16']), ['+100.80.1.0/24', '+100.81.0.0/16']);
      assert.deepEqual(await driver.syncRoutes(iface, ['100.80.1.0/24', '100.81.0.0/16']), []);
      assert.deepEqual(await driver.syncRoutes(iface, ['100.81.0.0/16', '100.82.0.0/24']), ['+100.82.0.0/24', '-100.80.1.0/24']);
      assert.deepEqual((await driver.routesOf(iface)).sort(), ['100.81.0.0/16', '100.82.0.0/24'], 'routesOf reads them back (diagnose)');
      assert.deepEqual(await driver.syncRoutes(iface, []), ['-100.81.0.0/16', '-100.82.0.0/24']);
      assert.deepEqual(await driver.syncRoutes(other, ['192.0.2.0/24']), [], 'the other interface kept its route');
    });

    it('turns forwarding on once (true), then reports it was already on (false)', async () => {
      assert.equal(await harness.driver.enableForwarding(), true);
      assert.equal(await harness.driver.enableForwarding(), false);
    });
  });
}
