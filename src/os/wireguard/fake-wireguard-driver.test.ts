import { randomBytes } from 'node:crypto';
import { FakeWireGuardDriver } from './fake-wireguard-driver.ts';
import { wireGuardDriverContract } from './wireguard-driver.contract.ts';

wireGuardDriverContract('FakeWireGuardDriver', async () => {
  const suffix = randomBytes(2).toString('hex');
  return { driver: new FakeWireGuardDriver(), interfaceName: (base) => `pg${base}${suffix}`, teardown: async () => {} };
});
