import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentWireGuardVpn } from '../core/wire/daemon.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeNetProbe } from '../os/probe/fake-net-probe.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { DirectVpnRunner, directVpnInterfaceName } from './direct-vpns.ts';
import { redactSecrets, TunnelLog } from './tunnel-log.ts';
import { statusOfRunners } from './tunnel-runner.ts';
import { splitEndpoint, wireGuardState } from './wireguard-status.ts';

const own = generateWireGuardKeyPair();
const router = generateWireGuardKeyPair();
const psk = generateWireGuardKeyPair().privateKey;
const T0 = Date.parse('2026-11-30T12:00:00Z');

function vpn(overrides: Partial<AgentWireGuardVpn> = {}): AgentWireGuardVpn {
  return {
    id: 'dv-1',
    name: 'Router C',
    protocol: 'wireguard',
    direction: 'outgoing',
    restartGeneration: 0,
    privateKey: own.privateKey,
    addresses: ['10.9.0.2/32'],
    listenPort: null,
    mtu: null,
    peers: [{ publicKey: router.publicKey, presharedKey: psk, endpoint: 'router.example:51820', allowedIps: ['10.40.0.0/24'], persistentKeepalive: 25 }],
    subnets: ['10.40.0.0/24'],
    ...overrides,
  };
}

function setup() {
  const wireguard = new FakeWireGuardDriver();
  const ip = new FakeIpConfigDriver();
  const probe = new FakeNetProbe();
  let now = T0;
  const runner = new DirectVpnRunner(wireguard, ip, { probe, now: () => now });
  return { wireguard, ip, probe, runner, iface: directVpnInterfaceName('dv-1'), at: (ms: number) => (now = ms) };
}

