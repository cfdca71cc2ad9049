import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseOpenVpnConfig } from '../../src/core/direct-vpn/openvpn-config.ts';
import { renderOpenVpnClientConfig } from '../../src/core/direct-vpn/openvpn-render.ts';
import { parseWireGuardConfig } from '../../src/core/direct-vpn/wireguard-config.ts';
import { renderWireGuardSetconf } from '../../src/core/direct-vpn/wireguard-render.ts';
import { withSecretFile } from '../../src/os/secret-file.ts';
import { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import { assertNetnsCapable, NetnsLab } from './netns.ts';

/**
 * The direct VPN renderers against the real tools: every corpus upload, rendered, is taken
 * by `wg setconf` (wireguard-go) and by `openvpn` 2.6, in a namespace the test makes. The
 * routers' addresses are replaced by 127.0.0.1 so nothing is resolved or sent anywhere.
 */
const corpus = (name: string) => readFileSync(new URL(`../../src/core/direct-vpn/corpus/${name}`, import.meta.url), 'utf8');

describe('direct VPN configs rendered from uploads load in the real wg and openvpn', () => {
  let lab: NetnsLab;
  let ns: string;
  let driver: WireGuardGoDriver;
  let dir: string;
  before(async () => {
    await assertNetnsCapable();
    lab = new NetnsLab();
    ns = await lab.addNamespace('dvr');
    driver = new WireGuardGoDriver({ netns: ns });
    dir = mkdtempSync(join(tmpdir(), 'plantgate-dvr-'));
  });
  after(async () => {
    await lab?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const file of ['fritzbox-wireguard.conf', 'mikrotik-wireguard.conf', 'opnsense-wireguard.conf', 'pfsense-wireguard.conf', 'windows-crlf-bom-wireguard.conf']) {
    it(`D5: ${file}: wg setconf takes the rendered text; the peers carry exactly the chosen subnets, no default route`, async () => {
      const parsed = parseWireGuardConfig(corpus(file));
      assert.ok(parsed.ok);
      const config = { ...parsed.config, peers: parsed.config.peers.map((peer) => ({ ...peer, endpoint: peer.endpoint === null ? null : '127.0.0.1:51820' })) };
      const subnets = parsed.subnetsFromConfig;
      const name = lab.name('pgdv');
      lab.trackWireGuardInterface(name);
      await driver.createInterface({ name, privateKey: config.privateKey, listenPort: null, addresses: [], routes: [] });
      try {
        await withSecretFile(renderWireGuardSetconf(config, subnets), (path) => lab.exec(ns, 'wg', ['setconf', name, path]));
        const dump = await driver.readDump(name);
        assert.ok(dump);
        assert.deepEqual(dump.peers.map((peer) => peer.publicKey).sort(), config.peers.map((peer) => peer.publicKey).sort());
        const routed = dump.peers.flatMap((peer) => peer.allowedIps).sort();
        assert.deepEqual(routed, [...subnets].sort());
        assert.ok(!routed.some((cidr) => /\/[01]$/.test(cidr)));
        assert.deepEqual(dump.peers.map((peer) => peer.hasPresharedKey), config.peers.map((peer) => peer.presharedKey !== null));
      } finally {
        await driver.deleteInterface(name);
      }
    });
  }

  for (const file of ['mikrotik-openvpn.ovpn', 'opnsense-openvpn.ovpn', 'pfsense-openvpn.ovpn', 'teltonika-openvpn.ovpn', 'windows-openvpn-crlf-bom.ovpn']) {
    it(`D2/D5: ${file}: openvpn 2.6 loads every option of the rendered config and starts dialing`, async () => {
      const parsed = parseOpenVpnConfig(corpus(file));
      assert.ok(parsed.ok);
      const config = { ...parsed.config, remotes: parsed.config.remotes.map((remote) => ({ ...remote, host: '127.0.0.1' })) };
      const base = join(dir, file.replace(/\W/g, '_'));
      const credentialsFile = `${base}.auth`;
      writeFileSync(credentialsFile, 'user\npassword\n', { mode: 0o600 });
      const text = renderOpenVpnClientConfig(config, { interfaceName: lab.name('pgdo'), subnets: parsed.subnetsFromConfig, managementSocket: `${base}.sock`, credentialsFile });
      writeFileSync(`${base}.conf`, text, { mode: 0o600 });
      const openvpn = lab.startProcess(ns, 'openvpn', ['--config', `${base}.conf`]);
      try {
        // the rendered config holds openvpn until its management client releases it
        await releaseHold(`${base}.sock`);
        await openvpn.waitForLine(/link remote: \[AF_INET\]127\.0\.0\.1|Attempting to establish TCP connection with \[AF_INET\]127\.0\.0\.1/, 10_000);
        assert.doesNotMatch(openvpn.output(), /Options error|Unrecognized option/);
      } finally {
        await openvpn.stop();
      }
    });
  }
});

/** What the agent does after setting up notifications: `hold release` on the management socket. */
async function releaseHold(socket: string): Promise<void> {
  const { createConnection } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const released = await new Promise<boolean>((resolve) => {
      const connection = createConnection(socket);
      connection.once('error', () => resolve(false));
      connection.once('connect', () => {
        connection.end('hold release\n');
        resolve(true);
      });
    });
    if (released) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no management socket at ${socket}`);
}
