import type { FlowRecordIn } from '../../core/wire/audit.ts';

/**
 * The browser proxy's share of the audit trail (SPEC A1, issue 12 item 4): every request a
 * session made, summed per session and device over one report window, as flow records of
 * the existing shape — protocol tcp, the device's mapped address and port, `connections` =
 * requests (a WebSocket counts as one), bytes each way. `tunnelIp` is the gateway's own
 * site-side address (the proxy's upstream source) and `session` names the proxy session
 * (`proxy:<id>`), which carries the user.
 */

export type ProxiedRequest = {
  sessionId: string;
  targetId: string;
  userEmail: string;
  mappedAddress: string;
  port: number;
  method: string;
  path: string;
  status: number;
  /** Browser → device (request body, WebSocket frames sent). */
  bytesOut: number;
  /** Device → browser. */
  bytesIn: number;
  startedAt: number;
  endedAt: number;
};

type Window = { requests: number; bytesIn: number; bytesOut: number; first: number; last: number; mappedAddress: string; port: number; sessionId: string };

export class ProxyFlows {
  private readonly windows = new Map<string, Window>();
  private readonly idPrefix: string;
  private counter = 0;

  /** `idPrefix`: unique for this process (record ids must never repeat for a gateway). */
  constructor(idPrefix: string) {
    this.idPrefix = idPrefix;
  }

  record(request: ProxiedRequest): void {
    const key = `${request.sessionId}\u0000${request.mappedAddress}\u0000${request.port}`;
    const window = this.windows.get(key);
    if (window === undefined) {
      this.windows.set(key, {
        requests: 1,
        bytesIn: request.bytesIn,
        bytesOut: request.bytesOut,
        first: request.startedAt,
        last: request.endedAt,
        mappedAddress: request.mappedAddress,
        port: request.port,
        sessionId: request.sessionId,
      });
      return;
    }
    window.requests++;
    window.bytesIn += request.bytesIn;
    window.bytesOut += request.bytesOut;
    window.first = Math.min(window.first, request.startedAt);
    window.last = Math.max(window.last, request.endedAt);
  }

  get pending(): number {
    return this.windows.size;
  }

  /** The window's records, and a fresh window; null `sourceIp` (no document yet) keeps them for the next call. */
  drain(sourceIp: string | null): FlowRecordIn[] {
    if (sourceIp === null || this.windows.size === 0) return [];
    const records: FlowRecordIn[] = [];
    for (const window of this.windows.values()) {
      records.push({
        id: `${this.idPrefix}.${++this.counter}`,
        tunnelIp: sourceIp,
        destinationIp: window.mappedAddress,
        protocol: 'tcp',
        port: window.port,
        connections: window.requests,
        bytesIn: window.bytesIn,
        bytesOut: window.bytesOut,
        firstSeen: new Date(window.first).toISOString(),
        lastSeen: new Date(window.last).toISOString(),
        session: `proxy:${window.sessionId}`.slice(0, 128),
      });
    }
    this.windows.clear();
    return records;
  }
}
