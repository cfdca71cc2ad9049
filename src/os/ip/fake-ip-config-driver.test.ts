import { FakeIpConfigDriver } from './fake-ip-config-driver.ts';
import { ipConfigDriverContract } from './ip-config-driver.contract.ts';

ipConfigDriverContract('FakeIpConfigDriver', async () => ({ driver: new FakeIpConfigDriver(), iface: 'pgt0', other: 'eth9', teardown: async () => {} }));
