import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientConfigFileName, managementQuoted, type OpenVpnServerModel, renderOpenVpnClientConfigDirEntry, renderOpenVpnServerConfig } from './openvpn-server-render.ts';

const model: OpenVpnServerModel = {
  transport: 'tcp',
  port: 1194,
  network: '10.8.0.0/24',
  ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----',
  cert: '-----BEGIN CERTIFICATE-----\nSRV\n-----END CERTIFICATE-----',
  key: '-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----',
  tlsCrypt: null,
  crypto: { cipher: 'AES-128-CBC', auth: 'SHA1', compression: 'lzo', tlsMin: '1.0' },
  clients: [],
  subnets: ['10.50.0.0/24'],
};
const paths = { interfaceName: 'pgvabc', managementSocket: '/run/x/mgmt.sock', crlFile: '/run/x/crl.pem', clientConfigDir: '/run/x/ccd' };

describe('hosted OpenVPN server config (issue 9, D2/D9)', () => {
  it('TCP server on the port, fixed addresses only (nopool, ccd-exclusive), CRL file, legacy crypto matched with SECLEVEL=0', () => {
    const text = renderOpenVpnServerConfig(model, paths);
    for (const line of [
      'proto tcp-server',
      'port 1194',
      'server 10.8.0.0 255.255.255.0 nopool',
      'ccd-exclusive',
      'crl-verify /run/x/crl.pem',
      'data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305:AES-128-CBC',
      'data-ciphers-fallback AES-128-CBC',
      'auth SHA1',
      'comp-lzo',
      'allow-compression asym',
      'tls-version-min 1.0',
      'tls-cipher DEFAULT:@SECLEVEL=0',
      'management /run/x/mgmt.sock unix',
    ]) {
      assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
    }
    assert.doesNotMatch(text, /^(up|down|script-security|client-connect)\b/m);
  });
  it('refuses a value that would add a directive', () => {
    assert.throws(() => renderOpenVpnServerConfig({ ...model, crypto: { ...model.crypto, cipher: 'AES-128-CBC\nup /bin/sh' } }, paths), /unsafe value/);
  });
  it('site client: fixed address + iroute per announced subnet; user client: the plant subnets pushed', () => {
    assert.equal(renderOpenVpnClientConfigDirEntry({ commonName: 'site', kind: 'site', tunnelIp: '10.8.0.2', subnets: ['10.50.0.0/24', '10.51.0.0/16'] }, model), 'ifconfig-push 10.8.0.2 255.255.255.0\niroute 10.50.0.0 255.255.255.0\niroute 10.51.0.0 255.255.0.0\n');
    assert.equal(renderOpenVpnClientConfigDirEntry({ commonName: 'u', kind: 'user', tunnelIp: '10.8.0.9', subnets: [] }, model), 'ifconfig-push 10.8.0.9 255.255.255.0\npush "route 10.50.0.0 255.255.255.0"\n');
    assert.throws(() => renderOpenVpnClientConfigDirEntry({ commonName: 'x', kind: 'user', tunnelIp: '10.9.0.9', subnets: [] }, model), /not a host of 10\.8\.0\.0\/24/);
  });
  it('client names as openvpn 2.6 uses them: spaces and non-ASCII kept (file name and quoted kill), a slash or control character refused', () => {
    assert.equal(clientConfigFileName('Plant Router #1 ä'), 'Plant Router #1 ä');
    assert.equal(managementQuoted('Anna "A" \\ B'), '"Anna \\"A\\" \\\\ B"');
    for (const bad of ['../x', 'a/b', '..', 'a\nb', '']) assert.throws(() => clientConfigFileName(bad), /cannot name/);
  });
});
