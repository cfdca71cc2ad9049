import { FakeOpenVpnDriver } from './fake-openvpn-driver.ts';
import { openVpnDriverContract } from './openvpn-driver.contract.ts';

openVpnDriverContract('FakeOpenVpnDriver', async () => {
  const driver = new FakeOpenVpnDriver();
  return {
    driver,
    spec: (base) => ({ name: `pgt${base}`, directory: `/run/fake/${base}`, config: 'client\n', files: {} }),
    broken: (spec) => {
      driver.failNextStart = 'Options error: Unrecognized option';
      return spec;
    },
    teardown: async () => {},
  };
});
