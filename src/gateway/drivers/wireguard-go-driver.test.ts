import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { generateWireGuardKeyPair } from '../../crypto/wireguard-keys.ts';
import { type RunCommand, runCommand } from './run-command.ts';
import { wireGuardDriverContract } from './wireguard-driver.contract.ts';
import { WireGuardGoDriver } from './wireguard-go-driver.ts';

/** Records every argument list so a test can prove no key ever was one. */
function recordingRunner(seen: string[][]): RunCommand {
  return (file, args, options) => {
    seen.push([file, ...args]);
    return runCommand(file, args, options);
  };
}

const commandLines: string[][] = [];

wireGuardDriverContract('WireGuardGoDriver in a network namespace', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('wgc');
  return {
    driver: new WireGuardGoDriver({ netns: ns, run: recordingRunner(commandLines) }),
    interfaceName: (base) => {
      const name = lab.name(`pg${base}`);
      lab.trackWireGuardInterface(name);
      return name;
    },
    teardown: () => lab.cleanup(),
  };
});

describe('WireGuardGoDriver specifics', () => {
  let lab: NetnsLab;
  let driver: WireGuardGoDriver;
  const seen: string[][] = [];
  before(async () => {
    await assertNetnsCapable();
    lab = new NetnsLab();
    driver = new WireGuardGoDriver({ netns: await lab.addNamespace('wgs'), run: recordingRunner(seen) });
  });
  after(async () => {
    await lab?.cleanup();
  });

  it('never puts a private key on a command line, and leaves no socket behind on delete', async () => {
    const own = generateWireGuardKeyPair();
    const name = lab.name('pgsk');
    lab.trackWireGuardInterface(name);
    await driver.createInterface({ name, privateKey: own.privateKey, listenPort: 51199, addresses: ['100.64.9.1/32'], routes: [] });
    await driver.setPrivateKey(name, generateWireGuardKeyPair().privateKey, null);
    assert.ok(existsSync(`/var/run/wireguard/${name}.sock`));
    await driver.deleteInterface(name);
    assert.equal(existsSync(`/var/run/wireguard/${name}.sock`), false);
    const allArguments = [...seen, ...commandLines].flat().join(' ');
    assert.ok(!allArguments.includes(own.privateKey));
    assert.match(allArguments, /private-key \/(run|tmp)\/plantgate-\w+\/input/);
    // and the file is gone again
    const keyFile = allArguments.match(/private-key (\S+)/)?.[1] ?? '';
    assert.equal(existsSync(keyFile), false);
  });

  it('sees an interface of the same name in another namespace as in use (shared control socket)', async () => {
    const name = lab.name('pgdu');
    lab.trackWireGuardInterface(name);
    const other = new WireGuardGoDriver({ netns: await lab.addNamespace('wgo') });
    const spec = { name, privateKey: generateWireGuardKeyPair().privateKey, listenPort: null, addresses: [], routes: [] };
    await driver.createInterface(spec);
    await assert.rejects(other.createInterface(spec), /in use/);
    await driver.deleteInterface(name);
  });
});
