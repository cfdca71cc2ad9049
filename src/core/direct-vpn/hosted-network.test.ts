import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateClientIp, allocatePort, allocateTunnelNetwork, inNetwork, serverTunnelIp } from './hosted-network.ts';

describe('hosted direct VPN: tunnel network, client addresses, listen port (issue 9 D1/D9)', () => {
  const networkCases: Array<{ name: string; taken: string[]; pools?: string[]; want: string | null }> = [
    { name: 'first /24 of the first pool when nothing clashes', taken: ['100.64.0.0/12', '100.80.0.0/12', '192.168.1.0/24'], want: '100.96.0.0/24' },
    { name: 'skips a plant subnet inside the pool', taken: ['100.96.0.0/23'], want: '100.96.2.0/24' },
    { name: 'skips another server\u2019s network', taken: ['100.96.0.0/24', '100.96.1.0/24'], want: '100.96.2.0/24' },
    { name: 'a tunnel range covering the pool moves to the next pool', taken: ['100.64.0.0/10'], want: '172.31.0.0/24' },
    { name: 'null when every pool is taken', taken: ['10.0.0.0/24'], pools: ['10.0.0.0/24'], want: null },
    { name: 'unparsable taken entries (IPv6) do not block', taken: ['fd00::/64'], pools: ['10.0.0.0/23'], want: '10.0.0.0/24' },
  ];
  for (const c of networkCases) {
    it(`allocateTunnelNetwork: ${c.name}`, () => assert.equal(allocateTunnelNetwork(c.taken, c.pools), c.want));
  }

  const ipCases: Array<{ name: string; network: string; used: string[]; want: string | null }> = [
    { name: 'the first client gets .2 (the server has .1)', network: '100.96.0.0/24', used: [], want: '100.96.0.2' },
    { name: 'a removed client\u2019s address is reused lowest first', network: '100.96.0.0/24', used: ['100.96.0.3'], want: '100.96.0.2' },
    { name: 'null when the network is full (broadcast never given)', network: '10.0.0.0/30', used: ['10.0.0.2'], want: null },
  ];
  for (const c of ipCases) {
    it(`allocateClientIp: ${c.name}`, () => assert.equal(allocateClientIp(c.network, c.used), c.want));
  }

  it('serverTunnelIp is the first host; inNetwork tells members', () => {
    assert.equal(serverTunnelIp('100.96.4.0/24'), '100.96.4.1');
    assert.equal(inNetwork('100.96.4.0/24', '100.96.4.200'), true);
    assert.equal(inNetwork('100.96.4.0/24', '100.96.5.1'), false);
    assert.equal(inNetwork('100.96.4.0/24', 'nonsense'), false);
  });

  const portCases: Array<{ name: string; base: number; taken: number[]; want: number | null }> = [
    { name: 'the base when free', base: 51820, taken: [], want: 51820 },
    { name: 'counts up past taken ports', base: 51820, taken: [51820, 51821, 51823], want: 51822 },
    { name: 'null past the top of the port range', base: 65535, taken: [65535], want: null },
  ];
  for (const c of portCases) {
    it(`allocatePort: ${c.name}`, () => assert.equal(allocatePort(c.base, c.taken), c.want));
  }
});
