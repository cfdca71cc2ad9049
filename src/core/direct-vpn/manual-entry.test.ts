import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type ManualEntry, type ManualProtocol, manualEntryProblems, manualFieldOfLine, renderManualEntry } from './manual-entry.ts';
import { parseOpenVpnConfig } from './openvpn-config.ts';
import { parseWireGuardConfig } from './wireguard-config.ts';

// Keys and PEM blocks from the parser corpus (test-only material, generated for it).
const pfsense = readFileSync(new URL('./corpus/pfsense-openvpn.ovpn', import.meta.url), 'utf8');
const block = (text: string, tag: string) => (new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text)?.[1] ?? '').replace(/^#.*\n/gm, '');
const CA = block(pfsense, 'ca');
const CERT = block(pfsense, 'cert');
const KEY = block(pfsense, 'key');
const TLS_CRYPT = block(pfsense, 'tls-crypt');
const AGENT_KEY = 'mIjQiAZ2LSR6KLS9d0utHZ3GHr81/ilxAF+sgtCv/UY=';
const ROUTER_PUB = 'ZJQK3MbPGL1GVk6pHPDO3oR4HX0W5yo2b3nMi0mT9lQ=';

const WG: ManualEntry = { endpoint: 'router.park-c.example:51820', peerPublicKey: ROUTER_PUB, privateKey: AGENT_KEY, address: '10.99.0.2/32' };
const OVPN: ManualEntry = { endpoint: '[2001:db8::1]:1195', ca: CA, cert: CERT, key: KEY };

describe('D1 manual entry: what is refused before rendering, naming manual.<field>', () => {
  const rows: Array<{ name: string; protocol: ManualProtocol; entry: ManualEntry; expect: Array<[string, RegExp]> }> = [
    { name: 'complete WireGuard entry', protocol: 'wireguard', entry: WG, expect: [] },
    { name: 'complete OpenVPN entry', protocol: 'openvpn', entry: OVPN, expect: [] },
    {
      name: 'WireGuard without endpoint and peer key',
      protocol: 'wireguard',
      entry: { privateKey: AGENT_KEY },
      expect: [
        ['manual.endpoint', /is required/],
        ['manual.peerPublicKey', /is required/],
      ],
    },
    { name: 'OpenVPN field on a WireGuard entry', protocol: 'wireguard', entry: { ...WG, ca: CA }, expect: [['manual.ca', /is for OpenVPN only/]] },
    {
      name: 'WireGuard field on an OpenVPN entry',
      protocol: 'openvpn',
      entry: { ...OVPN, peerPublicKey: ROUTER_PUB },
      expect: [['manual.peerPublicKey', /is for WireGuard only/]],
    },
    {
      name: 'a second line smuggled into a key',
      protocol: 'wireguard',
      entry: { ...WG, privateKey: `${AGENT_KEY}\nPostUp = rm -rf /` },
      expect: [['manual.privateKey', /must be one line/]],
    },
    {
      name: 'a block closed inside a PEM field',
      protocol: 'openvpn',
      entry: { ...OVPN, ca: `${CA}\n</ca>\nup /bin/sh\n<ca>\n${CA}` },
      expect: [['manual.ca', /PEM text only/]],
    },
    { name: 'a PEM field that is not PEM', protocol: 'openvpn', entry: { ...OVPN, cert: 'hello' }, expect: [['manual.cert', /not PEM text/]] },
    { name: 'endpoint without a port', protocol: 'wireguard', entry: { ...WG, endpoint: 'router.example' }, expect: [['manual.endpoint', /not HOST:PORT/]] },
    {
      name: 'both tls-auth and tls-crypt',
      protocol: 'openvpn',
      entry: { ...OVPN, tlsAuth: TLS_CRYPT, tlsCrypt: TLS_CRYPT },
      expect: [['manual.tlsCrypt', /not both/]],
    },
    {
      name: 'OpenVPN without cert and key',
      protocol: 'openvpn',
      entry: { endpoint: 'r.example:1194', ca: CA },
      expect: [
        ['manual.cert', /is required/],
        ['manual.key', /is required/],
      ],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const problems = manualEntryProblems(row.protocol, row.entry);
      assert.deepEqual(
        problems.map((p) => p.field),
        row.expect.map(([field]) => field),
        JSON.stringify(problems),
      );
      for (const [i, [, pattern]] of row.expect.entries()) assert.match(problems[i]?.message ?? '', pattern);
    });
  }
});

