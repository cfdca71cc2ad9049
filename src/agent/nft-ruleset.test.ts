import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertGolden } from '../../test/golden.ts';
import { renderAgentRuleset } from './nft-ruleset.ts';

const ifaces = { tunnel: 'pgt0', lan: 'lan0' };
const golden = (name: string) => new URL(`./__golden__/${name}`, import.meta.url);

describe('renderAgentRuleset', () => {
  it('translates every mapped prefix back to its real subnet and forwards only those', () => {
    const text = renderAgentRuleset(
      [
        { mapped: '100.80.1.0/24', real: '192.168.1.0/24' },
        { mapped: '100.80.0.16/28', real: '10.1.1.16/28' },
      ],
      ifaces,
    );
    assertGolden(text, golden('agent-two-subnets.nft'));
  });

  it('issue 9: a direct VPN interface gets the LAN\'s forward rules and masquerade, and the router cannot reach the agent host', () => {
    const text = renderAgentRuleset([{ mapped: '100.80.1.0/24', real: '192.168.1.0/24' }, { mapped: '100.80.2.0/24', real: '10.40.0.0/24' }], ifaces, 'plantgate', ['pgvabc12345']);
    assertGolden(text, golden('agent-direct-vpn.nft'));
    assert.match(text, /iifname "pgt0" oifname "pgvabc12345" ct status dnat/);
    assert.match(text, /oifname "pgvabc12345" masquerade/);
    assert.match(text, /iifname "pgvabc12345" drop/);
  });

  it('with no translation, forwards nothing (and renders no empty anonymous map)', () => {
    const text = renderAgentRuleset([], ifaces);
    assertGolden(text, golden('agent-empty.nft'));
    assert.doesNotMatch(text, /\{ \}/);
  });

  it('canonicalises and de-duplicates translations', () => {
    const once = renderAgentRuleset([{ mapped: '100.80.1.0/24', real: '192.168.1.0/24' }], ifaces);
    const twice = renderAgentRuleset(
      [
        { mapped: '100.80.1.9/24', real: '192.168.1.0/24' },
        { mapped: '100.80.1.0/24', real: '192.168.1.77/24' },
      ],
      ifaces,
    );
    assert.equal(twice, once);
  });

  it('refuses a mapped prefix translated to two subnets, and prefixes of different length', () => {
    assert.throws(() =>
      renderAgentRuleset(
        [
          { mapped: '100.80.1.0/24', real: '192.168.1.0/24' },
          { mapped: '100.80.1.0/24', real: '192.168.2.0/24' },
        ],
        ifaces,
      ),
    );
    assert.throws(() => renderAgentRuleset([{ mapped: '100.80.1.0/24', real: '192.168.0.0/16' }], ifaces));
  });

  it('issue 9 hosted server: user clients (its tunnel network) reach the direct VPN\'s subnets back through its interface, with replies; nothing else is opened', () => {
    const text = renderAgentRuleset([{ mapped: '100.80.2.0/24', real: '10.40.0.0/24' }], ifaces, 'plantgate', ['pgvhost0'], [{ iface: 'pgvhost0', network: '100.96.0.0/24', subnets: ['10.40.0.0/24'] }]);
    assert.match(text, /iifname "pgvhost0" oifname "pgvhost0" ip saddr 100\.96\.0\.0\/24 ip daddr 10\.40\.0\.0\/24 accept/);
    assert.match(text, /iifname "pgvhost0" oifname "pgvhost0" ip daddr 100\.96\.0\.0\/24 ct direction reply accept/);
    assert.match(text, /iifname "pgvhost0" drop/, 'clients do not reach the agent host');
    assert.doesNotMatch(text, /iifname "pgvhost0" oifname "pgt0"(?! ct direction reply)/, 'nor the site tunnel, except replies');
    assert.throws(() => renderAgentRuleset([], ifaces, 'plantgate', ['pgvhost0'], [{ iface: 'bad name', network: '100.96.0.0/24', subnets: ['10.40.0.0/24'] }]));
  });
});
