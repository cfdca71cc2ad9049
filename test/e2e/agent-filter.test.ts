import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderAgentRuleset } from '../../src/agent/nft-ruleset.ts';
import { NftCliDriver } from '../../src/os/nft/nft-cli-driver.ts';
import { assertNetnsCapable, NetnsLab } from './netns.ts';

/**
 * The agent nft table on its own: a veth named like the site tunnel stands in for the
 * gateway. Only translated (mapped) destinations are forwarded to the LAN, the LAN sees
 * the agent as source, and nothing is forwarded that the LAN or the tunnel start
 * toward a real address.
 */

const NODE = process.execPath;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const DEVICE = new URL('./fixtures/device-server.ts', import.meta.url).pathname;

describe('agent nft table without WireGuard (veth stand-in for the tunnel)', { timeout: 120_000 }, () => {
  const lab = new NetnsLab();
  const ns = { gateway: '', agent: '', lan: '' };
  const http = async (from: string, url: string) =>
    (await lab.exec(from, NODE, [PROBE, 'http', url, '1500'], { timeoutMs: 15_000 })).stdout.trim();

  before(async () => {
    await assertNetnsCapable();
    ns.gateway = await lab.addNamespace('ag');
    ns.agent = await lab.addNamespace('aa');
    ns.lan = await lab.addNamespace('al');
    const tunnel = lab.name('pgt');
    await lab.addVeth({ ns: ns.gateway, iface: 'up0', address: '10.202.0.1/30' }, { ns: ns.agent, iface: tunnel, address: '10.202.0.2/30' });
    await lab.addVeth({ ns: ns.agent, iface: 'lan0', address: '192.168.1.1/24' }, { ns: ns.lan, iface: 'eth0', address: '192.168.1.10/24' });
    await lab.addRoute(ns.gateway, ['100.80.1.0/24', 'via', '10.202.0.2']);
    await lab.addRoute(ns.gateway, ['192.168.1.0/24', 'via', '10.202.0.2']);
    await lab.addRoute(ns.lan, ['default', 'via', '192.168.1.1']);
    await lab.enableForwarding(ns.agent);
    await lab.startProcess(ns.lan, NODE, [DEVICE, 'device', '60000']).waitForLine(/^listening/, 10_000);
    await lab.startProcess(ns.gateway, NODE, [DEVICE, 'gateway', '60000']).waitForLine(/^listening/, 10_000);
    await new NftCliDriver({ netns: ns.agent }).applyScript(
      renderAgentRuleset([{ mapped: '100.80.1.0/24', real: '192.168.1.0/24' }], { tunnel, lan: 'lan0' }),
    );
  });

  after(async () => {
    await lab.cleanup();
  });

  it('translates a mapped address to the real device, which sees the agent as source', async () => {
    assert.equal(await http(ns.gateway, 'http://100.80.1.10/whoami'), 'OK device from 192.168.1.1');
  });

  it('does not forward a real LAN address sent straight down the tunnel', async () => {
    assert.match(await http(ns.gateway, 'http://192.168.1.10/'), /^ERR/);
  });

  it('does not forward what the LAN starts toward the tunnel; the agent itself still can', async () => {
    assert.match(await http(ns.lan, 'http://10.202.0.1/'), /^ERR/);
    assert.equal(await http(ns.agent, 'http://10.202.0.1/'), 'OK gateway');
  });
});
