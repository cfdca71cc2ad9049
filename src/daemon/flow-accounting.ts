import { containsAddress, type Ipv4Prefix, parseCidr, parseIpv4 } from '../core/net/ipv4.ts';
import type { FlowRecordIn } from '../core/wire/audit.ts';
import type { ConntrackEvent } from '../os/conntrack/conntrack-line.ts';

/**
 * Turns conntrack events of user traffic into the audit trail's flow records (SPEC A1),
 * one record per (tunnel IP, destination, protocol, port) and report window. Pure: times
 * come in as arguments, no I/O.
 *
 * User traffic is what a tunnel address opened towards an address outside the tunnel range
 * (a mapped or native plant address; the control plane attributes it). Bytes come from two
 * sources: a DESTROY's final counters and, for flows still open, the periodic listing
 * (`conntrack -L`) — so a connection that lasts hours is reported every window, not only at
 * its end. Each flow remembers what was already reported; a window gets only the growth.
 *
 * `connections` of a record: the connections that opened (or were first seen) in that
 * window. A connection spanning several windows counts once, in its first; the later windows'
 * records carry its further bytes with `connections` 0 — so summing a device's records gives
 * how often it was reached (a TIME_WAIT DESTROY two minutes later with a few bytes of FIN/ACK
 * must not count the connection again).
 */

type FlowKey = string;

/** [conntrack id, flow identity, bytes reported out, bytes reported in]. */
export type OpenFlowSnapshot = [number, string, number, number];

/** `key`: what a window aggregates by; `identity`: the key and source port (one connection). */
type OpenFlow = {
  key: FlowKey;
  identity: string;
  tunnelIp: string;
  destinationIp: string;
  protocol: string;
  port: number | null;
  reportedOut: number;
  reportedIn: number;
  /** Counted in some window's `connections` already (a flow restored after a restart was). */
  counted: boolean;
};

type WindowEntry = {
  tunnelIp: string;
  destinationIp: string;
  protocol: string;
  port: number | null;
  connections: Set<number>;
  bytesOut: number;
  bytesIn: number;
  firstSeen: number;
  lastSeen: number;
};

export type FlowAccountingOptions = {
  daemonId: string;
  /** Flows kept open at most (a flood of half-open connections must not exhaust memory). */
  maxOpenFlows?: number;
};

export class FlowAccounting {
  private readonly daemonId: string;
  private readonly maxOpenFlows: number;
  private tunnelRanges: Ipv4Prefix[] = [];
  private readonly open = new Map<number, OpenFlow>();
  private window = new Map<FlowKey, WindowEntry>();
  /** From the previous run: consulted once per id when the flow is met again. */
  private readonly restored = new Map<number, { key: string; out: number; back: number }>();
  private lastFlush = 0;
  /** Entries not tracked because maxOpenFlows was reached (their bytes are reported at DESTROY only). */
  untracked = 0;

  constructor(options: FlowAccountingOptions) {
    this.daemonId = options.daemonId;
    this.maxOpenFlows = options.maxOpenFlows ?? 1_000_000;
  }

  /** The personal-VPN tunnel range from the desired document; nothing is user traffic before it is known. */
  setTunnelRange(range: string | null): void {
    this.setTunnelRanges(range === null ? [] : [range]);
  }

  /**
   * Several source ranges (the agent: each hosted direct VPN's tunnel network, whose user
   * clients reach the plant through it). A flow between two of them is not plant access.
   */
  setTunnelRanges(ranges: readonly string[]): void {
    this.tunnelRanges = ranges.flatMap((range) => {
      const parsed = parseCidr(range);
      return parsed.ok ? [parsed.prefix] : [];
    });
  }

  get openFlows(): number {
    return this.open.size;
  }

  /**
   * What was reported of each open flow, to be kept across a restart: after it, the listing
   * shows the same entries (the kernel keeps them) and only their growth is reported.
   */
  snapshot(): OpenFlowSnapshot[] {
    return [...this.open.entries()].map(([id, flow]) => [id, flow.identity, flow.reportedOut, flow.reportedIn]);
  }

  /** Takes back a snapshot; an entry whose id now names another flow (the kernel reused it) is ignored by its key. */
  restore(snapshot: OpenFlowSnapshot[]): void {
    for (const [id, key, out, back] of snapshot) this.restored.set(id, { key, out, back });
  }

