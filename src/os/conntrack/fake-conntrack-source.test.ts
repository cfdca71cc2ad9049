import { conntrackSourceContract } from './conntrack-source.contract.ts';
import { FakeConntrackSource } from './fake-conntrack-source.ts';

conntrackSourceContract('FakeConntrackSource', async () => {
  const source = new FakeConntrackSource();
  let next = 1;
  let clock = 1_800_000_000_000;
  const ids = new Map<number, number>();
  const flow = (id: number, sport: number) => ({ id, protocol: 'tcp', src: '127.0.0.1', dst: '127.0.0.1', sport, dport: 8080, zone: 0 });
  return {
    source,
    connect: async (sent, received) => {
      const id = next++;
      const sport = 40000 + id;
      ids.set(sport, id);
      source.push({ ...flow(id, sport), type: 'new', at: clock++, orig: null, reply: null });
      source.count(id, sent + 60, received + 60);
      return { sport, dport: 8080 };
    },
    destroy: async (sport) => {
      const id = ids.get(sport) ?? 0;
      const [open] = (await source.list()).filter((e) => e.id === id);
      source.push({ ...open, type: 'destroy', at: clock++ });
    },
    overflow: async () => source.overflow({ from: clock, to: clock + 5, reason: 'conntrack events lost: netlink socket buffer overrun (ENOBUFS)' }),
    interrupt: async () => source.overflow({ from: clock, to: clock + 1000, reason: 'conntrack events lost: event stream interrupted (exit SIGKILL)' }),
    teardown: async () => {},
  };
});
