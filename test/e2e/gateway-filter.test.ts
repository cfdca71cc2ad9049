import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NftCliDriver } from '../../src/os/nft/nft-cli-driver.ts';
import { renderGatewayRuleset } from '../../src/gateway/nft-ruleset.ts';
import { assertNetnsCapable, NetnsLab } from './netns.ts';

/**
 * The gateway nft table on its own, without WireGuard: plain veths named like the users
 * and sites interfaces, so a client can send from any source address it likes. Shows
 * that the filter itself is keyed on the source (defence in depth behind WireGuard's
 * cryptokey routing), that native DNAT is per user, and that sites see the gateway as
 * the source (masquerade).
 */

const NODE = process.execPath;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const DEVICE = new URL('./fixtures/device-server.ts', import.meta.url).pathname;

describe('gateway nft table without WireGuard (veth stand-ins)', { timeout: 120_000 }, () => {
  const lab = new NetnsLab();
  let client = '';
  const http = async (url: string, localAddress: string) =>
    (await lab.exec(client, NODE, [PROBE, 'http', url, '1500', localAddress], { timeoutMs: 15_000 })).stdout.trim();

  before(async () => {
    await assertNetnsCapable();
    client = await lab.addNamespace('fc');
    const gw = await lab.addNamespace('fg');
    const site = await lab.addNamespace('fs');
    const users = lab.name('pgu');
    const sites = lab.name('pgs');
    await lab.addVeth({ ns: client, iface: 'up0', address: '10.201.0.2/30' }, { ns: gw, iface: users, address: '10.201.0.1/30' });
    await lab.addVeth({ ns: gw, iface: sites, address: '10.201.1.1/30' }, { ns: site, iface: 'up0', address: '10.201.1.2/30' });
    // The client owns two "tunnel" addresses: one allowed user, one that is not.
    // 100.64.1.2: a user of another /24, so of another native map (shard)
    for (const address of ['100.64.0.2/32', '100.64.0.3/32', '100.64.1.2/32']) await lab.addAddress(client, 'up0', address);
    await lab.addRoute(client, ['100.80.0.0/12', 'via', '10.201.0.1']);
    await lab.addRoute(client, ['192.168.1.0/24', 'via', '10.201.0.1']);
    await lab.addRoute(client, ['10.9.1.0/24', 'via', '10.201.0.1']);
    await lab.addRoute(gw, ['100.64.0.0/23', 'via', '10.201.0.2']);
    await lab.addRoute(gw, ['100.80.1.0/24', 'via', '10.201.1.2']);
    for (const address of ['100.80.1.10/32', '100.80.1.77/32', '100.80.1.78/32', '100.80.1.130/32', '100.80.1.150/32']) {
      await lab.addAddress(site, 'lo', address);
    }
    await lab.enableForwarding(gw);
    await lab.startProcess(site, NODE, [DEVICE, 'site', '60000']).waitForLine(/^listening/, 10_000);
    await new NftCliDriver({ netns: gw }).applyScript(
      renderGatewayRuleset(
        {
          // three mapped prefix lengths → three allowed_N sets, each matched with its mask
          allowed: [
            { userIp: '100.64.0.2', mapped: '100.80.1.0/24' },
            { userIp: '100.64.0.3', mapped: '100.80.1.128/28' },
            { userIp: '100.64.0.3', mapped: '100.80.1.77/32' },
            { userIp: '100.64.1.2', mapped: '100.80.1.0/24' },
          ],
          native: [
            { userIp: '100.64.0.2', native: '192.168.1.0/24', mapped: '100.80.1.0/24' },
            { userIp: '100.64.1.2', native: '10.9.1.0/24', mapped: '100.80.1.0/24' },
          ],
        },
        { users, sites },
      ),
    );
  });

  after(async () => {
    await lab.cleanup();
  });

  it('forwards an allowed source to its mapped prefix, masqueraded to the gateway address', async () => {
    assert.equal(await http('http://100.80.1.10/whoami', '100.64.0.2'), 'OK site from 10.201.1.1');
  });

  it('drops the same destination from a source that is not in `allowed`', async () => {
    assert.match(await http('http://100.80.1.10/', '100.64.0.3'), /^ERR/);
  });

  it('each allowed_N set is matched with its own mask: a /28 and a /32 reach exactly their addresses', async () => {
    assert.equal(await http('http://100.80.1.130/', '100.64.0.3'), 'OK site'); // inside 100.80.1.128/28
    assert.equal(await http('http://100.80.1.77/', '100.64.0.3'), 'OK site'); // the /32
    assert.match(await http('http://100.80.1.150/', '100.64.0.3'), /^ERR/); // same /24, outside the /28
    assert.match(await http('http://100.80.1.78/', '100.64.0.3'), /^ERR/); // next to the /32
    assert.equal(await http('http://100.80.1.150/', '100.64.0.2'), 'OK site'); // the /24 user reaches it all
  });

  it('translates native addresses only for the user whose native map entry it is', async () => {
    assert.equal(await http('http://192.168.1.10/', '100.64.0.2'), 'OK site');
    assert.match(await http('http://192.168.1.10/', '100.64.0.3'), /^ERR/);
  });

  it('native maps are sharded by the user\'s /24: each user is translated by its own shard\'s map only', async () => {
    assert.equal(await http('http://10.9.1.10/', '100.64.1.2'), 'OK site'); // native_100_64_1
    assert.match(await http('http://10.9.1.10/', '100.64.0.2'), /^ERR/); // not in native_100_64_0
    assert.match(await http('http://192.168.1.10/', '100.64.1.2'), /^ERR/); // 100.64.0.2's entry, not this user's
  });
});
