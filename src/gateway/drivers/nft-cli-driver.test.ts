import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { NftCliDriver } from './nft-cli-driver.ts';
import { nftDriverContract } from './nft-driver.contract.ts';

nftDriverContract('NftCliDriver in a network namespace', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('nft');
  return { driver: new NftCliDriver({ netns: ns }), tableName: 'plantgate', teardown: () => lab.cleanup() };
});
