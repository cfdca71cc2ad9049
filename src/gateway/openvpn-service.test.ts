import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { GatewayPeer } from '../core/wire/gateway-state.ts';
import { memoryLogger } from '../daemon/log.ts';
import { FakeConntrackFlush } from '../os/conntrack/conntrack-flush.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeOpenVpnDriver, type FakeOpenVpnInstance } from '../os/openvpn/fake-openvpn-driver.ts';
import { GatewayOpenVpn, type OpenVpnMaterial, type PeerSource } from './openvpn-service.ts';

const material: OpenVpnMaterial = { ca: 'CA', certificate: 'CERT', key: 'KEY', tlsCrypt: 'TC', crl: 'CRL-1' };
const header = { serviceTunnelIp: '100.64.0.1', tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };

function source(peers: GatewayPeer[], native: Record<string, string[]> = {}, region?: string): PeerSource {
  const byKey = new Map(peers.map((peer) => [peer.publicKey, peer]));
  return { peer: (key) => byKey.get(key), nativeOf: (ip) => native[ip] ?? [], header: region === undefined ? header : { ...header, region } };
}

function setup() {
  const openvpn = new FakeOpenVpnDriver();
  const ip = new FakeIpConfigDriver();
  const log = memoryLogger();
  const conntrack = new FakeConntrackFlush();
  const service = new GatewayOpenVpn({ directory: '/var/lib/pg/openvpn', port: 1194, interfaces: { udp: 'pgo0', tcp: 'pgt0' } }, { openvpn, ip, conntrack, log, restartDelayMs: 1 });
  const server = (name: string) => openvpn.running(name) as FakeOpenVpnInstance;
  /** A client connecting with a certificate serial as openvpn reports it (colons). */
  const connectClient = async (instance: FakeOpenVpnInstance, clientId: number, serialHex: string) => {
    instance.emit({ kind: 'client', event: 'CONNECT', args: [String(clientId), '1'] });
    instance.emit({ kind: 'client', event: 'ENV', args: ['common_name=plantgate-profile-x'] });
    instance.emit({ kind: 'client', event: 'ENV', args: [`tls_serial_hex_0=${serialHex}`] });
    instance.emit({ kind: 'client', event: 'ENV', args: ['END'] });
    await sleep(5);
  };
  return { openvpn, ip, log, conntrack, service, server, connectClient };
}

const alice: GatewayPeer = { publicKey: 'openvpn:1a2b3c', tunnelIp: '100.64.0.7', profileId: 'p-alice' };

