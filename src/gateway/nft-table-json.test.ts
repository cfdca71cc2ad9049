import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseNftTableJson } from './nft-table-json.ts';
import { expectedGatewayStructure } from './plan.ts';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('parseNftTableJson (output captured from nft 1.0.6)', () => {
  it('reads back the structure renderGatewayRuleset wrote, as the planner expects it', () => {
    const result = parseNftTableJson(fixture('nft-table-two-plants-plus-range.json'), 'plantgate');
    assert.ok(result.ok);
    const expected = expectedGatewayStructure({ users: 'pgu0', sites: 'pgs0' });
    assert.deepEqual(result.value.sets, expected.sets);
    assert.deepEqual(result.value.chains, expected.chains);
  });

  it('reads elements in canonical form and flags a range element as foreign', () => {
    const result = parseNftTableJson(fixture('nft-table-two-plants-plus-range.json'), 'plantgate');
    assert.ok(result.ok);
    assert.deepEqual(result.value.allowed, [
      { userIp: '100.64.0.2', mapped: '100.80.1.0/24' },
      { userIp: '100.64.0.2', mapped: '100.80.2.0/24' },
      { userIp: '100.64.0.3', mapped: '100.80.2.0/24' },
      { userIp: '100.64.0.10', mapped: '100.80.0.16/28' },
    ]);
    assert.deepEqual(result.value.native, [
      { userIp: '100.64.0.2', native: '192.168.1.0/24', mapped: '100.80.1.0/24' },
      { userIp: '100.64.0.3', native: '192.168.1.0/24', mapped: '100.80.2.0/24' },
      { userIp: '100.64.0.10', native: '10.1.1.16/28', mapped: '100.80.0.16/28' },
    ]);
    assert.equal(result.value.foreignElements.length, 1);
    assert.match(result.value.foreignElements[0], /range/);
  });

  it('reads a /32 element, which nft prints as a bare address, as a /32 prefix', () => {
    const result = parseNftTableJson(fixture('nft-table-plantgate.json'), 'plantgate');
    assert.ok(result.ok);
    assert.ok(result.value.allowed?.some((e) => e.userIp === '100.64.0.3' && e.mapped === '100.80.5.7/32'));
    assert.ok(result.value.native?.some((e) => e.native === '192.168.7.5/32' && e.mapped === '100.80.7.5/32'));
  });

  it('reads empty collections as empty, not missing', () => {
    const result = parseNftTableJson(fixture('nft-table-empty.json'), 'plantgate');
    assert.ok(result.ok);
    assert.deepEqual(result.value.allowed, []);
    assert.deepEqual(result.value.native, []);
  });

  it('reports a missing set as null and ignores other tables', () => {
    const text = JSON.stringify({
      nftables: [
        { table: { family: 'ip', name: 'plantgate', handle: 1 } },
        { set: { family: 'ip', name: 'allowed', table: 'other', type: ['ipv4_addr', 'ipv4_addr'], flags: ['interval'], elem: [] } },
      ],
    });
    const result = parseNftTableJson(text, 'plantgate');
    assert.ok(result.ok);
    assert.equal(result.value.allowed, null);
    assert.deepEqual(result.value.sets, []);
  });

  it('refuses text that is not nft JSON', () => {
    assert.equal(parseNftTableJson('Error: No such file or directory', 'plantgate').ok, false);
    assert.equal(parseNftTableJson('{"x": 1}', 'plantgate').ok, false);
  });
});
