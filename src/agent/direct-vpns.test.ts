import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentWireGuardVpn as AgentDirectVpn } from '../core/wire/daemon.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { checkAgentState } from './desired-checks.ts';
import { DirectVpnRunner, directVpnInterfaceName, directVpnSetconf, hostedInterfaces } from './direct-vpns.ts';

const own = generateWireGuardKeyPair();
const router = generateWireGuardKeyPair();
const psk = generateWireGuardKeyPair().privateKey;

function vpn(overrides: Partial<AgentDirectVpn> = {}): AgentDirectVpn {
  return {
    id: 'dv-1',
    name: 'Router C',
    protocol: 'wireguard',
    direction: 'outgoing',
    restartGeneration: 0,
    privateKey: own.privateKey,
    addresses: ['10.9.0.2/32', 'fd00::2/128'],
    listenPort: null,
    mtu: null,
    peers: [{ publicKey: router.publicKey, presharedKey: psk, endpoint: '192.0.2.1:51820', allowedIps: ['10.40.0.0/24'], persistentKeepalive: 25 }],
    subnets: ['10.40.0.0/24'],
    ...overrides,
  };
}

describe('direct VPN runner (issue 9, agent side)', () => {
  it('names each interface within 15 characters, stable per id and distinct between ids', () => {
    const names = ['dv-1', 'dv-2', '0190f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d', '0190f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7e'].map(directVpnInterfaceName);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^pgv[0-9a-z]{8}$/);
    assert.equal(directVpnInterfaceName('dv-1'), names[0]);
  });

  it('renders setconf from the model: AllowedIPs are the subnets only, the PSK kept, no Address/DNS/PostUp', () => {
    const text = directVpnSetconf(vpn({ peers: [{ ...vpn().peers[0], allowedIps: ['10.40.0.0/24'] }] }));
    assert.match(text, /AllowedIPs = 10\.40\.0\.0\/24\n/);
    assert.match(text, new RegExp(`PresharedKey = ${psk.replace(/[+/]/g, '\\$&')}`));
    assert.doesNotMatch(text, /0\.0\.0\.0\/0|Address|DNS|PostUp/);
  });

  it('issue 9 hosted: the server\'s setconf has its listen port and each client with exactly its AllowedIPs (no endpoint); the nft part names its tunnel network', () => {
    const site = generateWireGuardKeyPair();
    const user = generateWireGuardKeyPair();
    const hosted = vpn({
      direction: 'hosted',
      listenPort: 51820,
      addresses: ['100.96.0.1/24'],
      peers: [
        { publicKey: site.publicKey, presharedKey: null, endpoint: null, allowedIps: ['10.40.0.0/24', '100.96.0.2/32'], persistentKeepalive: null },
        { publicKey: user.publicKey, presharedKey: null, endpoint: null, allowedIps: ['100.96.0.3/32'], persistentKeepalive: null },
      ],
    });
    const text = directVpnSetconf(hosted);
    assert.match(text, /ListenPort = 51820\n/);
    assert.match(text, /AllowedIPs = 10\.40\.0\.0\/24, 100\.96\.0\.2\/32\n/);
    assert.match(text, /AllowedIPs = 100\.96\.0\.3\/32\n/);
    assert.doesNotMatch(text, /Endpoint/);
    assert.deepEqual(hostedInterfaces([hosted, vpn()]), [{ iface: directVpnInterfaceName('dv-1'), network: '100.96.0.0/24', subnets: ['10.40.0.0/24'] }]);
  });

  it('issue 9 hosted: a client added or removed is a `wg syncconf` of the peers (the others keep their sessions); another change rebuilds the server', async () => {
    const wireguard = new FakeWireGuardDriver();
    const runner = new DirectVpnRunner(wireguard, new FakeIpConfigDriver());
    const site = { publicKey: generateWireGuardKeyPair().publicKey, presharedKey: null, endpoint: null, allowedIps: ['10.40.0.0/24', '100.96.0.2/32'], persistentKeepalive: null };
    const user = { publicKey: generateWireGuardKeyPair().publicKey, presharedKey: null, endpoint: null, allowedIps: ['100.96.0.3/32'], persistentKeepalive: null };
    const server = vpn({ direction: 'hosted', listenPort: 51820, addresses: ['100.96.0.1/24'], peers: [site] });
    await runner.apply([server], false);
    const iface = directVpnInterfaceName('dv-1');
    wireguard.calls.length = 0;
    const added = await runner.apply([{ ...server, peers: [site, user] }], false);
    assert.deepEqual(wireguard.calls, [`syncconf ${iface}`]);
    assert.match(added.changes[0] ?? '', /clients updated/);
    assert.deepEqual((await wireguard.readDump(iface))?.peers.map((p) => p.publicKey).sort(), [site.publicKey, user.publicKey].sort());
    wireguard.calls.length = 0;
    await runner.apply([server], false);
    assert.deepEqual(wireguard.calls, [`syncconf ${iface}`], 'a removed client: its peer goes, nothing is rebuilt');
    assert.deepEqual((await wireguard.readDump(iface))?.peers.map((p) => p.publicKey), [site.publicKey]);
    wireguard.calls.length = 0;
    await runner.apply([{ ...server, listenPort: 51821 }], false);
    assert.ok(wireguard.calls.includes(`create ${iface}`), 'a new port rebuilds it');
  });

  it('refuses to run a document entry with a default route as a subnet, and reports it without the key', async () => {
    const wireguard = new FakeWireGuardDriver();
    const runner = new DirectVpnRunner(wireguard, new FakeIpConfigDriver());
    const result = await runner.apply([vpn({ subnets: ['0.0.0.0/0'] })], false);
    assert.equal(result.failed.length, 1);
    assert.match(result.failed[0], /Router C not started: a default route is never rendered/);
    assert.ok(!result.failed[0].includes(own.privateKey));
    assert.equal(await wireguard.readDump(directVpnInterfaceName('dv-1')), null);
  });

  it('starts the interface with the router as its only peer, routes only the subnets, and removes it when it leaves the document', async () => {
    const wireguard = new FakeWireGuardDriver();
    const ip = new FakeIpConfigDriver();
    const runner = new DirectVpnRunner(wireguard, ip);
    const iface = directVpnInterfaceName('dv-1');
    const started = await runner.apply([vpn()], false);
    assert.deepEqual(started.failed, []);
    assert.match(started.changes.join(), /Router C started/);
    const dump = await wireguard.readDump(iface);
    assert.equal(dump?.interface.publicKey, own.publicKey);
    assert.deepEqual(
      dump?.peers.map((p) => [p.publicKey, p.allowedIps, p.endpoint, p.hasPresharedKey]),
      [[router.publicKey, ['10.40.0.0/24'], '192.0.2.1:51820', true]],
    );
    assert.deepEqual(ip.routes.get(iface), ['10.40.0.0/24']);
    assert.deepEqual(ip.addresses.get(iface), ['10.9.0.2/32']);

    const again = await runner.apply([vpn()], false);
    assert.deepEqual(again.changes, [], 'an unchanged document touches nothing');

    const edited = await runner.apply([vpn({ subnets: ['10.40.0.0/24', '10.41.0.0/24'] })], false);
    assert.match(edited.changes.join(), /rebuilt/);
    assert.deepEqual(ip.routes.get(iface), ['10.40.0.0/24', '10.41.0.0/24']);

    const stopped = await runner.apply([], false);
    assert.match(stopped.changes.join(), /Router C stopped/);
    assert.equal(await wireguard.readDump(iface), null);
    assert.deepEqual(runner.interfaces(), []);
  });

  it('on a reconcile, rebuilds an interface that vanished', async () => {
    const wireguard = new FakeWireGuardDriver();
    const runner = new DirectVpnRunner(wireguard, new FakeIpConfigDriver());
    await runner.apply([vpn()], false);
    await wireguard.deleteInterface(directVpnInterfaceName('dv-1'));
    assert.deepEqual((await runner.apply([vpn()], false)).changes, []);
    assert.match((await runner.apply([vpn()], true)).changes.join(), /rebuilt/);
    assert.ok(await wireguard.readDump(directVpnInterfaceName('dv-1')));
  });

  it('the document is checked first: a default-route subnet, a bad address or a bad key leaves that direct VPN out, named, without its key', () => {
    const base = { revision: 1, agent: { id: 'a', name: 'a', plantId: 'p', plantName: 'P', tunnelIp: '100.64.1.1' }, translations: [], gateways: [], discoveries: [] };
    const cases: Array<[Partial<AgentDirectVpn>, RegExp | null]> = [
      [{}, null],
      [{ subnets: ['0.0.0.0/0'] }, /shorter than \/8/],
      [{ subnets: ['10.40.0.1/24'] }, /not an IPv4 network/],
      [{ subnets: [] }, /no subnets/],
      [{ addresses: ['10.9.0.2/32 dev lo'] }, /address .* is not a\.b\.c\.d\/n/],
      [{ peers: [{ ...vpn().peers[0], endpoint: '1.2.3.4:51820\nx' }] }, /not HOST:PORT/],
      [{ peers: [{ ...vpn().peers[0], presharedKey: 'nope' }] }, /pre-shared key is not a WireGuard key/],
    ];
    for (const [overrides, problem] of cases) {
      const checked = checkAgentState({ ...base, directVpns: [vpn({ name: 'R', ...overrides })] });
      if (problem === null) {
        assert.equal(checked.state.directVpns.length, 1);
        assert.deepEqual(checked.problems, []);
      } else {
        assert.equal(checked.state.directVpns.length, 0, JSON.stringify(overrides));
        assert.match(checked.problems.join(), new RegExp(`direct VPN R left out: .*${problem.source}`));
        assert.ok(!checked.problems.join().includes(own.privateKey));
      }
    }
  });

  it('a direct VPN left running by an earlier agent run and disabled meanwhile is removed on the first apply', async () => {
    const wireguard = new FakeWireGuardDriver();
    const ip = new FakeIpConfigDriver();
    await new DirectVpnRunner(wireguard, ip).apply([vpn()], false);
    const restarted = new DirectVpnRunner(wireguard, ip);
    restarted.adopt([vpn()]);
    const result = await restarted.apply([], true);
    assert.match(result.changes.join(), /Router C stopped/);
    assert.equal(await wireguard.readDump(directVpnInterfaceName('dv-1')), null);
  });
});