describe('GatewayOpenVpn (the gateway\u2019s OpenVPN servers, SPEC P9)', () => {
  it('nothing runs before the first OpenVPN profile (no material); then a UDP and a TCP server with the CA, key and CRL, released from hold once the daemon listens', async () => {
    const { openvpn, service, server } = setup();
    await service.update(null, source([]));
    assert.equal(openvpn.instances.length, 0);
    await service.update(material, source([]));
    assert.deepEqual(openvpn.instances.map((i) => i.name), ['pgo0', 'pgt0']);
    assert.match(server('pgo0').spec.config, /^proto udp$/m);
    assert.match(server('pgt0').spec.config, /^proto tcp-server$/m);
    assert.equal(server('pgo0').files.get('crl.pem'), 'CRL-1');
    // held until the daemon listens: a connect before that would never be answered
    assert.match(server('pgo0').spec.config, /^management-hold$/m);
    assert.deepEqual(server('pgo0').commands.slice(0, 2), ['log on', 'hold release']);
    await service.stop();
  });

  it('P9: a connecting client whose serial is an OpenVPN peer gets its tunnel IP and routes (mapped space + its native prefixes); its /32 is routed into the tun', async () => {
    const { service, server, connectClient, ip } = setup();
    await service.update(material, source([alice], { '100.64.0.7': ['192.168.1.0/24'] }));
    await connectClient(server('pgo0'), 3, '1a:2b:3c');
    const commands = server('pgo0').commands;
    const at = commands.indexOf('client-auth 3 1');
    assert.ok(at >= 0, commands.join('\n'));
    assert.deepEqual(commands.slice(at + 1, commands.indexOf('END', at)), [
      'ifconfig-push 100.64.0.7 255.240.0.0',
      'push "topology subnet"',
      'push "route-gateway 100.64.0.1"',
      'push "route 100.80.0.0 255.240.0.0"',
      'push "route 192.168.1.0 255.255.255.0"',
    ]);
    assert.deepEqual(ip.routes.get('pgo0'), ['100.64.0.7/32']);
    await service.stop();
  });

  it('P7: the status report lists each admitted client by its profile peer id with real address, bytes and connect time; a refused one is left out', async () => {
    const { service, server, connectClient } = setup();
    await service.update(material, source([alice]));
    await connectClient(server('pgo0'), 3, '1a:2b:3c');
    await connectClient(server('pgt0'), 4, 'ff:ee');
    server('pgo0').clients.set('plantgate-profile-x', { realAddress: '10.201.1.2:41234', virtualAddress: '100.64.0.7', bytesIn: 5120, bytesOut: 9000, clientId: 3, connectedSince: 1_796_064_000 });
    server('pgt0').clients.set('stranger', { realAddress: '10.201.1.9:5000', virtualAddress: '', bytesIn: 10, bytesOut: 10, clientId: 4, connectedSince: 1_796_064_100 });
    assert.deepEqual(await service.peerReport(1_796_065_000), [
      { publicKey: 'openvpn:1a2b3c', endpoint: '10.201.1.2:41234', latestHandshake: 1_796_065_000, rxBytes: 5120, txBytes: 9000, connectedSince: 1_796_064_000 },
    ]);
    // a revoke kills the client: the next report no longer lists it (its session ends there)
    await service.enforce(source([]));
    assert.deepEqual(await service.peerReport(1_796_065_005), []);
    await service.stop();
  });

  const orgRows: Array<[string, string, boolean]> = [
    ['O1: an organization VPN client of this gateway\u2019s region is admitted', 'eu-central', true],
    ['O1: an organization VPN client of another region is denied (only its VPN\u2019s region serves it)', 'us-east', false],
  ];
  for (const [name, gatewayRegion, admitted] of orgRows) {
    it(name, async () => {
      const { service, server, connectClient, ip } = setup();
      const site: GatewayPeer = { publicKey: 'openvpn:5e17e', tunnelIp: '100.64.0.9', profileId: 'org-vpn:c-1', region: 'eu-central' };
      await service.update(material, source([site], {}, gatewayRegion));
      await connectClient(server('pgo0'), 5, '05:e1:7e');
      const commands = server('pgo0').commands;
      assert.equal(commands.includes('client-auth 5 1'), admitted, commands.join('\n'));
      assert.equal(commands.some((c) => c.startsWith('client-deny 5 1 ')), !admitted);
      assert.deepEqual(ip.routes.get('pgo0') ?? [], admitted ? ['100.64.0.9/32'] : []);
      // a document that moves the client to another region ends its session
      if (admitted) assert.equal((await service.enforce(source([site], {}, 'us-east'))).length, 1);
      await service.stop();
    });
  }

  it('P3/P9: an unknown or revoked certificate is denied at connect', async () => {
    const { service, server, connectClient, ip } = setup();
    await service.update(material, source([alice]));
    await connectClient(server('pgt0'), 4, 'ff:ee');
    assert.ok(server('pgt0').commands.some((c) => c.startsWith('client-deny 4 1 ')), server('pgt0').commands.join('\n'));
    assert.deepEqual(ip.routes.get('pgt0') ?? [], []);
    await service.stop();
  });

  it('P3/P9: when the peer leaves the document (revoke, rotate) enforce kills the session, drops its route and its conntrack entries; a new CRL is written in place', async () => {
    const { service, server, connectClient, ip, openvpn, conntrack } = setup();
    await service.update(material, source([alice]));
    await connectClient(server('pgo0'), 5, '1a2b3c');
    conntrack.entries.push({ source: '100.64.0.7', destination: '100.80.1.10' }, { source: '100.64.0.8', destination: '100.80.1.10' });
    assert.deepEqual(await service.enforce(source([alice])), [], 'still a peer: nothing happens');
    const killed = await service.enforce(source([]));
    assert.deepEqual(killed, ['1a2b3c (100.64.0.7)']);
    assert.ok(server('pgo0').commands.includes('client-kill 5'));
    assert.deepEqual(ip.routes.get('pgo0'), []);
    assert.deepEqual(conntrack.entries, [{ source: '100.64.0.8', destination: '100.80.1.10' }], 'the killed client\u2019s tracked connections are gone, the others stay');
    await service.update({ ...material, crl: 'CRL-2' }, source([]));
    assert.equal(server('pgo0').files.get('crl.pem'), 'CRL-2');
    assert.equal(openvpn.instances.length, 2, 'a CRL change restarts nothing');
    await service.stop();
  });

  it('supervision: a server that dies is started again; stop() ends both for good', async () => {
    const { service, server, openvpn, log } = setup();
    await service.update(material, source([]));
    server('pgo0').crash(1);
    for (let i = 0; i < 50 && !openvpn.running('pgo0'); i++) await sleep(5);
    assert.ok(openvpn.running('pgo0'), 'restarted');
    assert.ok(log.lines.some((line) => line.message === 'openvpn server exited; restarting'));
    await service.stop();
    assert.equal(openvpn.running('pgo0'), undefined);
    assert.equal(openvpn.running('pgt0'), undefined);
  });
});
