import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { runCommand } from '../run-command.ts';
import { ConntrackCliFlush, type ConntrackFlush, FakeConntrackFlush } from './conntrack-flush.ts';

/** One contract for the fake and `conntrack` in a network namespace. */
function contract(label: string, setup: () => Promise<{ flush: ConntrackFlush; add(source: string, destination: string, port: number): Promise<void>; count(): Promise<number>; teardown(): Promise<void> }>) {
  describe(`ConntrackFlush: ${label}`, () => {
    let h: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      h = await setup();
    });
    after(async () => h?.teardown());

    it('P9: deletes the entries of the address (as source and as destination) and keeps the others', async () => {
      await h.add('100.64.0.7', '100.80.1.10', 80);
      await h.add('100.80.1.10', '100.64.0.7', 81);
      await h.add('100.64.0.8', '100.80.1.10', 80);
      assert.equal(await h.flush.flushAddress('100.64.0.7'), 2);
      assert.equal(await h.count(), 1);
    });
    it('nothing to delete is not an error', async () => assert.equal(await h.flush.flushAddress('100.64.0.9'), 0));
    it('refuses what is not an address', async () => assert.rejects(h.flush.flushAddress('100.64.0.7 -F'), /not an IPv4 address/));
  });
}

contract('FakeConntrackFlush', async () => {
  const flush = new FakeConntrackFlush();
  return {
    flush,
    add: async (source, destination) => {
      flush.entries.push({ source, destination });
    },
    count: async () => flush.entries.length,
    teardown: async () => {},
  };
});

contract('ConntrackCliFlush in a network namespace', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('ctf');
  const exec = (args: string[]) => runCommand('ip', ['netns', 'exec', ns, 'conntrack', ...args]);
  return {
    flush: new ConntrackCliFlush({ netns: ns }),
    add: async (source, destination, port) => {
      await exec(['-I', '-s', source, '-d', destination, '-p', 'tcp', '--sport', '40000', '--dport', String(port), '--state', 'ESTABLISHED', '-t', '120', '-u', 'ASSURED']);
    },
    count: async () => {
      const { stdout } = await exec(['-L']).catch(() => ({ stdout: '' }));
      return stdout.split('\n').filter((line) => line.includes('src=')).length;
    },
    teardown: () => lab.cleanup(),
  };
});
