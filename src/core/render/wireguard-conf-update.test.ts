import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOwnedLines, updateOwnedLines } from './wireguard-conf-update.ts';

const SERVICE = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
const OTHER = 'k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=';

const USER_EDITED = `# plantgate personal VPN profile p1, issued 2026-01-01T00:00:00.000Z
# region eu-central; other regions: us-east us.example.test:51820
# my laptop, do not share
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 100.64.1.2/32
MTU = 1380
DNS = 10.30.0.53

[Peer]
PublicKey = ${SERVICE}
Endpoint = vpn-eu.example.test:51820
AllowedIPs = 100.80.0.0/12
PersistentKeepalive = 25

[Peer]
# home router
PublicKey = ${OTHER}
AllowedIPs = 192.168.178.0/24
`;

describe('updateOwnedLines: vpn refresh changes only what plantgate owns (issue 7 item 11)', () => {
  it('refresh keeps MTU, DNS, the user\u2019s comments and other peers; rewrites AllowedIPs, Endpoint and the region comment', () => {
    const r = updateOwnedLines(USER_EDITED, {
      peerPublicKey: SERVICE,
      endpoint: 'us.example.test:51820',
      allowedIps: ['100.80.0.0/12', '192.168.1.0/24'],
      regionComment: 'region us-east; other regions: eu-central vpn-eu.example.test:51820',
    });
    assert.ok(r.ok);
    assert.equal(
      r.text,
      USER_EDITED.replace('Endpoint = vpn-eu.example.test:51820', 'Endpoint = us.example.test:51820')
        .replace('AllowedIPs = 100.80.0.0/12\n', 'AllowedIPs = 100.80.0.0/12, 192.168.1.0/24\n')
        .replace('# region eu-central; other regions: us-east us.example.test:51820', '# region us-east; other regions: eu-central vpn-eu.example.test:51820'),
    );
  });
  it('keeps CRLF line endings', () => {
    const crlf = USER_EDITED.replaceAll('\n', '\r\n');
    const r = updateOwnedLines(crlf, { peerPublicKey: SERVICE, endpoint: 'vpn-eu.example.test:51820', allowedIps: ['100.80.0.0/12', '10.30.0.0/24'] });
    assert.ok(r.ok);
    assert.equal(r.text, crlf.replace('AllowedIPs = 100.80.0.0/12\r\n', 'AllowedIPs = 100.80.0.0/12, 10.30.0.0/24\r\n'));
  });
  it('several AllowedIPs lines of the service peer become one; a missing Endpoint is added after PublicKey', () => {
    const text = `[Interface]\nPrivateKey = x\n[Peer]\nPublicKey = ${SERVICE}\nAllowedIPs = 1.0.0.0/8\nallowedips = 2.0.0.0/8\n`;
    const r = updateOwnedLines(text, { peerPublicKey: SERVICE, endpoint: 'gw.example.test:1', allowedIps: ['100.80.0.0/12'] });
    assert.ok(r.ok);
    assert.equal(r.text, `[Interface]\nPrivateKey = x\n[Peer]\nPublicKey = ${SERVICE}\nEndpoint = gw.example.test:1\nAllowedIPs = 100.80.0.0/12\n`);
  });
  it('refuses a file without the service peer', () => {
    const r = updateOwnedLines(USER_EDITED.replace(SERVICE, OTHER.replace('k7', 'k8')), {
      peerPublicKey: SERVICE,
      endpoint: 'gw.example.test:1',
      allowedIps: [],
    });
    assert.equal(r.ok ? 'ok' : r.reason, 'no-service-peer');
  });
  const unsafe: Array<[string, { endpoint?: string; allowedIps?: string[]; regionComment?: string }]> = [
    ['endpoint with a newline and PostUp', { endpoint: 'gw.example.test:51820\nPostUp = id' }],
    ['AllowedIPs with a newline', { allowedIps: ['100.80.0.0/12\nPostUp = id'] }],
    ['region comment with a newline', { regionComment: 'region x\nPostUp = id' }],
  ];
  for (const [name, spoil] of unsafe) {
    it(`refuses an unsafe value: ${name}`, () => {
      const r = updateOwnedLines(USER_EDITED, { peerPublicKey: SERVICE, endpoint: 'gw.example.test:1', allowedIps: ['100.80.0.0/12'], ...spoil });
      assert.equal(r.ok ? 'ok' : r.reason, 'unsafe-value');
    });
  }
});

describe('readOwnedLines', () => {
  it('reads the private key, the endpoint and the region of a profile', () => {
    assert.deepEqual(readOwnedLines(USER_EDITED.replaceAll('\n', '\r\n')), {
      privateKey: 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=',
      endpoint: 'vpn-eu.example.test:51820',
      region: 'eu-central',
    });
  });
});
