import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProfileConfigParts, RegionCreateRequest } from './api.ts';

const KEY = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
const parts = () => ({
  profile: { id: 'p1', kind: 'wireguard', status: 'active', publicKey: KEY, tunnelIp: '100.64.0.2', createdAt: 'x', rotatedAt: null, revokedAt: null },
  servicePublicKey: KEY,
  regions: [{ name: 'eu-central', endpoint: 'vpn-eu.example.test:51820' }],
  allowedIps: ['100.80.0.0/12', '10.30.0.0/24'],
});

describe('RegionCreateRequest: the server refuses a region endpoint that is not a strict HOST:PORT (issue 7 item 4)', () => {
  const rows: Array<[string, boolean]> = [
    ['vpn-eu.example.test:51820', true],
    ['gw.example.test:51820\nPostUp = touch /tmp/owned', false],
    ['gw.example.test:51820\n', false],
    [' gw.example.test:51820', false],
    ['...:1', false],
  ];
  for (const [endpoint, ok] of rows) {
    it(`${JSON.stringify(endpoint)} → ${ok ? 'accepted' : '400 on endpoint'}`, () => {
      const parsed = RegionCreateRequest.safeParse({ name: 'eu-central', endpoint });
      assert.equal(parsed.success, ok);
      if (!ok)
        assert.deepEqual(
          parsed.error?.issues.map((i) => i.path.join('.')),
          ['endpoint'],
        );
    });
  }
});

describe('ProfileConfigParts: what a client writes into a config is strict (issue 7 item 4)', () => {
  const rows: Array<[string, (p: ReturnType<typeof parts>) => void, string]> = [
    [
      'region endpoint with a newline',
      (p) => {
        p.regions[0]!.endpoint = 'gw.example.test:51820\nPostUp = id';
      },
      'regions.0.endpoint',
    ],
    [
      'region name with a newline (goes into a comment)',
      (p) => {
        p.regions[0]!.name = 'eu\nPostUp = id';
      },
      'regions.0.name',
    ],
    [
      'AllowedIPs entry that is no CIDR',
      (p) => {
        p.allowedIps = ['0.0.0.0/0\nPostUp = id'];
      },
      'allowedIps.0',
    ],
    [
      'service key that is no key',
      (p) => {
        p.servicePublicKey = `${KEY}\n`;
      },
      'servicePublicKey',
    ],
    [
      'tunnel IP that is no address',
      (p) => {
        p.profile.tunnelIp = '100.64.0.2/32\nDNS = 1.1.1.1';
      },
      'profile.tunnelIp',
    ],
  ];
  for (const [name, spoil, path] of rows) {
    it(`refuses: ${name}`, () => {
      const p = parts();
      spoil(p);
      const parsed = ProfileConfigParts.safeParse(p);
      assert.equal(parsed.success, false);
      assert.deepEqual(
        parsed.error?.issues.map((i) => i.path.join('.')),
        [path],
      );
    });
  }
  it('accepts a good answer', () => assert.equal(ProfileConfigParts.safeParse(parts()).success, true));
});