  /** One event of the stream, at `now` when it carries no kernel time. */
  event(event: ConntrackEvent, now: number): void {
    const at = event.at ?? now;
    if (event.type === 'destroy') {
      const flow = this.open.get(event.id) ?? this.userFlow(event);
      this.open.delete(event.id);
      if (flow !== null) this.count(event.id, flow, event, at, false);
      return;
    }
    if (event.type === 'new') this.open.delete(event.id); // an id the kernel reused
    const known = this.open.get(event.id);
    if (known !== undefined) return;
    const flow = this.userFlow(event);
    if (flow === null) return;
    if (this.open.size >= this.maxOpenFlows) {
      this.untracked++;
      return;
    }
    this.open.set(event.id, flow);
    // Opening counts as activity in this window even before any byte is counted.
    if (event.type === 'new') this.count(event.id, flow, event, at, true);
  }

  /** The open entries with their counters so far (a periodic `conntrack -L`), at `now`. */
  listed(entries: ConntrackEvent[], now: number): void {
    for (const entry of entries) {
      let flow = this.open.get(entry.id);
      if (flow === undefined) {
        const candidate = this.userFlow(entry);
        if (candidate === null || this.open.size >= this.maxOpenFlows) continue;
        flow = candidate;
        this.open.set(entry.id, flow);
      }
      this.count(entry.id, flow, entry, now, false);
    }
  }

  /** The records of the window that ends now (empty when nothing happened); a new window starts. */
  flush(now: number): FlowRecordIn[] {
    const at = Math.max(now, this.lastFlush + 1);
    this.lastFlush = at;
    const records: FlowRecordIn[] = [];
    let n = 0;
    for (const entry of this.window.values()) {
      records.push({
        id: `${this.daemonId}:${at}:${n++}`,
        tunnelIp: entry.tunnelIp,
        destinationIp: entry.destinationIp,
        protocol: entry.protocol,
        port: entry.port,
        connections: entry.connections.size,
        bytesIn: entry.bytesIn,
        bytesOut: entry.bytesOut,
        firstSeen: new Date(entry.firstSeen).toISOString(),
        lastSeen: new Date(Math.max(entry.lastSeen, entry.firstSeen)).toISOString(),
        session: null,
      });
    }
    this.window = new Map();
    return records;
  }

  private userFlow(event: ConntrackEvent): OpenFlow | null {
    const ranges = this.tunnelRanges;
    if (ranges.length === 0) return null;
    const src = parseIpv4(event.src);
    const dst = parseIpv4(event.dst);
    if (src === null || dst === null || !ranges.some((range) => containsAddress(range, src)) || ranges.some((range) => containsAddress(range, dst))) return null;
    const port = event.protocol === 'tcp' || event.protocol === 'udp' || event.protocol === 'sctp' ? event.dport : null;
    const key = `${event.src}|${event.dst}|${event.protocol}|${port ?? ''}`;
    const identity = `${key}|${event.sport ?? ''}`;
    const before = this.restored.get(event.id);
    this.restored.delete(event.id);
    const known = before !== undefined && before.key === identity && event.type !== 'new';
    return { key, identity, tunnelIp: event.src, destinationIp: event.dst, protocol: event.protocol, port, reportedOut: known ? before.out : 0, reportedIn: known ? before.back : 0, counted: known };
  }

  /** Adds what `counters` shows beyond what was reported; `opened` counts the connection without bytes. */
  private count(id: number, flow: OpenFlow, counters: ConntrackEvent, at: number, opened: boolean): void {
    const out = counters.orig === null ? 0 : Math.max(0, counters.orig.bytes - flow.reportedOut);
    const back = counters.reply === null ? 0 : Math.max(0, counters.reply.bytes - flow.reportedIn);
    if (!opened && out === 0 && back === 0) return;
    flow.reportedOut += out;
    flow.reportedIn += back;
    let entry = this.window.get(flow.key);
    if (entry === undefined) {
      entry = {
        tunnelIp: flow.tunnelIp,
        destinationIp: flow.destinationIp,
        protocol: flow.protocol,
        port: flow.port,
        connections: new Set(),
        bytesOut: 0,
        bytesIn: 0,
        firstSeen: at,
        lastSeen: at,
      };
      this.window.set(flow.key, entry);
    }
    if (!flow.counted) {
      entry.connections.add(id);
      flow.counted = true;
    }
    entry.bytesOut += out;
    entry.bytesIn += back;
    entry.firstSeen = Math.min(entry.firstSeen, at);
    entry.lastSeen = Math.max(entry.lastSeen, at);
  }
}
