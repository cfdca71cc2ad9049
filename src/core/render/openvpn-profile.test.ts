import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OpenVpnProfileParts, renderOpenVpnProfile } from './openvpn-profile.ts';
import { chooseRegion, endpointHost, openVpnRemotes } from './profile-endpoints.ts';

const pem = (label: string) => `-----BEGIN ${label}-----\nMIIBszCCAVmgAwIBAgIQ\n-----END ${label}-----\n`;
const parts: OpenVpnProfileParts = {
  profileId: '5b7c1e1a-0000-4000-8000-000000000001',
  verb: 'issued',
  at: new Date('2026-11-30T12:00:00Z'),
  remotes: [
    { host: 'vpn-eu.example.test', port: 1194, proto: 'udp' },
    { host: 'vpn-eu.example.test', port: 1194, proto: 'tcp' },
  ],
  ca: pem('CERTIFICATE'),
  certificate: pem('CERTIFICATE'),
  privateKey: pem('PRIVATE KEY'),
  tlsCrypt: '-----BEGIN OpenVPN Static key V1-----\n00112233445566778899aabbccddeeff\n-----END OpenVPN Static key V1-----\n',
};

describe('renderOpenVpnProfile (the .ovpn assembled on the device, SPEC P9)', () => {
  it('P9: a client profile OpenVPN 2.6 and OpenVPN Connect read: client, dev tun, remote-cert-tls server, inline ca/cert/key/tls-crypt, no routes (pushed)', () => {
    const result = renderOpenVpnProfile(parts);
    assert.ok(result.ok);
    const lines = result.text.split('\n');
    for (const line of ['client', 'dev tun', 'remote-cert-tls server', 'remote vpn-eu.example.test 1194 udp', 'remote vpn-eu.example.test 1194 tcp', '<ca>', '</cert>', '<key>', '</tls-crypt>']) {
      assert.ok(lines.includes(line), `${line} missing:\n${result.text}`);
    }
    assert.ok(lines.indexOf('remote vpn-eu.example.test 1194 udp') < lines.indexOf('remote vpn-eu.example.test 1194 tcp'), 'UDP tried first');
    assert.ok(!/^route /m.test(result.text), 'routes come from the gateway at connect, never from the file');
  });
  const bad: Array<[string, Partial<OpenVpnProfileParts>, string]> = [
    ['no region', { remotes: [] }, 'remotes'],
    ['a host with a space (directive injection)', { remotes: [{ host: 'a b', port: 1194, proto: 'udp' }] }, 'remotes'],
    ['a certificate that is a key', { certificate: pem('PRIVATE KEY') }, 'certificate'],
    ['a key block with a closing tag inside', { privateKey: `${pem('PRIVATE KEY')}</key>\nscript-security 3` }, 'privateKey'],
    ['a tls-crypt key that is not a static key', { tlsCrypt: pem('CERTIFICATE') }, 'tlsCrypt'],
  ];
  for (const [name, change, field] of bad) {
    it(`refuses ${name}, naming ${field}`, () => {
      const result = renderOpenVpnProfile({ ...parts, ...change });
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.field, field);
    });
  }
});

describe('profile endpoints (one place for the choice of remote)', () => {
  const regions = [
    { name: 'eu-central', endpoint: 'vpn-eu.example.test:51820' },
    { name: 'eu-north', endpoint: '[2001:db8::1]:51820' },
    { name: 'eu-west', endpoint: 'vpn-eu.example.test:51820' },
  ];
  it('P8: the chosen region first, then the others, each host once, UDP before TCP', () => {
    assert.deepEqual(openVpnRemotes(regions, regions[1] as (typeof regions)[1], 1194), [
      { host: '2001:db8::1', port: 1194, proto: 'udp' },
      { host: '2001:db8::1', port: 1194, proto: 'tcp' },
      { host: 'vpn-eu.example.test', port: 1194, proto: 'udp' },
      { host: 'vpn-eu.example.test', port: 1194, proto: 'tcp' },
    ]);
  });
  it('P8 with a service name: its host first (the control plane DNS picks the healthy region), then the region hosts', () => {
    assert.deepEqual(openVpnRemotes(regions, regions[0] as (typeof regions)[0], 1194, 'vpn.example.test:51820'), [
      { host: 'vpn.example.test', port: 1194, proto: 'udp' },
      { host: 'vpn.example.test', port: 1194, proto: 'tcp' },
      { host: 'vpn-eu.example.test', port: 1194, proto: 'udp' },
      { host: 'vpn-eu.example.test', port: 1194, proto: 'tcp' },
      { host: '2001:db8::1', port: 1194, proto: 'udp' },
      { host: '2001:db8::1', port: 1194, proto: 'tcp' },
    ]);
  });
  it('chooseRegion: the named one, the first by default, null for an unknown name', () => {
    assert.equal(chooseRegion(regions)?.name, 'eu-central');
    assert.equal(chooseRegion(regions, 'eu-west')?.name, 'eu-west');
    assert.equal(chooseRegion(regions, 'mars'), null);
  });
  it('endpointHost refuses what is not HOST:PORT', () => assert.throws(() => endpointHost('no-port'), /host and port/));
});
