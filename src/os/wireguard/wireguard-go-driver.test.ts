import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { generateWireGuardKeyPair } from '../../crypto/wireguard-keys.ts';
import { type RunCommand, runCommand } from '../run-command.ts';
import { wireGuardDriverContract } from './wireguard-driver.contract.ts';
import { WireGuardGoDriver } from './wireguard-go-driver.ts';
import { renderUapiPeerChanges } from './wireguard-uapi.ts';

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

  it('changes peers over the control socket (no wg process), with endpoint and keepalive as wg set sets them', async () => {
    const name = lab.name('pgua');
    lab.trackWireGuardInterface(name);
    await driver.createInterface({ name, privateKey: generateWireGuardKeyPair().privateKey, listenPort: null, addresses: [], routes: [] });
    const alice = generateWireGuardKeyPair().publicKey;
    const bob = generateWireGuardKeyPair().publicKey;
    const before = seen.length;
    await driver.changePeers(name, { remove: [], upsert: [{ publicKey: alice, allowedIps: ['100.64.0.2/32', '100.80.1.0/24'], endpoint: '198.51.100.7:51820', persistentKeepalive: 25 }, { publicKey: bob, allowedIps: ['100.64.0.3/32'] }] });
    await driver.changePeers(name, { remove: [bob], upsert: [{ publicKey: alice, allowedIps: ['100.64.0.9/32'] }] });
    assert.deepEqual(seen.slice(before).filter((args) => args.includes('set')), [], 'no wg set was started');
    const dump = await driver.readDump(name);
    assert.deepEqual(dump?.peers.map((peer) => [peer.publicKey, peer.allowedIps, peer.endpoint, peer.persistentKeepalive]), [[alice, ['100.64.0.9/32'], '198.51.100.7:51820', 25]]);
    // a change wireguard-go refuses rejects (it is not reported as done)
    await assert.rejects(driver.changePeers(name, { remove: [], upsert: [{ publicKey: bob, allowedIps: ['100.64.0.4/40'] }] }), /refused|errno/);
    // an endpoint that needs a name lookup goes through wg set, as before
    await driver.changePeers(name, { remove: [], upsert: [{ publicKey: bob, allowedIps: ['100.64.0.4/32'], endpoint: 'localhost:51820' }] });
    assert.ok(seen.slice(before).some((args) => args.includes('set') && args.includes('localhost:51820')));
    await driver.deleteInterface(name);
  });
});

describe('renderUapiPeerChanges: what goes to the control socket, and what is left to wg set', () => {
  const key = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
  const hex = Buffer.from(key, 'base64').toString('hex');
  const cases: { name: string; changes: Parameters<typeof renderUapiPeerChanges>[0]; request: string | null }[] = [
    { name: 'a removal', changes: { remove: [key], upsert: [] }, request: `set=1\npublic_key=${hex}\nremove=true\n\n` },
    {
      name: 'an upsert replaces the AllowedIPs',
      changes: { remove: [], upsert: [{ publicKey: key, allowedIps: ['100.64.0.2/32'], persistentKeepalive: 25 }] },
      request: `set=1\npublic_key=${hex}\nreplace_allowed_ips=true\nallowed_ip=100.64.0.2/32\npersistent_keepalive_interval=25\n\n`,
    },
    { name: 'a host name endpoint: wg set', changes: { remove: [], upsert: [{ publicKey: key, allowedIps: [], endpoint: 'gw.example:51820' }] }, request: null },
    { name: 'a line break inside a CIDR: wg set (never a second UAPI line)', changes: { remove: [], upsert: [{ publicKey: key, allowedIps: ['1.2.3.4/32\nremove=true'] }] }, request: null },
  ];
  for (const { name, changes, request } of cases) it(name, () => assert.equal(renderUapiPeerChanges(changes), request));
  it('a malformed key throws (as with wg set)', () => assert.throws(() => renderUapiPeerChanges({ remove: ['nope'], upsert: [] }), /public key/));
});