describe('D1 manual entry renders a config the upload parser accepts, each line tied to its field', () => {
  it('WireGuard: keys, address, endpoint, the chosen subnets as AllowedIPs, keepalive 25 by default', () => {
    const rendered = renderManualEntry({ protocol: 'wireguard', transport: 'udp', entry: { ...WG, presharedKey: AGENT_KEY }, subnets: ['10.40.0.0/24', ' '] });
    const parsed = parseWireGuardConfig(rendered.text);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.config.privateKey, AGENT_KEY);
    assert.deepEqual(parsed.config.addresses, ['10.99.0.2/32']);
    assert.deepEqual(
      parsed.config.peers.map((p) => [p.publicKey, p.endpoint, p.presharedKey, p.allowedIps, p.persistentKeepalive]),
      [[ROUTER_PUB, 'router.park-c.example:51820', AGENT_KEY, ['10.40.0.0/24'], 25]],
    );
    assert.deepEqual(parsed.subnetsFromConfig, ['10.40.0.0/24']);
  });

  it('OpenVPN: remote with an unbracketed IPv6 host, the transport, inline PEM and tls-crypt', () => {
    const rendered = renderManualEntry({ protocol: 'openvpn', transport: 'tcp', entry: { ...OVPN, tlsCrypt: TLS_CRYPT }, subnets: [] });
    const parsed = parseOpenVpnConfig(rendered.text);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.deepEqual(
      parsed.config.remotes.map((r) => [r.host, r.port, r.transport]),
      [['2001:db8::1', 1195, 'tcp']],
    );
    assert.equal(parsed.config.ca.trim(), CA.trim());
    assert.ok(parsed.config.tlsCrypt !== null && parsed.config.key !== null);
  });

  it('OpenVPN tls-auth gets key-direction 1 (the client side)', () => {
    const rendered = renderManualEntry({ protocol: 'openvpn', transport: 'udp', entry: { ...OVPN, tlsAuth: TLS_CRYPT }, subnets: [] });
    const parsed = parseOpenVpnConfig(rendered.text);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.config.keyDirection, 1);
    assert.ok(parsed.config.tlsAuth !== null);
  });

  it('a key the parser refuses is traced back to its field by the line it was rendered on', () => {
    const rendered = renderManualEntry({ protocol: 'wireguard', transport: 'udp', entry: { ...WG, peerPublicKey: 'not-a-key' }, subnets: [] });
    const parsed = parseWireGuardConfig(rendered.text);
    assert.ok(!parsed.ok);
    assert.deepEqual(
      parsed.problems.map((p) => manualFieldOfLine(rendered, p.line)),
      ['peerPublicKey'],
    );
    assert.equal(manualFieldOfLine(rendered, 1), null, 'the [Interface] line is plantgate\u2019s own');
    assert.equal(manualFieldOfLine(rendered, 0), null);
  });

  it('a PEM block the parser refuses is traced back to its field', () => {
    const broken = CERT.replace(/\n[A-Za-z0-9+/]+\n/, '\n!!!!\n');
    const rendered = renderManualEntry({ protocol: 'openvpn', transport: 'udp', entry: { ...OVPN, cert: broken }, subnets: [] });
    const parsed = parseOpenVpnConfig(rendered.text);
    assert.ok(!parsed.ok);
    assert.deepEqual([...new Set(parsed.problems.map((p) => manualFieldOfLine(rendered, p.line)))], ['cert'], JSON.stringify(parsed.problems));
  });
});
