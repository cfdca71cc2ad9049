import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { pingRtt } from './net-probe.ts';
import { netProbeContract } from './net-probe.contract.ts';
import { SystemNetProbe } from './system-net-probe.ts';

// Against the real `ping`, resolver and sockets, on the loopback only (.invalid never resolves: RFC 6761).
netProbeContract('SystemNetProbe (loopback)', async () => {
  const listening: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const openPort = (listening.address() as { port: number }).port;
  const closed: Server = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return {
    probe: new SystemNetProbe(),
    address: '127.0.0.1',
    openPort,
    closedPort,
    unknownName: 'no-such-host.invalid',
    teardown: () => new Promise<void>((resolve) => listening.close(() => resolve())),
  };
});

describe('pingRtt', () => {
  for (const [line, rtt] of [
    ['64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms', 0.045],
    ['64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=12 ms', 12],
    ['1 packets transmitted, 0 received, 100% packet loss', null],
  ] as const) {
    it(`reads ${rtt} from "${line.slice(0, 40)}…"`, () => assert.equal(pingRtt(line), rtt));
  }
});
