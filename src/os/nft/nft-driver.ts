import type { ObservedNftTable } from './nft-table-json.ts';

/**
 * Port: plantgate's own nftables table(s). Implementations: NftCliDriver (`nft`,
 * optionally inside a network namespace) and FakeNftDriver (memory). Both pass
 * nft-driver.contract.ts — including "a foreign table survives every operation".
 */
export interface NftDriver {
  /** Runs an nft script as one transaction: all of it applies, or none of it (then rejects). */
  applyScript(script: string): Promise<void>;
  /** The table `ip NAME`, parsed; null when it does not exist. */
  readTable(tableName: string): Promise<ObservedNftTable | null>;
  /** Deletes the table `ip NAME` and nothing else; a missing table is not an error. */
  deleteTable(tableName: string): Promise<void>;
}
