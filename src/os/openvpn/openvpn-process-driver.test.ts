import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { createTestPki, type TestPki } from '../../../test/support/openvpn-pki.ts';
import type { ManagementNotification } from '../../core/direct-vpn/openvpn-management.ts';
import { openVpnDriverContract } from './openvpn-driver.contract.ts';
import type { OpenVpnSpec } from './openvpn-driver.ts';
import { OpenVpnProcessDriver } from './openvpn-process-driver.ts';
import { openVpnPaths } from './openvpn-driver.ts';

/** A client of a test PKI dialing 127.0.0.1:PORT where nothing listens: it starts and stays connecting. */
function clientSpec(pki: TestPki, client: { certPem: string; keyPem: string }, name: string, directory: string): OpenVpnSpec {
  const config = [
    'client',
    `dev ${name}`,
    'dev-type tun',
    'nobind',
    'remote 127.0.0.1 11940 udp',
    'connect-retry 1',
    'verb 3',
    `management ${openVpnPaths(directory).socket} unix`,
    '<ca>', pki.caPem.trim(), '</ca>',
    '<cert>', client.certPem.trim(), '</cert>',
    '<key>', client.keyPem.trim(), '</key>',
    '',
  ].join('\n');
  return { name, directory, config, files: { credentials: 'user\npassword\n' } };
}

let pki: TestPki;
let client: { certPem: string; keyPem: string };
const base = mkdtempSync(join(tmpdir(), 'plantgate-ovpn-'));

openVpnDriverContract('OpenVpnProcessDriver (openvpn 2.6) in a network namespace', async () => {
  await assertNetnsCapable();
  pki = await createTestPki();
  client = await pki.issueClient('contract');
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('ovc');
  const driver = new OpenVpnProcessDriver({ netns: ns });
  return {
    driver,
    spec: (name) => clientSpec(pki, client, lab.name(`pgo${name}`), join(base, name)),
    broken: (spec) => ({ ...spec, config: `${spec.config}not-an-openvpn-option 1\n` }),
    teardown: async () => {
      await lab.cleanup();
      rmSync(base, { recursive: true, force: true });
    },
  };
});

describe('OpenVpnProcessDriver specifics', { timeout: 60_000 }, () => {
  let lab: NetnsLab;
  let driver: OpenVpnProcessDriver;
  let directory: string;
  before(async () => {
    await assertNetnsCapable();
    pki ??= await createTestPki();
    client ??= await pki.issueClient('specifics');
    lab = new NetnsLab();
    driver = new OpenVpnProcessDriver({ netns: await lab.addNamespace('ovs') });
    directory = mkdtempSync(join(tmpdir(), 'plantgate-ovpn-s-'));
  });
  after(async () => {
    await lab?.cleanup();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('S3: the config (it holds the key) and every file are 0600 in a 0700 directory; no key on the command line', async () => {
    const instance = await driver.start(clientSpec(pki, client, lab.name('pgof'), join(directory, 'f')));
    try {
      const paths = openVpnPaths(join(directory, 'f'));
      assert.equal(statSync(join(directory, 'f')).mode & 0o777, 0o700);
      assert.equal(statSync(paths.config).mode & 0o777, 0o600);
      assert.equal(statSync(join(directory, 'f', 'credentials')).mode & 0o777, 0o600);
      await instance.writeFiles({ 'ccd/site-a': 'ifconfig-push 10.8.0.9 255.255.255.0\n' });
      assert.equal(statSync(join(directory, 'f', 'ccd', 'site-a')).mode & 0o777, 0o600);
      const commandLine = readFileSync(`/proc/${instance.pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
      assert.deepEqual(commandLine.slice(-2), ['--config', paths.config]);
      assert.ok(commandLine[0]?.endsWith('openvpn'), 'the PID is openvpn itself (ip netns exec execs)');
    } finally {
      await instance.stop();
    }
  });

  it('real-time notifications: `state on` and `log on` deliver >STATE and >LOG lines while it dials', async () => {
    const instance = await driver.start(clientSpec(pki, client, lab.name('pgon'), join(directory, 'n')));
    const seen: ManagementNotification[] = [];
    instance.onNotification((notification) => seen.push(notification));
    try {
      await instance.command('state on');
      await instance.command('log on');
      for (let i = 0; i < 60 && !seen.some((n) => n.kind === 'log'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(seen.some((n) => n.kind === 'log'), JSON.stringify(seen.slice(0, 5)));
    } finally {
      await instance.stop();
    }
  });

  it('a crash (SIGKILL from outside) resolves `exited`; cleanUp stops a leftover openvpn by its pid file and removes the directory', async () => {
    const first = await driver.start(clientSpec(pki, client, lab.name('pgok'), join(directory, 'k')));
    process.kill(first.pid, 'SIGKILL');
    const exit = await first.exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(first.running(), false);
    const leftover = await driver.start(clientSpec(pki, client, lab.name('pgol'), join(directory, 'l')));
    await driver.cleanUp(join(directory, 'l'));
    await leftover.exited;
    assert.equal(existsSync(join(directory, 'l')), false);
  });
});
