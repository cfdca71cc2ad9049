import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertGolden } from '../../test/golden.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { renderGatewayRuleset, renderSetDelta } from './nft-ruleset.ts';

const ifaces = { users: 'pgu0', sites: 'pgs0' };
const golden = (name: string) => new URL(`./__golden__/${name}`, import.meta.url);

describe('renderGatewayRuleset', () => {
  it('renders the DESIGN table with sorted, canonical, de-duplicated elements', () => {
    assertGolden(renderGatewayRuleset(twoPlantsState, ifaces), golden('gateway-two-plants.nft'));
  });

  it('renders an empty state without element blocks (nft rejects `elements = { }`)', () => {
    const text = renderGatewayRuleset({ allowed: [], native: [] }, ifaces);
    assertGolden(text, golden('gateway-empty.nft'));
    assert.doesNotMatch(text, /elements/);
  });

  it('does not depend on input order', () => {
    const reversed = { ...twoPlantsState, allowed: [...twoPlantsState.allowed].reverse(), native: [...twoPlantsState.native].reverse() };
    assert.equal(renderGatewayRuleset(reversed, ifaces), renderGatewayRuleset(twoPlantsState, ifaces));
  });

  it('replaces only its own table, in one transaction that also works when the table is missing', () => {
    const lines = renderGatewayRuleset(twoPlantsState, ifaces, 'pgtest').split('\n');
    const tableLines = lines.filter((line) => /^(table|delete|flush|add|create)\b/.test(line));
    assert.deepEqual(tableLines, ['table ip pgtest {}', 'delete table ip pgtest', 'table ip pgtest {']);
    assert.doesNotMatch(lines.join('\n'), /flush ruleset/);
  });

  it('orders elements numerically, not as strings (100.64.0.10 after 100.64.0.2)', () => {
    const text = renderGatewayRuleset(twoPlantsState, ifaces);
    assert.ok(text.indexOf('100.64.0.2 . 192.168.1.0/24') < text.indexOf('100.64.0.10 . 10.1.1.16/28'));
    assert.ok(text.indexOf('100.64.0.2 . 100.80.1.0,') < text.indexOf('100.64.0.3 . 100.80.2.0'));
  });

  it('one plain set per mapped prefix length in use, checked most elements first; a /32 needs no mask', () => {
    const text = renderGatewayRuleset(
      {
        allowed: [
          { userIp: '100.64.0.2', mapped: '100.80.5.7/32' },
          { userIp: '100.64.0.3', mapped: '100.80.5.8/32' },
          { userIp: '100.64.0.2', mapped: '100.80.1.0/24' },
          { userIp: '100.64.0.2', mapped: '100.81.0.0/16' },
        ],
        native: [],
      },
      ifaces,
    );
    assert.doesNotMatch(text, /flags interval\n\t\telements = \{\n\t\t\t100\.64/);
    assert.deepEqual(
      text.split('\n').filter((line) => line.includes('@allowed')).map((line) => line.trim()),
      [
        'iifname "pgu0" oifname "pgs0" ip saddr . ip daddr @allowed_32 accept',
        'iifname "pgs0" oifname "pgu0" ct original ip saddr . ct reply ip saddr @allowed_32 accept',
        'iifname "pgu0" oifname "pgs0" ip saddr . ip daddr & 255.255.255.0 @allowed_24 accept',
        'iifname "pgs0" oifname "pgu0" ct original ip saddr . ct reply ip saddr & 255.255.255.0 @allowed_24 accept',
        'iifname "pgu0" oifname "pgs0" ip saddr . ip daddr & 255.255.0.0 @allowed_16 accept',
        'iifname "pgs0" oifname "pgu0" ct original ip saddr . ct reply ip saddr & 255.255.0.0 @allowed_16 accept',
      ],
    );
    assert.match(text, /set allowed_16 \{\n\t\ttype ipv4_addr \. ipv4_addr\n\t\telements = \{\n\t\t\t100\.64\.0\.2 \. 100\.81\.0\.0\n/);
  });

  const badInputs: Array<[string, () => unknown]> = [
    ['interface name with a quote', () => renderGatewayRuleset(twoPlantsState, { users: 'pgu0"', sites: 'pgs0' })],
    ['interface name longer than 15', () => renderGatewayRuleset(twoPlantsState, { users: 'a'.repeat(16), sites: 'pgs0' })],
    ['table name with a space', () => renderGatewayRuleset(twoPlantsState, ifaces, 'plant gate')],
    [
      'native and mapped of different length',
      () => renderGatewayRuleset({ allowed: [], native: [{ userIp: '100.64.0.2', native: '192.168.1.0/24', mapped: '100.80.1.0/25' }] }, ifaces),
    ],
    [
      'one native key mapped twice',
      () =>
        renderGatewayRuleset(
          {
            allowed: [],
            native: [
              { userIp: '100.64.0.2', native: '192.168.1.0/24', mapped: '100.80.1.0/24' },
              { userIp: '100.64.0.2', native: '192.168.1.0/24', mapped: '100.80.2.0/24' },
            ],
          },
          ifaces,
        ),
    ],
    ['not an address', () => renderGatewayRuleset({ allowed: [{ userIp: '100.64.0.2; flush ruleset', mapped: '100.80.1.0/24' }], native: [] }, ifaces)],
  ];
  for (const [name, render] of badInputs) {
    it(`refuses ${name}`, () => assert.throws(render));
  }
});

describe('renderSetDelta', () => {
  it('puts each allowed element into the set of its length, as user ip . network address', () => {
    const text = renderSetDelta({
      addAllowed: [
        { userIp: '100.64.0.4', mapped: '100.80.3.0/24' as never },
        { userIp: '100.64.0.4', mapped: '100.80.9.9/32' as never },
      ],
      removeAllowed: [{ userIp: '100.64.0.4', mapped: '100.80.4.16/28' as never }],
      addNative: [],
      removeNative: [],
    });
    assert.equal(
      text,
      [
        'delete element ip plantgate allowed_28 {',
        '\t100.64.0.4 . 100.80.4.16',
        '}',
        'add element ip plantgate allowed_32 {',
        '\t100.64.0.4 . 100.80.9.9',
        '}',
        'add element ip plantgate allowed_24 {',
        '\t100.64.0.4 . 100.80.3.0',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('renders deletes before adds, so a changed native value swaps in one transaction', () => {
    const text = renderSetDelta({
      addAllowed: [{ userIp: '100.64.0.4', mapped: '100.80.3.0/24' as never }],
      removeAllowed: [
        { userIp: '100.64.0.3', mapped: '100.80.2.0/24' as never },
        { userIp: '100.64.0.2', mapped: '100.80.2.0/24' as never },
      ],
      addNative: [{ userIp: '100.64.0.2', native: '192.168.1.0/24' as never, mapped: '100.80.2.0/24' as never }],
      removeNative: [{ userIp: '100.64.0.2', native: '192.168.1.0/24' as never, mapped: '100.80.1.0/24' as never }],
    });
    assertGolden(text, golden('gateway-delta.nft'));
  });

  it('renders nothing for an empty delta', () => {
    assert.equal(renderSetDelta({ addAllowed: [], removeAllowed: [], addNative: [], removeNative: [] }), '');
  });
});
