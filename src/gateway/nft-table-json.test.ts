import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseNftTableJson } from '../os/nft/nft-table-json.ts';
import { expectedGatewayStructure } from './plan.ts';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('parseNftTableJson (output captured from nft 1.0.6)', () => {
  it('reads back the structure renderGatewayRuleset wrote, as the planner expects it', () => {
    const result = parseNftTableJson(fixture('nft-table-two-plants-plus-foreign.json'), 'plantgate');
    assert.ok(result.ok);
    assert.deepEqual(result.value.allowedLengths, [24, 28]);
    assert.deepEqual(result.value.nativeShards, ['100.64.0']);
    const expected = expectedGatewayStructure({ users: 'pgu0', sites: 'pgs0' }, null, [24, 28], ['100.64.0']);
    assert.deepEqual(result.value.sets, expected.sets);
    assert.deepEqual(result.value.chains, expected.chains);
  });

  it('reads elements of every allowed_N set as user ip . mapped prefix; host bits, ranges and a user of another shard are foreign', () => {
    const result = parseNftTableJson(fixture('nft-table-two-plants-plus-foreign.json'), 'plantgate');
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
    assert.equal(result.value.foreignElements.length, 3);
    assert.match(result.value.foreignElements[0], /^allowed_24: .*100\.80\.9\.5/);
    assert.ok(result.value.foreignElements.some((text) => /^native_100_64_0: .*range/.test(text)));
    assert.ok(result.value.foreignElements.some((text) => /^native_100_64_0: .*100\.64\.7\.1/.test(text)));
  });

  it('reads a /32 set (no mask), native shards, an empty set and map no longer in use, and the masks of the forward rules', () => {
    const result = parseNftTableJson(fixture('nft-table-allowed-by-length.json'), 'plantgate');
    assert.ok(result.ok);
    assert.deepEqual(result.value.allowedLengths, [16, 24, 28, 32]);
    assert.deepEqual(result.value.nativeShards, ['100.64.0', '100.64.1', '100.64.2']);
    assert.ok(result.value.allowed.some((e) => e.userIp === '100.64.0.2' && e.mapped === '100.80.5.7/32'));
    assert.ok(result.value.allowed.some((e) => e.userIp === '100.64.1.5' && e.mapped === '100.81.0.0/16'));
    assert.equal(result.value.allowed.length, 4);
    assert.deepEqual(result.value.native, [
      { userIp: '100.64.0.2', native: '192.168.1.0/24', mapped: '100.80.1.0/24' },
      { userIp: '100.64.1.5', native: '192.168.1.0/24', mapped: '100.80.2.0/24' },
      { userIp: '100.64.1.5', native: '192.168.7.5/32', mapped: '100.80.5.7/32' },
    ]);
    assert.deepEqual(result.value.foreignElements, []);
    const forward = result.value.chains.find((chain) => chain.name === 'forward');
    assert.deepEqual(forward?.rules.slice(0, 3), [
      'iifname == pgu0 oifname == pgs0 ip saddr . ip daddr & 255.255.255.0 == @allowed_24 accept',
      'iifname == pgs0 oifname == pgu0 ct original ip saddr . ct reply ip saddr & 255.255.255.0 == @allowed_24 accept',
      'iifname == pgu0 oifname == pgs0 ip saddr . ip daddr == @allowed_32 accept',
    ]);
    const expected = expectedGatewayStructure({ users: 'pgu0', sites: 'pgs0' }, '100.64.0.1', [24, 32, 16, 28], ['100.64.0', '100.64.1', '100.64.2']);
    assert.deepEqual(result.value.chains, expected.chains);
  });

  it('reads a table without allowed sets (no route in use) as empty, and an empty native map as empty', () => {
    const result = parseNftTableJson(fixture('nft-table-empty.json'), 'plantgate');
    assert.ok(result.ok);
    assert.deepEqual(result.value.allowed, []);
    assert.deepEqual(result.value.allowedLengths, []);
    assert.deepEqual(result.value.native, []);
    assert.deepEqual(result.value.nativeShards, []);
  });

  it("reads DESIGN's first layout (one interval set `allowed`) as a set that is not one of ours", () => {
    const result = parseNftTableJson(fixture('nft-table-legacy-interval-allowed.json'), 'plantgate');
    assert.ok(result.ok);
    assert.ok(result.value.sets.some((set) => set.name === 'allowed' && set.flags.includes('interval')));
    assert.deepEqual(result.value.allowedLengths, []);
    assert.deepEqual(result.value.allowed, []);
    assert.ok(result.value.sets.some((set) => set.name === 'native'));
    assert.deepEqual(result.value.nativeShards, []);
  });

  it('ignores other tables', () => {
    const text = JSON.stringify({
      nftables: [
        { table: { family: 'ip', name: 'plantgate', handle: 1 } },
        { set: { family: 'ip', name: 'allowed_24', table: 'other', type: ['ipv4_addr', 'ipv4_addr'], elem: [] } },
      ],
    });
    const result = parseNftTableJson(text, 'plantgate');
    assert.ok(result.ok);
    assert.deepEqual(result.value.native, []);
    assert.deepEqual(result.value.allowedLengths, []);
    assert.deepEqual(result.value.sets, []);
  });

  it('refuses text that is not nft JSON', () => {
    assert.equal(parseNftTableJson('Error: No such file or directory', 'plantgate').ok, false);
    assert.equal(parseNftTableJson('{"x": 1}', 'plantgate').ok, false);
  });

  it('reads a set of 300,000 elements (a B1-size gateway: the read-back failed with "Maximum call stack size exceeded", so every later apply failed)', () => {
    const elem = Array.from({ length: 300_000 }, (_, i) => ({ concat: [`100.65.${(i >> 8) & 255}.${(i & 255) | 1}`, `100.96.${i % 250}.0`] }));
    const text = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6', json_schema_version: 1 } },
        { table: { family: 'ip', name: 'plantgate', handle: 1 } },
        { set: { family: 'ip', name: 'allowed_24', table: 'plantgate', type: ['ipv4_addr', 'ipv4_addr'], handle: 2, elem } },
      ],
    });
    const result = parseNftTableJson(text, 'plantgate');
    assert.ok(result.ok);
    assert.equal(result.value.allowed.length + result.value.foreignElements.length, 300_000);
    assert.ok(result.value.allowed.length > 200_000);
  });
});
