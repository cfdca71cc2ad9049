import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrgVpnClientCredentials } from '../wire/org-vpn.ts';
import { renderOrgVpnConf, renderOrgVpnOvpn } from './org-vpn-conf.ts';

const pem = (label: string) => `-----BEGIN ${label}-----\nMIIBszCCAVmgAwIBAgIQ\n-----END ${label}-----\n`;
const TLS_CRYPT = '-----BEGIN OpenVPN Static key V1-----\n00112233445566778899aabbccddeeff\n-----END OpenVPN Static key V1-----\n';
const WG_KEY = 'Aq1X+EdMVhPxyg4HTHvsYEvdMhMsXotxawsvFCOsOw4=';
const NOW = new Date('2026-11-30T12:00:00Z');

function credentials(kind: 'site' | 'device', openvpn: boolean): OrgVpnClientCredentials {
  return {
    client: {
      id: '5b7c1e1a-0000-4000-8000-000000000002',
      name: kind === 'site' ? 'hq' : 'team-pc',
      kind,
      publicKey: openvpn ? null : WG_KEY,
      certificate: openvpn ? { serial: '1a2b', fingerprint: 'ff', notAfter: '2028-11-30T12:00:00.000Z' } : null,
      tunnelIp: '100.64.0.9',
      networks: kind === 'site' ? ['10.50.0.0/24'] : [],
      createdAt: NOW.toISOString(),
    },
    vpn: 'office',
    region: { name: 'eu-central', endpoint: 'vpn-eu.example.test:51820' },
    servicePublicKey: WG_KEY,
    allowedIps: ['100.80.0.0/12', '192.168.1.0/24'],
    privateKey: null,
    ...(openvpn ? { openvpn: { certificate: pem('CERTIFICATE'), ca: pem('CERTIFICATE'), tlsCrypt: TLS_CRYPT, port: 1194 } } : {}),
  };
}

describe('renderOrgVpnOvpn (an OpenVPN organization VPN client\u2019s .ovpn, SPEC O1 over P9)', () => {
  const rows: Array<[string, 'site' | 'device', RegExp[], RegExp[]]> = [
    [
      'O1: a site\u2019s file says to masquerade its networks to its tunnel address (as the WireGuard site\u2019s)',
      'site',
      [/^# plantgate organization VPN "office", site "hq"/m, /^# site router: forward 10\.50\.0\.0\/24 into this tunnel and masquerade them to 100\.64\.0\.9$/m],
      [/personal VPN profile/],
    ],
    ['O1: a device\u2019s file names the device and no networks', 'device', [/^# plantgate organization VPN "office", device "team-pc"/m], [/site router/, /personal VPN profile/]],
  ];
  for (const [name, kind, present, absent] of rows) {
    it(name, () => {
      const result = renderOrgVpnOvpn(credentials(kind, true), pem('PRIVATE KEY'), NOW);
      assert.ok(result.ok, JSON.stringify(result));
      for (const pattern of present) assert.match(result.text, pattern);
      for (const pattern of absent) assert.doesNotMatch(result.text, pattern);
      // only the VPN's region: its gateways alone admit the client; UDP before TCP; routes are pushed, never written
      assert.deepEqual(result.text.split('\n').filter((l) => l.startsWith('remote ')), ['remote vpn-eu.example.test 1194 udp', 'remote vpn-eu.example.test 1194 tcp']);
      assert.doesNotMatch(result.text, /^route /m);
      for (const line of ['client', 'dev tun', 'remote-cert-tls server', '<key>', '<tls-crypt>']) assert.ok(result.text.split('\n').includes(line), line);
    });
  }

  const refusals: Array<[string, OrgVpnClientCredentials, string, string]> = [
    ['an answer without OpenVPN parts (a WireGuard VPN) makes no .ovpn', credentials('device', false), pem('PRIVATE KEY'), 'openvpn'],
    ['a private key that is not one PEM block is refused', credentials('device', true), 'not a key', 'privateKey'],
  ];
  for (const [name, input, key, field] of refusals) {
    it(name, () => {
      const result = renderOrgVpnOvpn(input, key, NOW);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.field, field);
    });
  }

  it('O1: the WireGuard config of the same client is unchanged in shape (site comment, AllowedIPs, endpoint)', () => {
    const text = renderOrgVpnConf(credentials('site', false), WG_KEY, NOW);
    assert.match(text, /^# site router: forward 10\.50\.0\.0\/24 into this tunnel and masquerade them to 100\.64\.0\.9$/m);
    assert.match(text, /^AllowedIPs = 100\.80\.0\.0\/12, 192\.168\.1\.0\/24$/m);
    assert.match(text, /^Endpoint = vpn-eu\.example\.test:51820$/m);
  });
});
