import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { compareAllowed, compareNative, countByLength, desiredGatewayElements, orderedLengths } from '../os/nft/nft-elements.ts';
import { renderGatewayRuleset, renderSetDelta } from './nft-ruleset.ts';
import type { ObservedNftTable } from '../os/nft/nft-table-json.ts';
import { expectedGatewayStructure, planNft } from './plan.ts';
import type { NftDriver } from '../os/nft/nft-driver.ts';

/**
 * What the gateway needs of any NftDriver (its whole table, deltas, reloads); run against the fake and `nft` in
 * a network namespace. A foreign table lives next to plantgate's through all of it.
 */
export type GatewayTableHarness = { driver: NftDriver; tableName: string; teardown(): Promise<void> };

const ifaces = { users: 'pgu0', sites: 'pgs0' };

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

export function gatewayTableContract(label: string, setup: () => Promise<GatewayTableHarness>): void {
  describe(`the gateway's table through an NftDriver: ${label}`, () => {
    let harness: GatewayTableHarness;
    let driver: NftDriver;
    let table: string;
    const sorted = (observed: ObservedNftTable | null) => ({
      allowed: [...(observed?.allowed ?? [])].sort(compareAllowed),
      native: [...(observed?.native ?? [])].sort(compareNative),
    });
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

    it('loads the whole gateway table, and reads back exactly what the planner expects', async () => {
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, ifaces, table));
      const observed = await driver.readTable(table);
      assert.ok(observed);
      assert.deepEqual(sorted(observed), desiredGatewayElements(twoPlantsState));
      const lengths = orderedLengths(countByLength(desiredGatewayElements(twoPlantsState).allowed));
      assert.deepEqual(lengths, [24, 28]);
      assert.deepEqual(observed.allowedLengths, [24, 28]);
      assert.deepEqual(observed.nativeShards, ['100.64.0']);
      const expected = expectedGatewayStructure(ifaces, twoPlantsState.gateway?.siteTunnelIp ?? null, lengths, ['100.64.0']);
      assert.deepEqual(observed.sets, expected.sets);
      assert.deepEqual(observed.chains, expected.chains);
      assert.deepEqual(planNft(twoPlantsState, ifaces, observed), { kind: 'unchanged' });
      await assertForeignTableIntact();
    });

    it('P9: with the OpenVPN tuns every user rule is repeated for them, and the table reads back as the planner expects (no reload loop)', async () => {
      const withOpenVpn = { ...ifaces, openvpn: ['pgo0', 'pgt0'] };
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, withOpenVpn, table));
      const observed = await driver.readTable(table);
      assert.ok(observed);
      const expected = expectedGatewayStructure(withOpenVpn, twoPlantsState.gateway?.siteTunnelIp ?? null, [24, 28], ['100.64.0']);
      assert.deepEqual(observed.chains, expected.chains);
      const forward = expected.chains.find((chain) => chain.name === 'forward');
      assert.equal(forward?.rules.filter((rule) => rule.includes('pgo0')).length, 4, 'both directions for both set lengths');
      assert.deepEqual(planNft(twoPlantsState, withOpenVpn, observed), { kind: 'unchanged' });
      assert.equal(planNft(twoPlantsState, ifaces, observed).kind, 'reload', 'a gateway that drops OpenVPN reloads its table');
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, ifaces, table));
    });

    it('a second full load replaces the elements (no leftovers from the first)', async () => {
      const smaller = { allowed: twoPlantsState.allowed.slice(0, 1), native: [] };
      await driver.applyScript(renderGatewayRuleset(smaller, ifaces, table));
      assert.deepEqual(sorted(await driver.readTable(table)), desiredGatewayElements(smaller));
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, ifaces, table));
      await assertForeignTableIntact();
    });

    it('applies a delta in one transaction, including a native value swap', async () => {
      const next = {
        gateway: twoPlantsState.gateway,
        allowed: [...twoPlantsState.allowed.filter((pair) => pair.userIp !== '100.64.0.3'), { userIp: '100.64.0.4', mapped: '100.80.3.0/24' }],
        native: twoPlantsState.native.map((mapping) => (mapping.userIp === '100.64.0.2' ? { ...mapping, mapped: '100.80.2.0/24' } : mapping)),
      };
      const plan = planNft(next, ifaces, await driver.readTable(table));
      assert.equal(plan.kind, 'delta');
      if (plan.kind !== 'delta') return;
      await driver.applyScript(renderSetDelta(plan.delta, table));
      assert.deepEqual(sorted(await driver.readTable(table)), desiredGatewayElements(next));
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, ifaces, table));
    });

    it('a length the table has no set for: planned as a reload, and a delta into it is refused', async () => {
      const next = { gateway: twoPlantsState.gateway, allowed: [...twoPlantsState.allowed, { userIp: '100.64.0.4', mapped: '100.80.3.128/25' }], native: twoPlantsState.native };
      const plan = planNft(next, ifaces, await driver.readTable(table));
      assert.deepEqual(plan, { kind: 'reload', reasons: ['no allowed set for mapped prefix length(s) /25'] });
      const delta = { addAllowed: [{ userIp: '100.64.0.4', mapped: '100.80.3.128/25' as never }], removeAllowed: [], addNative: [], removeNative: [] };
      await assert.rejects(driver.applyScript(renderSetDelta(delta, table)));
      await driver.applyScript(renderGatewayRuleset(next, ifaces, table));
      const observed = await driver.readTable(table);
      assert.deepEqual(observed?.allowedLengths, [24, 25, 28]);
      assert.deepEqual(sorted(observed), desiredGatewayElements(next));
      assert.deepEqual(planNft(next, ifaces, observed), { kind: 'unchanged' });
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, ifaces, table));
    });

    it('a native entry of a user in a new /24: planned as a reload (a new native map), and a delta into it is refused', async () => {
      const entry = { userIp: '100.64.5.9', native: '192.168.1.0/24', mapped: '100.80.2.0/24' };
      const next = { gateway: twoPlantsState.gateway, allowed: twoPlantsState.allowed, native: [...twoPlantsState.native, entry] };
      const plan = planNft(next, ifaces, await driver.readTable(table));
      assert.deepEqual(plan, { kind: 'reload', reasons: ['no native map for users in 100.64.5.0/24'] });
      const delta = { addAllowed: [], removeAllowed: [], addNative: [entry as never], removeNative: [] };
      await assert.rejects(driver.applyScript(renderSetDelta(delta, table)));
      await driver.applyScript(renderGatewayRuleset(next, ifaces, table));
      const observed = await driver.readTable(table);
      assert.deepEqual(observed?.nativeShards, ['100.64.0', '100.64.5']);
      assert.deepEqual(sorted(observed), desiredGatewayElements(next));
      assert.deepEqual(planNft(next, ifaces, observed), { kind: 'unchanged' });
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, ifaces, table));
    });

    it('the last element of a length goes as a delta; its set stays, empty, and plans as unchanged', async () => {
      const next = { gateway: twoPlantsState.gateway, allowed: twoPlantsState.allowed.filter((pair) => !pair.mapped.endsWith('/28')), native: twoPlantsState.native };
      const plan = planNft(next, ifaces, await driver.readTable(table));
      assert.equal(plan.kind, 'delta');
      if (plan.kind !== 'delta') return;
      await driver.applyScript(renderSetDelta(plan.delta, table));
      const observed = await driver.readTable(table);
      assert.deepEqual(observed?.allowedLengths, [24, 28]);
      assert.deepEqual(sorted(observed), desiredGatewayElements(next));
      assert.deepEqual(planNft(next, ifaces, observed), { kind: 'unchanged' });
      await driver.applyScript(renderGatewayRuleset(twoPlantsState, ifaces, table));
    });

    it('an allowed_N set takes addresses only (a prefix element is refused, as it has no interval flag)', async () => {
      await assert.rejects(driver.applyScript(`add element ip ${table} allowed_24 { 100.64.0.5 . 100.80.1.0/24 }\n`));
      assert.deepEqual(sorted(await driver.readTable(table)), desiredGatewayElements(twoPlantsState));
    });

    it('a failing transaction changes nothing (an add before a bad delete is not kept)', async () => {
      const before = sorted(await driver.readTable(table));
      const script = renderSetDelta({
        addAllowed: [{ userIp: '100.64.0.99', mapped: '100.80.9.0/24' as never }],
        removeAllowed: [{ userIp: '100.64.0.98', mapped: '100.80.8.0/24' as never }],
        addNative: [],
        removeNative: [],
      }, table);
      await assert.rejects(driver.applyScript(script));
      assert.deepEqual(sorted(await driver.readTable(table)), before);
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
