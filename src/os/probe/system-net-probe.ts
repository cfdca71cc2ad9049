import { lookup } from 'node:dns/promises';
import { isIPv4, Socket } from 'node:net';
import { type RunCommand, runCommand } from '../run-command.ts';
import { type NetProbe, type PingResult, pingRtt } from './net-probe.ts';

/** NetProbe over `ping -n -c1 -W<s>` (iputils), the system resolver and a socket connect. */
export class SystemNetProbe implements NetProbe {
  private readonly run: RunCommand;

  constructor(options: { run?: RunCommand } = {}) {
    this.run = options.run ?? runCommand;
  }

  async resolve(host: string, timeoutMs: number): Promise<string[]> {
    if (isIPv4(host)) return [host];
    const timer = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref());
    const answer = lookup(host, { all: true, family: 4 }).then(
      (found) => found.map((entry) => entry.address),
      () => [],
    );
    return Promise.race([answer, timer]);
  }

  async ping(address: string, timeoutMs: number): Promise<PingResult> {
    if (!isIPv4(address)) return { ok: false, rttMs: null };
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    try {
      const { stdout } = await this.run('ping', ['-n', '-q', '-c', '1', '-W', String(seconds), address], { timeoutMs: timeoutMs + 2000 });
      return { ok: true, rttMs: pingRtt(stdout) ?? pingAvg(stdout) };
    } catch {
      return { ok: false, rttMs: null };
    }
  }

  tcpConnect(address: string, port: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = new Socket();
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => finish(false));
      socket.once('error', () => finish(false));
      socket.connect({ host: address, port }, () => finish(true));
    });
  }
}

/** `rtt min/avg/max/mdev = 0.040/0.040/0.040/0.000 ms` (ping -q). */
function pingAvg(output: string): number | null {
  const match = /= [0-9.]+\/([0-9.]+)\//.exec(output);
  return match ? Number(match[1]) : null;
}
