import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderGatewayOpenVpnServer } from './gateway-server-config.ts';

const server = {
  transport: 'udp' as const,
  port: 1194,
  interfaceName: 'pgo0',
  serviceTunnelIp: '100.64.0.1',
  managementSocket: '/var/lib/plantgate/ovpn/udp/mgmt.sock',
  files: { ca: '/d/ca.pem', cert: '/d/cert.pem', key: '/d/key.pem', tlsCrypt: '/d/tls-crypt.key', crl: '/d/crl.pem' },
};

describe('renderGatewayOpenVpnServer', () => {
  it('P9: clients are admitted over the management interface, certificate only, CRL checked, the tun holds only the service /32', () => {
    const text = renderGatewayOpenVpnServer(server);
    for (const line of ['management-client-auth', 'auth-user-pass-optional', 'crl-verify /d/crl.pem', 'remote-cert-tls client', 'ifconfig 100.64.0.1 255.255.255.255', 'proto udp', 'dev pgo0']) {
      assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
    }
    assert.ok(!/\bserver \d/.test(text), 'no address pool: every address comes from the desired document');
  });
  it('TCP runs as tcp-server', () => assert.match(renderGatewayOpenVpnServer({ ...server, transport: 'tcp' }), /^proto tcp-server$/m));
  const bad: Array<[string, Partial<typeof server>, RegExp]> = [
    ['an interface name with a space', { interfaceName: 'pg o0' }, /interface name/],
    ['port 0', { port: 0 }, /port/],
    ['a path with a newline (directive injection)', { managementSocket: '/x\nscript-security 3' }, /path/],
  ];
  for (const [name, change, message] of bad) it(`refuses ${name}`, () => assert.throws(() => renderGatewayOpenVpnServer({ ...server, ...change }), message));
});
