import { assertNetnsCapable, NetnsLab } from '../../test/e2e/netns.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { NftCliDriver } from '../os/nft/nft-cli-driver.ts';
import { gatewayTableContract } from './gateway-table.contract.ts';

gatewayTableContract('FakeNftDriver', async () => ({ driver: new FakeNftDriver(), tableName: 'plantgate', teardown: async () => {} }));

gatewayTableContract('NftCliDriver in a network namespace (element changes through the nft -i session)', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('gtn');
  const driver = new NftCliDriver({ netns: ns });
  return { driver, tableName: 'plantgate', teardown: async () => { driver.close(); await lab.cleanup(); } };
});

gatewayTableContract('NftCliDriver in a network namespace, session off (every script an nft -f)', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('gto');
  return { driver: new NftCliDriver({ netns: ns, session: false }), tableName: 'plantgate', teardown: () => lab.cleanup() };
});
