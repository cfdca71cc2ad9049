import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressionLine, endpointText, renderHostedWireGuardSetconf, renderOpenVpnClientProfile, renderWireGuardClientProfile } from './hosted-profile.ts';
import { parseWireGuardConfig } from './wireguard-config.ts';
import { parseOpenVpnConfig } from './openvpn-config.ts';

const KEY_A = 'YOzmnoN+PJwW4kTW2Xm1a4wvYj1kpGOyTUx7bU5IcnU=';
const KEY_B = 'kNlRdXOoBhAlOYRVDtXMSaDJx/o+hQtGZmeF5ABJUF4=';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('hosted direct VPN profiles (issue 9 D6/D9)', () => {
  const wg = { name: 'plant-router', privateKey: KEY_A, tunnelIp: '100.96.0.2', serverPublicKey: KEY_B, serverIp: '100.96.0.1', endpoint: { host: '203.0.113.7', port: 51820 }, subnets: ['10.40.0.0/24'] };

  it('a site client\u2019s .conf parses with plantgate\u2019s own parser: its key, its /32, the server as endpoint, only the server address routed', () => {
    const parsed = parseWireGuardConfig(renderWireGuardClientProfile({ ...wg, kind: 'site' }));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.config.privateKey, KEY_A);
    assert.deepEqual(parsed.config.addresses, ['100.96.0.2/32']);
    assert.equal(parsed.config.peers[0]?.endpoint, '203.0.113.7:51820');
    assert.deepEqual(parsed.config.peers[0]?.allowedIps, ['100.96.0.1/32']);
  });

  it('a user client\u2019s .conf also routes the direct VPN\u2019s subnets (and never a default route)', () => {
    const text = renderWireGuardClientProfile({ ...wg, kind: 'user' });
    assert.match(text, /AllowedIPs = 100\.96\.0\.1\/32, 10\.40\.0\.0\/24/);
    assert.doesNotMatch(text, /0\.0\.0\.0\/0|PostUp|PreUp/);
  });

  const refusals: Array<{ name: string; change: Record<string, unknown> }> = [
    { name: 'a host with a space', change: { endpoint: { host: 'a b', port: 1 } } },
    { name: 'a key that is not one', change: { privateKey: 'x' } },
    { name: 'a default route as subnet', change: { subnets: ['0.0.0.0/0'], kind: 'user' } },
    { name: 'a tunnel address with a newline', change: { tunnelIp: '1.2.3.4\nPostUp = x' } },
  ];
  for (const c of refusals) {
    it(`renderWireGuardClientProfile refuses ${c.name}`, () => assert.throws(() => renderWireGuardClientProfile({ ...wg, kind: 'site', ...c.change } as never)));
  }

  it('an .ovpn with inline ca/cert/key/tls-crypt parses with plantgate\u2019s own OpenVPN parser (the router side of D5)', () => {
    const text = renderOpenVpnClientProfile({
      name: 'plant-router',
      kind: 'user',
      transport: 'tcp',
      endpoint: { host: 'agent.example', port: 1194 },
      serverIp: '100.96.0.1',
      subnets: ['10.40.0.0/24'],
      serverCommonName: 'plantgate server Router C',
      ca: PEM,
      cert: PEM,
      key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
      tlsCrypt: '-----BEGIN OpenVPN Static key V1-----\nab\n-----END OpenVPN Static key V1-----\n',
      crypto: { cipher: 'AES-128-CBC', auth: 'SHA1', compression: 'comp-lzo', tlsMin: '1.0' },
    });
    assert.match(text, /^proto tcp-client$/m);
    assert.match(text, /^remote agent\.example 1194$/m);
    assert.match(text, /^route 10\.40\.0\.0 255\.255\.255\.0$/m);
    assert.match(text, /^comp-lzo$/m);
    assert.match(text, /<tls-crypt>\n-----BEGIN OpenVPN Static key V1-----/);
    const parsed = parseOpenVpnConfig(text);
    assert.ok(parsed.ok, JSON.stringify(parsed.ok ? null : parsed.problems));
  });

  // the same text the agent's server config renders (openvpn-crypto compressionDirective)
  const compression: Array<[string, string | null]> = [
    ['lz4-v2', 'compress lz4-v2'],
    ['lzo', 'comp-lzo'],
    ['comp-lzo', 'comp-lzo'],
    ['compress lz4', 'compress lz4'],
    ['comp-lzo no', 'comp-lzo no'],
    ['no', null],
  ];
  for (const [input, want] of compression) it(`compressionLine(${input}) → ${want}`, () => assert.equal(compressionLine(input), want));
  it('compressionLine refuses an unknown or injected value', () => assert.throws(() => compressionLine('lzo\nup /bin/sh')));

  it('endpointText brackets IPv6 and refuses junk', () => {
    assert.equal(endpointText({ host: 'fd00::1', port: 51820 }), '[fd00::1]:51820');
    assert.throws(() => endpointText({ host: 'x;y', port: 1 }));
  });

  it('the agent\u2019s hosted setconf lists each client with exactly its AllowedIPs and the listen port; a default route is refused', () => {
    const text = renderHostedWireGuardSetconf(KEY_A, 51820, [
      { publicKey: KEY_B, allowedIps: ['10.40.0.0/24', '100.96.0.2/32'] },
    ]);
    assert.equal(text, `[Interface]\nPrivateKey = ${KEY_A}\nListenPort = 51820\n\n[Peer]\nPublicKey = ${KEY_B}\nAllowedIPs = 10.40.0.0/24, 100.96.0.2/32\n`);
    assert.throws(() => renderHostedWireGuardSetconf(KEY_A, 51820, [{ publicKey: KEY_B, allowedIps: ['0.0.0.0/0'] }]));
    assert.throws(() => renderHostedWireGuardSetconf(KEY_A, 0, []));
  });
});
