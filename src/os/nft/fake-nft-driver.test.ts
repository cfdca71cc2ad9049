import { FakeNftDriver } from './fake-nft-driver.ts';
import { nftDriverContract } from './nft-driver.contract.ts';

nftDriverContract('FakeNftDriver', async () => ({ driver: new FakeNftDriver(), tableName: 'plantgate', teardown: async () => {} }));
