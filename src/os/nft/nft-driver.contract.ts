import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NftDriver } from './nft-driver.ts';
import type { ObservedNftTable } from './nft-table-json.ts';

/**
 * The behaviour every NftDriver must have, whoever renders the scripts (gateway, agent,
 * direct VPNs); run against the fake and against `nft` in a network namespace, so the
 * fake cannot drift from the real thing. A foreign table lives next to plantgate's
 * through all of it. The gateway's own table is src/gateway/gateway-table.contract.ts.
 */
export type NftDriverHarness = { driver: NftDriver; tableName: string; teardown(): Promise<void> };

const FOREIGN_TABLE = [
  'table ip foreign {',
  '\tset blocked {',
  '\t\ttype ipv4_addr',
  '\t\telements = {',
  '\t\t\t203.0.113.9',
  '\t\t}',
  '\t}',
  '\tchain input {',
  '\t\ttype filter hook input priority filter; policy accept;',
  '\t}',
  '}',
  '',
].join('\n');

/** A table in the shape the renderers write: replaced whole, one set, a base chain with a rule. */
function ownTable(table: string, elements: string[]): string {
  return [
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    '\tset allowed_24 {',
    '\t\ttype ipv4_addr . ipv4_addr',
    ...(elements.length > 0 ? ['\t\telements = {', elements.map((text) => `\t\t\t${text}`).join(',\n'), '\t\t}'] : []),
    '\t}',
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy drop;',
    '\t\tiifname "pgt0" drop',
    '\t}',
    '}',
    '',
  ].join('\n');
}

const members = (observed: ObservedNftTable | null) => (observed?.allowed ?? []).map((element) => `${element.userIp} . ${element.mapped}`).sort();

export function nftDriverContract(label: string, setup: () => Promise<NftDriverHarness>): void {
  describe(`NftDriver contract: ${label}`, () => {
    let harness: NftDriverHarness;
    let driver: NftDriver;
    let table: string;
    const assertForeignTableIntact = async () => {
      const foreign = await driver.readTable('foreign');
      assert.ok(foreign, 'the foreign table must survive');
      assert.deepEqual(foreign.sets.map((set) => set.name), ['blocked']);
      assert.deepEqual(foreign.chains.map((chain) => chain.name), ['input']);
    };

    before(async () => {
      harness = await setup();
      driver = harness.driver;
      table = harness.tableName;
      await driver.applyScript(FOREIGN_TABLE);
    });
    after(async () => {
      await harness?.teardown();
    });

    it('reads a missing table as null; deleting it is not an error', async () => {
      assert.equal(await driver.readTable(table), null);
      await driver.deleteTable(table);
      await assertForeignTableIntact();
    });

    it('loads a table and reads back its set, its elements and its base chain', async () => {
      await driver.applyScript(ownTable(table, ['100.64.0.1 . 100.80.1.0', '100.64.0.2 . 100.80.1.0']));
      const observed = await driver.readTable(table);
      assert.ok(observed);
      assert.deepEqual(observed.sets, [{ name: 'allowed_24', keyType: ['ipv4_addr', 'ipv4_addr'], dataType: null, flags: [] }]);
      assert.deepEqual(observed.chains, [{ name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'drop', rules: ['iifname == pgt0 drop'] }]);
      assert.deepEqual(members(observed), ['100.64.0.1 . 100.80.1.0/24', '100.64.0.2 . 100.80.1.0/24']);
      await assertForeignTableIntact();
    });

    it('a second load replaces the table (no leftover elements)', async () => {
      await driver.applyScript(ownTable(table, ['100.64.0.3 . 100.80.2.0']));
      assert.deepEqual(members(await driver.readTable(table)), ['100.64.0.3 . 100.80.2.0/24']);
    });

    it('adds and deletes elements; deleting one that is not there is refused', async () => {
      await driver.applyScript(`add element ip ${table} allowed_24 {\n\t100.64.0.4 . 100.80.2.0\n}\n`);
      await driver.applyScript(`delete element ip ${table} allowed_24 {\n\t100.64.0.3 . 100.80.2.0\n}\n`);
      assert.deepEqual(members(await driver.readTable(table)), ['100.64.0.4 . 100.80.2.0/24']);
      await assert.rejects(driver.applyScript(`delete element ip ${table} allowed_24 {\n\t100.64.0.3 . 100.80.2.0\n}\n`));
    });

    it('a failing transaction changes nothing (an add before a bad delete is not kept)', async () => {
      const script = `add element ip ${table} allowed_24 {\n\t100.64.0.9 . 100.80.9.0\n}\ndelete element ip ${table} allowed_24 {\n\t100.64.0.8 . 100.80.8.0\n}\n`;
      await assert.rejects(driver.applyScript(script));
      assert.deepEqual(members(await driver.readTable(table)), ['100.64.0.4 . 100.80.2.0/24']);
      await assert.rejects(driver.applyScript('this is not nft\n'));
      await assertForeignTableIntact();
    });

    it('refuses a script that would flush the whole ruleset', async () => {
      await assert.rejects(driver.applyScript('flush ruleset\n'), /flush/);
      await assertForeignTableIntact();
    });

    it('deletes only its own table', async () => {
      await driver.deleteTable(table);
      assert.equal(await driver.readTable(table), null);
      await assertForeignTableIntact();
    });
  });
}
