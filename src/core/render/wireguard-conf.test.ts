import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderWireGuardConf } from './wireguard-conf.ts';
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
