import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProfileConfigParts } from '../wire/api.ts';
import { renderProfileConf } from './profile-conf.ts';

const KEY_A = 'qEXv4H8NDlW0jpw4IVN9H2ZYUvTQkdtRQ1u0c3Bv1Gc=';
const KEY_B = 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=';
const parts: ProfileConfigParts = {
  profile: {
    id: 'p1',
    kind: 'wireguard',
    status: 'active',
    publicKey: KEY_B,
    tunnelIp: '100.64.0.2',
    createdAt: '2026-01-01T00:00:00.000Z',
    rotatedAt: null,
    revokedAt: null,
  },
  servicePublicKey: KEY_B,
  regions: [
    { name: 'eu', endpoint: 'vpn-eu.example.com:51820' },
    { name: 'us', endpoint: 'vpn-us.example.com:51820' },
  ],
  allowedIps: ['100.80.0.0/12', '192.168.1.0/24'],
};

test('P1: the device renders the whole config around its own private key, the other regions named', () => {
  const text = renderProfileConf(parts, KEY_A, { name: 'eu', endpoint: 'vpn-eu.example.com:51820' }, 'issued', new Date('2026-02-03T04:05:06.000Z'));
  assert.equal(
    text,
    [
      '# plantgate personal VPN profile p1, issued 2026-02-03T04:05:06.000Z',
      '# region eu; other regions: us vpn-us.example.com:51820',
      '[Interface]',
      `PrivateKey = ${KEY_A}`,
      'Address = 100.64.0.2/32',
      '',
      '[Peer]',
      `PublicKey = ${KEY_B}`,
      'Endpoint = vpn-eu.example.com:51820',
      'AllowedIPs = 100.80.0.0/12, 192.168.1.0/24',
      'PersistentKeepalive = 25',
      '',
    ].join('\n'),
  );
});

test('issue 7 item 4: a region endpoint with a line break is refused, not written', () => {
  assert.throws(() => renderProfileConf(parts, KEY_A, { name: 'eu', endpoint: 'x:1\nPostUp = id' }, 'issued', new Date(0)), /endpoint/);
});

test('P8 (issue 11): with a service name the file dials it, whatever region was picked, and stays a standard WireGuard file', () => {
  const withName = { ...parts, serviceEndpoint: 'vpn.example.com:51820' };
  for (const region of withName.regions) {
    const text = renderProfileConf(withName, KEY_A, region, 'issued', new Date('2026-02-03T04:05:06.000Z'));
    assert.match(text, /^Endpoint = vpn\.example\.com:51820$/m);
    assert.match(text, /^# service vpn\.example\.com:51820: answered by the healthy regions, nearest first \(eu, us\)$/m);
    assert.doesNotMatch(text, /vpn-(eu|us)/);
  }
});
