import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { IpCliConfigDriver } from './ip-cli-config-driver.ts';
import { ipConfigDriverContract } from './ip-config-driver.contract.ts';

ipConfigDriverContract('IpCliConfigDriver in a network namespace', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('ipc');
  // A veth pair inside the one namespace: the kernel here has no dummy interfaces.
  await lab.exec(ns, 'ip', ['link', 'add', 'pgt0', 'type', 'veth', 'peer', 'name', 'eth9']);
  for (const iface of ['pgt0', 'eth9']) await lab.exec(ns, 'ip', ['link', 'set', iface, 'up']);
  return { driver: new IpCliConfigDriver({ netns: ns }), iface: 'pgt0', other: 'eth9', teardown: () => lab.cleanup() };
});

describe('IpCliConfigDriver: a default route through the interface', () => {
  it('D5: syncRoutes removes a default route (and the /1 halves) through the interface like any route not asked for', async () => {
    await assertNetnsCapable();
    const lab = new NetnsLab();
    try {
      const ns = await lab.addNamespace('ipd');
      await lab.exec(ns, 'ip', ['link', 'add', 'pgt0', 'type', 'veth', 'peer', 'name', 'eth9']);
      for (const iface of ['pgt0', 'eth9']) await lab.exec(ns, 'ip', ['link', 'set', iface, 'up']);
      for (const dst of ['default', '0.0.0.0/1', '128.0.0.0/1']) await lab.exec(ns, 'ip', ['route', 'add', dst, 'dev', 'pgt0']);
      const driver = new IpCliConfigDriver({ netns: ns });
      assert.deepEqual(await driver.syncRoutes('pgt0', ['10.40.0.0/24']), ['+10.40.0.0/24', '-0.0.0.0/0', '-0.0.0.0/1', '-128.0.0.0/1']);
      const left = JSON.parse((await lab.exec(ns, 'ip', ['-j', 'route', 'show', 'dev', 'pgt0'])).stdout) as Array<{ dst: string }>;
      assert.deepEqual(left.map((route) => route.dst), ['10.40.0.0/24']);
    } finally {
      await lab.cleanup();
    }
  });
});
