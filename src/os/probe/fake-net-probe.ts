import { isIPv4 } from 'node:net';
import type { NetProbe, PingResult } from './net-probe.ts';

/** In-memory NetProbe: names, hosts that answer ping and open ports are set by the test. */
export class FakeNetProbe implements NetProbe {
  readonly names = new Map<string, string[]>();
  readonly pingable = new Set<string>();
  /** "address:port" that accept a connection. */
  readonly open = new Set<string>();
  readonly calls: string[] = [];

  async resolve(host: string): Promise<string[]> {
    this.calls.push(`resolve ${host}`);
    return isIPv4(host) ? [host] : (this.names.get(host) ?? []);
  }

  async ping(address: string): Promise<PingResult> {
    this.calls.push(`ping ${address}`);
    return this.pingable.has(address) ? { ok: true, rttMs: 0.1 } : { ok: false, rttMs: null };
  }

  async tcpConnect(address: string, port: number): Promise<boolean> {
    this.calls.push(`connect ${address}:${port}`);
    return this.open.has(`${address}:${port}`);
  }
}