describe('D7 live state of a WireGuard direct VPN (agent)', () => {
  it('state from the dump: no interface → down; up without a handshake in 3 min → connecting; a recent one → connected', () => {
    const peer = { publicKey: 'k', hasPresharedKey: false, endpoint: null, allowedIps: [], rxBytes: 0, txBytes: 0, persistentKeepalive: null };
    const dump = (latestHandshake: number) => ({ interface: { publicKey: 'p', listenPort: 1, fwmark: null }, peers: [{ ...peer, latestHandshake }] });
    assert.equal(wireGuardState(null, T0), 'down');
    assert.equal(wireGuardState(dump(0), T0), 'connecting');
    assert.equal(wireGuardState(dump(T0 / 1000 - 200), T0), 'connecting');
    assert.equal(wireGuardState(dump(T0 / 1000 - 30), T0), 'connected');
  });

  it('reports connecting after start, connected with bytes after a handshake, since = when it changed, and logs both', async () => {
    const s = setup();
    await s.runner.apply([vpn()], false);
    const [first] = await s.runner.status(T0);
    assert.equal(first.state, 'connecting');
    assert.equal(first.since, new Date(T0).toISOString());
    s.wireguard.setPeerTraffic(s.iface, router.publicKey, { latestHandshake: T0 / 1000 + 5, rxBytes: 1200, txBytes: 3400 });
    const [second] = await s.runner.status(T0 + 10_000);
    assert.deepEqual([second.state, second.since, second.bytesIn, second.bytesOut], ['connected', new Date(T0 + 10_000).toISOString(), 1200, 3400]);
    assert.deepEqual(second.checks, [], 'no checks while connected');
    const [third] = await s.runner.status(T0 + 20_000);
    assert.equal(third.since, second.since, 'since stays while the state does');
    const texts = third.logs?.map((l) => l.text) ?? [];
    assert.ok(texts.some((t) => /^started on pgv/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /connecting → connected/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /handshake with/.test(t)), texts.join('\n'));
    assert.ok(!JSON.stringify(third).includes(own.privateKey) && !JSON.stringify(third).includes(psk));
  });

  it('a tunnel that failed to start is down, says why, and its diagnose names the failure', async () => {
    const s = setup();
    await s.runner.apply([vpn({ subnets: ['0.0.0.0/0'] })], false);
    const [report] = await s.runner.status(T0);
    assert.equal(report.state, 'down');
    await s.runner.settled();
    const [again] = await s.runner.status(T0 + 1000);
    assert.ok(again.logs?.some((l) => /failed to start/.test(l.text)));
    const running = again.checks?.find((c) => c.check === 'tunnel-running');
    assert.ok(running && !running.ok && /did not start/.test(running.detail), JSON.stringify(again.checks));
  });

  it('diagnose of a dead endpoint: the name does not resolve → says so and what to fix; then, resolved but silent → unreachable and no handshake', async () => {
    const s = setup();
    await s.runner.apply([vpn()], false);
    await s.runner.status(T0);
    await s.runner.settled();
    let [report] = await s.runner.status(T0 + 1000);
    const resolves = report.checks?.find((c) => c.check === 'endpoint-resolves');
    assert.ok(resolves && !resolves.ok && /router\.example does not resolve/.test(resolves.detail) && resolves.fix, JSON.stringify(report.checks));
    const key = report.checks?.find((c) => c.check === 'key-pair');
    assert.equal(key?.ok, true);
    assert.equal(report.checks?.find((c) => c.check === 'routes')?.ok, true);

    s.probe.names.set('router.example', ['192.0.2.1']);
    [report] = await s.runner.status(T0 + 10_000);
    assert.equal(report.checks?.find((c) => c.check === 'endpoint-resolves')?.ok, false, 'checks run at most every 30 s');
    await s.runner.status(T0 + 31_000);
    await s.runner.settled();
    [report] = await s.runner.status(T0 + 32_000);
    const byName = new Map(report.checks?.map((c) => [c.check, c]));
    assert.equal(byName.get('endpoint-resolves')?.ok, true);
    assert.equal(byName.get('endpoint-reachable')?.ok, false);
    assert.match(byName.get('handshake')?.detail ?? '', /no handshake with router\.example:51820/);
    assert.match(byName.get('handshake')?.fix ?? '', new RegExp(own.publicKey.replace(/[+/]/g, '\\$&')), 'the fix names the public key the router must list');
  });

  it('the first report of a tunnel that is not connected already carries the checks (a quick run is waited for)', async () => {
    const s = setup();
    await s.runner.apply([vpn()], false);
    const [report] = await s.runner.status(T0);
    assert.ok(report.checks?.some((c) => c.check === 'endpoint-resolves'), JSON.stringify(report.checks));
  });

  it('restart: a new restartGeneration rebuilds the tunnel (new interface, logged as restarted)', async () => {
    const s = setup();
    await s.runner.apply([vpn()], false);
    const calls = s.wireguard.calls.length;
    const same = await s.runner.apply([vpn()], false);
    assert.deepEqual(same.changes, []);
    assert.equal(s.wireguard.calls.length, calls, 'the same document changes nothing');
    const restarted = await s.runner.apply([vpn({ restartGeneration: 1 })], false);
    assert.match(restarted.changes.join(), /Router C restarted on pgv/);
    assert.ok(s.wireguard.calls.slice(calls).includes(`delete ${s.iface}`) && s.wireguard.calls.slice(calls).includes(`create ${s.iface}`));
    const [report] = await s.runner.status(T0);
    assert.ok(report.logs?.some((l) => /^restarted on/.test(l.text)));
  });

  it('hosted: one client entry per peer, connected by its handshake', async () => {
    const s = setup();
    const client = generateWireGuardKeyPair().publicKey;
    await s.runner.apply([vpn({ direction: 'hosted', listenPort: 51900, peers: [{ publicKey: client, presharedKey: null, endpoint: null, allowedIps: ['10.9.0.3/32'], persistentKeepalive: null }] })], false);
    s.wireguard.setPeerTraffic(s.iface, client, { latestHandshake: T0 / 1000 - 10, rxBytes: 5, txBytes: 7 });
    const [report] = await s.runner.status(T0);
    assert.deepEqual(report.clients, [{ client, connected: true, endpoint: null, bytesIn: 5, bytesOut: 7, lastSeen: new Date(T0 - 10_000).toISOString() }]);
  });

  it('a disabled (left the document) tunnel is no longer reported', async () => {
    const s = setup();
    await s.runner.apply([vpn()], false);
    await s.runner.apply([], false);
    assert.deepEqual(await statusOfRunners([s.runner], T0), []);
  });
});

describe('tunnel log', () => {
  const key = generateWireGuardKeyPair().privateKey;
  for (const [name, input, forbidden] of [
    ['a WireGuard key', `wg: bad key ${key}`, key],
    ['a PEM block', 'key -----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY----- end', 'MIIabc'],
    ['a password value', 'auth failed password=hunter2', 'hunter2'],
  ] as const) {
    it(`redacts ${name}`, () => assert.ok(!redactSecrets(input).includes(forbidden), redactSecrets(input)));
  }
  it('keeps the newest 30 lines per tunnel', () => {
    const log = new TunnelLog();
    for (let i = 0; i < 60; i++) log.add('a', 'at', `line ${i}`);
    const lines = log.recent('a');
    assert.equal(lines.length, 30);
    assert.equal(lines[29].text, 'line 59');
  });
  it('splitEndpoint reads host:port and [v6]:port', () => {
    assert.deepEqual(splitEndpoint('router.example:51820'), { host: 'router.example', port: 51820 });
    assert.deepEqual(splitEndpoint('[fd00::1]:51820'), { host: 'fd00::1', port: 51820 });
    assert.equal(splitEndpoint('nonsense'), null);
  });
});
