import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderWireGuardConf, UnsafeWireGuardValueError, type WireGuardConf } from './wireguard-conf.ts';
import { isWireGuardKey } from './wireguard-key.ts';

describe('renderWireGuardConf', () => {
  it('renders the personal profile wg-quick reads (golden)', () => {
    const text = renderWireGuardConf({
      comments: ['plantgate personal VPN — alice@solarco.example'],
      privateKey: 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=',
      addresses: ['100.64.1.2/32'],
      peers: [
        {
          publicKey: 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=',
          endpoint: 'vpn-eu.example.test:51820',
          allowedIps: ['100.80.0.0/12', '192.168.1.0/24'],
          persistentKeepalive: 25,
        },
      ],
    });
    assert.equal(
      text,
      `# plantgate personal VPN — alice@solarco.example
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 100.64.1.2/32

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
Endpoint = vpn-eu.example.test:51820
AllowedIPs = 100.80.0.0/12, 192.168.1.0/24
PersistentKeepalive = 25
`,
    );
  });
});

describe('renderWireGuardConf refuses values that would inject lines (issue 7 item 4, defence in depth)', () => {
  const good = (): WireGuardConf => ({
    comments: ['plantgate personal VPN profile p1', 'region eu-central'],
    privateKey: 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=',
    addresses: ['100.64.1.2/32'],
    peers: [
      {
        publicKey: 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=',
        endpoint: 'vpn-eu.example.test:51820',
        allowedIps: ['100.80.0.0/12'],
        persistentKeepalive: 25,
      },
    ],
  });
  const rows: Array<[string, (c: WireGuardConf) => void, string]> = [
    [
      'region endpoint with a newline and PostUp',
      (c) => {
        c.peers[0]!.endpoint = 'gw.example.test:51820\nPostUp = touch /tmp/owned';
      },
      'peers[0].endpoint',
    ],
    [
      'endpoint with a carriage return',
      (c) => {
        c.peers[0]!.endpoint = 'gw.example.test:51820\r';
      },
      'peers[0].endpoint',
    ],
    [
      'AllowedIPs entry with a newline',
      (c) => {
        c.peers[0]!.allowedIps = ['100.80.0.0/12\nPostUp = id'];
      },
      'peers[0].allowedIps[0]',
    ],
    [
      'AllowedIPs entry that is no CIDR',
      (c) => {
        c.peers[0]!.allowedIps = ['0.0.0.0/0, ::/0'];
      },
      'peers[0].allowedIps[0]',
    ],
    [
      'peer key with a newline',
      (c) => {
        c.peers[0]!.publicKey = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nPostUp = id';
      },
      'peers[0].publicKey',
    ],
    [
      'address with a newline',
      (c) => {
        c.addresses = ['100.64.1.2/32\nDNS = 1.1.1.1'];
      },
      'addresses[0]',
    ],
    [
      'comment (region name) with a newline',
      (c) => {
        c.comments = ['region eu\nPostUp = id'];
      },
      'comments[0]',
    ],
    [
      'private key that is no key',
      (c) => {
        c.privateKey = 'x';
      },
      'privateKey',
    ],
  ];
  for (const [name, spoil, field] of rows) {
    it(`refuses: ${name}`, () => {
      const conf = good();
      spoil(conf);
      assert.throws(
        () => renderWireGuardConf(conf),
        (e: unknown) => e instanceof UnsafeWireGuardValueError && e.field === field,
      );
    });
  }
  it('accepts the good config', () => assert.match(renderWireGuardConf(good()), /Endpoint = vpn-eu\.example\.test:51820\n/));
});

describe('isWireGuardKey', () => {
  const rows: Array<[string, boolean]> = [
    ['xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=', true],
    ['xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg', false],
    ['not a key', false],
    ['xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dh=', false], // trailing bits must be zero
    ['', false],
  ];
  for (const [input, ok] of rows) it(`${JSON.stringify(input)} → ${ok}`, () => assert.equal(isWireGuardKey(input), ok));
});
