import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { otherProtocolHint, reviewOutgoingUpload } from './review.ts';
import type { DirectVpnSubnetContext } from './subnet-validation.ts';

const corpus = (name: string) => readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8');
const context: DirectVpnSubnetContext = {
  tunnelRanges: ['100.64.0.0/12'],
  mappedSpaces: ['100.80.0.0/12'],
  organizationVpnRoutes: [],
  otherDirectVpns: [{ name: 'Old router', subnets: ['192.168.50.0/24'] }],
};

describe('issue 9 contract: the create --json review of an outgoing upload', () => {
  it('FRITZ!Box export: the default route stripped with its line, DNS ignored, the LAN range routed', () => {
    const result = reviewOutgoingUpload({ protocol: 'wireguard', configText: corpus('fritzbox-wireguard.conf'), subnets: null, context });
    assert.deepEqual(result, {
      ok: true,
      review: {
        direction: 'outgoing',
        protocol: 'wireguard',
        subnets: ['192.168.178.0/24'],
        subnetsFromConfig: ['192.168.178.0/24'],
        stripped: [{ what: '0.0.0.0/0', line: 11 }],
        ignored: [
          { directive: 'DNS', line: 5 },
          { directive: 'DNS', line: 6 },
        ],
        needsCredentials: false,
        crypto: null,
      },
    });
  });

  it('dual stack: without chosen subnets the IPv4 ranges are routed, the IPv6 ones stay listed in subnetsFromConfig only', () => {
    const text = [
      '[Interface]',
      'PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=',
      'Address = 10.9.0.2/32, fd00:9::2/128',
      '[Peer]',
      'PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=',
      'Endpoint = 192.0.2.1:51820',
      'AllowedIPs = 10.40.0.0/24, fd10::/64, ::/0',
    ].join('\n');
    const result = reviewOutgoingUpload({ protocol: 'wireguard', configText: text, subnets: null, context });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.review.subnets, ['10.40.0.0/24']);
    assert.deepEqual(result.review.subnetsFromConfig, ['10.40.0.0/24', 'fd10::/64']);
    assert.deepEqual(result.review.stripped, [{ what: '::/0', line: 7 }]);
  });

  it('D5: an upload whose only route was the default route asks for explicit subnets, naming the removed line', () => {
    const result = reviewOutgoingUpload({ protocol: 'openvpn', configText: corpus('mikrotik-openvpn.ovpn'), subnets: null, context });
    assert.ok(!result.ok && result.field === 'subnets');
    assert.match(result.problems[0]?.message ?? '', /default route \(redirect-gateway def1, line 17\) was removed; name the plant subnets/);
  });

  it('D2: the advanced settings win over the upload; the rest of the crypto comes from the upload', () => {
    const result = reviewOutgoingUpload({
      protocol: 'openvpn',
      configText: corpus('teltonika-openvpn.ovpn'),
      subnets: ['192.168.1.0/24'],
      advanced: { cipher: 'AES-256-CBC' },
      context,
    });
    assert.ok(result.ok);
    assert.deepEqual(result.review.crypto, { cipher: 'AES-256-CBC', auth: 'SHA1', compression: 'comp-lzo', tlsMin: '1.0' });
    assert.deepEqual(result.review.stripped, [{ what: '0.0.0.0/0', line: 18 }]);
  });

  it('D4: a chosen subnet that clashes with another direct VPN is refused under "subnets"', () => {
    const result = reviewOutgoingUpload({ protocol: 'openvpn', configText: corpus('pfsense-openvpn.ovpn'), subnets: null, context });
    assert.ok(!result.ok && result.field === 'subnets');
    assert.match(result.problems[0]?.message ?? '', /subnets\[0\]: 192\.168\.50\.0\/24 overlaps 192\.168\.50\.0\/24, direct VPN "Old router"/);
  });

  it('D5: a refused upload answers under "config" with line and directive', () => {
    const text = corpus('opnsense-wireguard.conf').replace('MTU = 1420', 'PostUp = iptables -F');
    const result = reviewOutgoingUpload({ protocol: 'wireguard', configText: text, subnets: ['172.16.40.0/22'], context });
    assert.ok(!result.ok && result.field === 'config');
    assert.deepEqual(
      result.problems.map((p) => [p.line, p.directive]),
      [[7, 'PostUp']],
    );
  });
});

describe('a config uploaded under the other protocol', () => {
  const cases: Array<[string, 'wireguard' | 'openvpn', string, RegExp | null]> = [
    ['an .ovpn chosen as WireGuard: choose openvpn', 'wireguard', corpus('mikrotik-openvpn.ovpn'), /OpenVPN profile .* choose protocol openvpn/],
    ['a .conf chosen as OpenVPN: choose wireguard', 'openvpn', corpus('fritzbox-wireguard.conf'), /WireGuard \.conf.* choose protocol wireguard/],
    ['a broken WireGuard .conf gets no protocol hint', 'wireguard', '[Interface]\nPrivateKey = nope\n', null],
  ];
  for (const [name, protocol, text, hint] of cases) {
    it(name, () => {
      const found = otherProtocolHint(protocol, text);
      if (hint === null) assert.equal(found, null);
      else assert.match(found?.message ?? '', hint);
      const result = reviewOutgoingUpload({ protocol, configText: text, subnets: null, context });
      assert.equal(result.ok, false);
      if (hint !== null && !result.ok) assert.match(result.problems[0]?.message ?? '', hint);
    });
  }
});
