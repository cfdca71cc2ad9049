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
