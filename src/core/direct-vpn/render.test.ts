import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertGolden } from '../../../test/golden.ts';
import { parseOpenVpnConfig } from './openvpn-config.ts';
import { renderOpenVpnClientConfig } from './openvpn-render.ts';
import { parseWireGuardConfig } from './wireguard-config.ts';
import { renderWireGuardSetconf } from './wireguard-render.ts';

const corpus = (name: string) => readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8');
const golden = (name: string) => new URL(`./__golden__/${name}`, import.meta.url);
const options = { interfaceName: 'pgd0', managementSocket: '/run/plantgate/direct-vpn/dv1.sock', credentialsFile: '/run/plantgate/direct-vpn/dv1.auth' };

describe('renderWireGuardSetconf: the agent config comes from the parsed model, never the upload', () => {
  for (const file of ['fritzbox-wireguard.conf', 'opnsense-wireguard.conf', 'pfsense-wireguard.conf', 'windows-crlf-bom-wireguard.conf']) {
    it(`${file} (subnets: the ones the config names)`, () => {
      const parsed = parseWireGuardConfig(corpus(file));
      assert.ok(parsed.ok);
      const text = renderWireGuardSetconf(parsed.config, parsed.subnetsFromConfig);
      assertGolden(text, golden(file.replace('.conf', '.setconf')));
      assert.doesNotMatch(text, /\b(DNS|Table|SaveConfig|Address|PostUp|0\.0\.0\.0\/[01]|::\/[01])\b/);
      assert.doesNotMatch(text, /\r|\ufeff/);
    });
  }

  it('D5: the routed ranges are the chosen subnets only, even when the upload allowed more', () => {
    const parsed = parseWireGuardConfig(corpus('mikrotik-wireguard.conf'));
    assert.ok(parsed.ok);
    const text = renderWireGuardSetconf(parsed.config, ['10.20.1.0/24']);
    assert.match(text, /^AllowedIPs = 10\.20\.1\.0\/24$/m);
    assert.doesNotMatch(text, /10\.20\.0\.0\/16/);
  });

  it('several peers: each subnet goes to the peer whose uploaded AllowedIPs contain it', () => {
    const parsed = parseWireGuardConfig(corpus('pfsense-wireguard.conf'));
    assert.ok(parsed.ok);
    const text = renderWireGuardSetconf(parsed.config, ['192.168.50.0/24', '192.168.51.0/25', '10.99.0.0/16']);
    const peers = text.split('[Peer]').slice(1);
    assert.match(peers[0] ?? '', /AllowedIPs = 192\.168\.50\.0\/24, 10\.99\.0\.0\/16/);
    assert.match(peers[1] ?? '', /AllowedIPs = 192\.168\.51\.0\/25/);
  });

  it('a default route or a non-canonical subnet never reaches the rendered text (it throws: a bug upstream)', () => {
    const parsed = parseWireGuardConfig(corpus('fritzbox-wireguard.conf'));
    assert.ok(parsed.ok);
    assert.throws(() => renderWireGuardSetconf(parsed.config, ['0.0.0.0/0']), /default route/);
    assert.throws(() => renderWireGuardSetconf(parsed.config, ['128.0.0.0/1']), /default route/);
    assert.throws(() => renderWireGuardSetconf(parsed.config, ['10.1.2.3/16']), /canonical/);
  });
});

describe('renderOpenVpnClientConfig: the agent config comes from the parsed model, never the upload', () => {
  for (const file of ['mikrotik-openvpn.ovpn', 'opnsense-openvpn.ovpn', 'pfsense-openvpn.ovpn', 'teltonika-openvpn.ovpn', 'windows-openvpn-crlf-bom.ovpn']) {
    it(file, () => {
      const parsed = parseOpenVpnConfig(corpus(file));
      assert.ok(parsed.ok);
      const subnets = parsed.subnetsFromConfig.length > 0 ? parsed.subnetsFromConfig : ['192.168.88.0/24'];
      const text = renderOpenVpnClientConfig(parsed.config, { ...options, subnets });
      assertGolden(text, golden(file.replace('.ovpn', '.rendered.ovpn')));
      assert.doesNotMatch(text, /^(redirect-gateway|dhcp-option|block-outside-dns|setenv|up|down|script-security)\b/m);
      assert.doesNotMatch(text, /^route 0\.0\.0\.0 /m);
      assert.doesNotMatch(text, /\r|\ufeff/);
    });
  }

  it('D5: pushed routes, redirect-gateway and DNS are filtered; only the chosen subnets are routed', () => {
    const parsed = parseOpenVpnConfig(corpus('teltonika-openvpn.ovpn'));
    assert.ok(parsed.ok);
    const text = renderOpenVpnClientConfig(parsed.config, { ...options, subnets: ['192.168.1.0/25', 'fd00:1::/64'] });
    for (const option of ['redirect-gateway', 'route ', 'route-ipv6', 'dhcp-option']) assert.match(text, new RegExp(`^pull-filter ignore "${option}"$`, 'm'));
    assert.deepEqual(text.match(/^route(-ipv6)? .*$/gm), ['route 192.168.1.0 255.255.255.128', 'route-ipv6 fd00:1::/64']);
  });

  it('needs credentials: refuses to render without a credentials file; with one, names it', () => {
    const parsed = parseOpenVpnConfig(corpus('mikrotik-openvpn.ovpn'));
    assert.ok(parsed.ok);
    assert.throws(() => renderOpenVpnClientConfig(parsed.config, { ...options, credentialsFile: null, subnets: [] }), /credentials/);
    assert.match(renderOpenVpnClientConfig(parsed.config, { ...options, subnets: [] }), /^auth-user-pass \/run\/plantgate\/direct-vpn\/dv1\.auth$/m);
  });
});
