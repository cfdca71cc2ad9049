import { discoveryTargets, probeSlotMs } from '../core/discovery/targets.ts';
import type { AgentDiscoveryRequest, AgentDiscoveryResult } from '../core/wire/daemon.ts';
import type { NetProbe } from '../os/probe/net-probe.ts';
import { isTransient } from '../daemon/control-plane.ts';

/**
 * D11: the agent probes its plant's real subnets — one ICMP echo and a TCP connect to each
 * port per host — bounded in hosts (maxHosts), rate (probes per second, spread evenly),
 * concurrency and time (deadlineSeconds: what was found by then is the answer, marked
 * truncated). Each request runs once; its result goes back to the control plane.
 */

type Host = AgentDiscoveryResult['hosts'][number];

export type DiscoveryPorts = {
  probe: NetProbe;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Per probe. */
  timeoutMs?: number;
  /** Hosts probed at the same time. */
  concurrency?: number;
  /** The agent stops: no new probe starts, nothing more is posted. */
  signal?: AbortSignal;
};

export async function runDiscovery(request: AgentDiscoveryRequest, ports: DiscoveryPorts): Promise<AgentDiscoveryResult> {
  const startedMs = ports.now();
  const deadline = startedMs + request.deadlineSeconds * 1000;
  const timeoutMs = ports.timeoutMs ?? 1000;
  const { hosts: targets, truncated: cut } = discoveryTargets(request.subnets, request.maxHosts);
  const found: Host[] = [];
  let slot = 0;
  let next = 0;
  let outOfTime = false;
  /** Waits for the next probe's slot; false when the deadline comes first. */
  const take = async (): Promise<boolean> => {
    const at = startedMs + probeSlotMs(slot++, request.ratePerSecond);
    const wait = at - ports.now();
    if (at + timeoutMs > deadline || ports.signal?.aborted) {
      outOfTime = true;
      return false;
    }
    if (wait > 0) await ports.sleep(wait);
    return true;
  };
  const probeHost = async (ip: string): Promise<void> => {
    const probes: Array<Promise<void>> = [];
    let icmp = false;
    let rttMs: number | null = null;
    const open: number[] = [];
    if (!(await take())) return;
    probes.push(
      ports.probe.ping(ip, timeoutMs).then((result) => {
        icmp = result.ok;
        rttMs = result.rttMs;
      }),
    );
    for (const port of request.ports) {
      if (!(await take())) break;
      probes.push(
        ports.probe.tcpConnect(ip, port, timeoutMs).then((ok) => {
          if (ok) open.push(port);
        }),
      );
    }
    await Promise.all(probes);
    if (icmp || open.length > 0) found.push({ ip, icmp, openPorts: open.sort((a, b) => a - b).slice(0, 64), rttMs });
  };
  const worker = async (): Promise<void> => {
    while (!outOfTime && next < targets.length) await probeHost(targets[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(ports.concurrency ?? 32, Math.max(1, targets.length)) }, worker));
  found.sort((a, b) => ipKey(a.ip) - ipKey(b.ip));
  return {
    hosts: found,
    truncated: cut || outOfTime || next < targets.length,
    startedAt: new Date(startedMs).toISOString(),
    finishedAt: new Date(ports.now()).toISOString(),
    error: outOfTime ? `the deadline of ${request.deadlineSeconds} s ended the run after ${next} of ${targets.length} hosts` : null,
  };
}

function ipKey(ip: string): number {
  return ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Runs each discovery of the document once (one at a time) and posts its result; the ids seen are remembered. */
export class DiscoveryQueue {
  private readonly seen = new Set<string>();
  private queue: AgentDiscoveryRequest[] = [];
  private running: Promise<void> | null = null;
  private readonly ports: DiscoveryPorts;
  private readonly post: (id: string, result: AgentDiscoveryResult) => Promise<void>;
  private readonly onError: (id: string, error: unknown) => void;

  constructor(ports: DiscoveryPorts, post: (id: string, result: AgentDiscoveryResult) => Promise<void>, onError: (id: string, error: unknown) => void) {
    this.ports = ports;
    this.post = post;
    this.onError = onError;
  }

  offer(requests: AgentDiscoveryRequest[]): void {
    for (const request of requests) {
      if (this.seen.has(request.id)) continue;
      this.seen.add(request.id);
      if (this.seen.size > 1000) this.seen.delete(this.seen.values().next().value as string);
      this.queue.push(request);
    }
    if (!this.running && this.queue.length > 0) {
      // cleared when this run ends (also when it ends before its first await)
      const run = this.drain().finally(() => {
        if (this.running === run) this.running = null;
      });
      this.running = run;
    }
  }

  /** Resolves when every queued run has been posted (tests, stop). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (let request = this.queue.shift(); request; request = this.queue.shift()) {
      if (this.ports.signal?.aborted) return;
      let result: AgentDiscoveryResult;
      try {
        result = await runDiscovery(request, this.ports);
      } catch (error) {
        const at = new Date(this.ports.now()).toISOString();
        result = { hosts: [], truncated: false, startedAt: at, finishedAt: at, error: `the probe failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1024) };
      }
      if (this.ports.signal?.aborted) return;
      await this.deliver(request.id, result);
    }
  }


  private async deliver(id: string, result: AgentDiscoveryResult): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.post(id, result);
        return;
      } catch (error) {
        // refused (answered already, expired, removed): trying again changes nothing
        if (attempt >= 2 || !isTransient(error) || this.ports.signal?.aborted) {
          this.onError(id, error);
          return;
        }
        await this.ports.sleep(2000 * (attempt + 1));
      }
    }
  }
}
