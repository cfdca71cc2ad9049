import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { renderProfileConf } from '../core/render/profile-conf.ts';
import type { ProfileConfigParts } from '../core/wire/api.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { readState } from './state-file.ts';
import { OwnClientSupervisor } from './supervisor.ts';

/** The supervisor over the fake drivers (the real ones: test/e2e/own-client.test.ts). */

const service = generateWireGuardKeyPair();
const IFACE = 'pgc-test';

function setup(options: { serviceAnswers?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'own-client-'));
  const device = generateWireGuardKeyPair();
  const parts: ProfileConfigParts = {
    profile: { id: 'p1', kind: 'wireguard', status: 'active', publicKey: device.publicKey, tunnelIp: '100.64.0.7', createdAt: '2026-11-30T00:00:00Z', rotatedAt: null, revokedAt: null },
    servicePublicKey: service.publicKey,
    regions: [
      { name: 'eu', endpoint: '10.0.1.2:51820' },
      { name: 'us', endpoint: '10.0.2.2:51820' },
    ],
    allowedIps: ['100.80.0.0/12', '192.168.1.0/24'],
    serviceEndpoint: 'vpn.example.test:51820',
  };
  const configPath = join(dir, 'plantgate.conf');
  writeFileSync(configPath, renderProfileConf(parts, device.privateKey, parts.regions[0] as { name: string; endpoint: string }, 'issued', new Date()), { mode: 0o600 });
  const wg = new FakeWireGuardDriver();
  const ip = new FakeIpConfigDriver();
  const logs: string[] = [];
  const supervisor = new OwnClientSupervisor({
    configPath,
    stateDir: dir,
    iface: IFACE,
    wg,
    ip,
    controlPlane: {
      // No long-poll here (the e2e has the real one): each call waits until aborted at stop.
      changes: (_after, _waitS, signal) => new Promise((_done, fail) => signal.addEventListener('abort', () => fail(new Error('stopped')))),
      profile: async () => parts,
      routes: async () => [],
      gatewayStatus: async () => [],
    },
    resolve: async (host) => (host === 'vpn.example.test' ? (options.serviceAnswers ?? ['10.0.1.2', '10.0.2.2']) : []),
    log: (line) => logs.push(line),
    pollMs: 30,
    sampleMs: 20,
    suspectAfterMs: 100,
    probeMs: 150,
  });
  return { dir, parts, device, wg, ip, logs, supervisor };
}

const peerOf = async (wg: FakeWireGuardDriver) => (await wg.readDump(IFACE))?.peers[0];

describe('own client supervisor (issue 11 item 3)', () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup) await step();
    cleanup = [];
  });

  it('up: the service peer dials the service name\u2019s first answer; routes are the AllowedIPs; the state file holds no key', async () => {
    const t = setup();
    cleanup.push(async () => { await t.supervisor.stop(); rmSync(t.dir, { recursive: true, force: true }); });
    await t.supervisor.start();
    const peer = await peerOf(t.wg);
    assert.equal(peer?.endpoint, '10.0.1.2:51820');
    assert.deepEqual(peer?.allowedIps, ['100.80.0.0/12', '192.168.1.0/24']);
    assert.deepEqual(await t.ip.routesOf(IFACE), ['100.80.0.0/12', '192.168.1.0/24']);
    const state = readState(t.dir);
    assert.equal(state?.region, 'eu');
    assert.equal(state?.phase, 'up');
    const text = readFileSync(join(t.dir, 'own-client.json'), 'utf8');
    assert.ok(!text.includes(t.device.privateKey), 'no private key in the state file');
    assert.ok(!t.logs.join('\n').includes(t.device.privateKey), 'no private key in the log');
  });

  it('route sync: a native prefix granted on the control plane lands in AllowedIPs and the routes, same peer, no refresh', async () => {
    const t = setup();
    cleanup.push(async () => { await t.supervisor.stop(); rmSync(t.dir, { recursive: true, force: true }); });
    await t.supervisor.start();
    t.parts.allowedIps = ['10.20.0.0/16', '100.80.0.0/12', '192.168.1.0/24'];
    for (let i = 0; i < 50 && (await t.ip.routesOf(IFACE)).length !== 3; i++) await sleep(20);
    assert.deepEqual(await t.ip.routesOf(IFACE), ['10.20.0.0/16', '100.80.0.0/12', '192.168.1.0/24']);
    assert.deepEqual((await peerOf(t.wg))?.allowedIps, ['10.20.0.0/16', '100.80.0.0/12', '192.168.1.0/24']);
    t.parts.allowedIps = ['100.80.0.0/12'];
    for (let i = 0; i < 50 && (await t.ip.routesOf(IFACE)).length !== 1; i++) await sleep(20);
    assert.deepEqual(await t.ip.routesOf(IFACE), ['100.80.0.0/12'], 'a removed prefix leaves the routes');
  });

  it('a rotated profile (another key than the file\u2019s): the file\u2019s AllowedIPs stay', async () => {
    const t = setup();
    cleanup.push(async () => { await t.supervisor.stop(); rmSync(t.dir, { recursive: true, force: true }); });
    t.parts.profile = { ...t.parts.profile, publicKey: generateWireGuardKeyPair().publicKey };
    t.parts.allowedIps = ['100.80.0.0/12'];
    await t.supervisor.start();
    await sleep(150);
    assert.deepEqual(await t.ip.routesOf(IFACE), ['100.80.0.0/12', '192.168.1.0/24']);
  });

  it('failover: sends unanswered, the probe handshake unanswered → the next region, even while DNS still answers the dead one first', async () => {
    const t = setup();
    cleanup.push(async () => { await t.supervisor.stop(); rmSync(t.dir, { recursive: true, force: true }); });
    await t.supervisor.start();
    t.wg.setPeerTraffic(IFACE, service.publicKey, { rxBytes: 500, txBytes: 500 });
    await sleep(60);
    let tx = 500;
    for (let i = 0; i < 40 && (await peerOf(t.wg))?.endpoint === '10.0.1.2:51820'; i++) {
      tx += 300;
      // the peer may just have been re-created (probe): its counters start again from zero
      const peer = await peerOf(t.wg);
      if (peer) t.wg.setPeerTraffic(IFACE, service.publicKey, { txBytes: peer.txBytes === 0 ? 148 : tx });
      await sleep(25);
    }
    assert.equal((await peerOf(t.wg))?.endpoint, '10.0.2.2:51820');
    assert.match(t.logs.join('\n'), /failover: 10\.0\.1\.2:51820 answered no handshake; now dialing 10\.0\.2\.2:51820 \(us\)/);
    assert.equal(readState(t.dir)?.failovers, 1);
  });

  it('answered traffic never fails over', async () => {
    const t = setup();
    cleanup.push(async () => { await t.supervisor.stop(); rmSync(t.dir, { recursive: true, force: true }); });
    await t.supervisor.start();
    for (let i = 1; i <= 20; i++) {
      t.wg.setPeerTraffic(IFACE, service.publicKey, { rxBytes: 300 * i, txBytes: 300 * i });
      await sleep(25);
    }
    assert.equal((await peerOf(t.wg))?.endpoint, '10.0.1.2:51820');
  });

  it('down removes the interface (routes with it) and the state file', async () => {
    const t = setup();
    await t.supervisor.start();
    await t.supervisor.stop();
    assert.equal(await t.wg.readDump(IFACE), null);
    assert.equal(readState(t.dir), null);
    rmSync(t.dir, { recursive: true, force: true });
  });
});
