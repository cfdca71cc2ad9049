import { isControlCode } from '../../core/render/unsafe-characters.ts';
import { type FlowRecordIn, HTTP_OVERFLOW, type HttpRequestsIn, MAX_HTTP_ENTRIES, MAX_HTTP_PATH } from '../../core/wire/audit.ts';

/**
 * The browser proxy's share of the audit trail (SPEC A1, issue 12 item 4): every request a
 * session made, summed per session and device over one report window, as flow records of
 * the existing shape — protocol tcp, the device's mapped address and port, `connections` =
 * requests (a WebSocket counts as one), bytes each way. `tunnelIp` is the gateway's own
 * site-side address (the proxy's upstream source) and `session` names the proxy session
 * (`proxy:<id>`), which carries the user. Each record also carries its requests per method,
 * path (no query, cut to MAX_HTTP_PATH) and status (`http`): the MAX_HTTP_ENTRIES - 1 with
 * the most requests, the rest summed into one `*` entry.
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

type Window = {
  requests: number;
  bytesIn: number;
  bytesOut: number;
  first: number;
  last: number;
  mappedAddress: string;
  port: number;
  sessionId: string;
  http: Map<string, HttpRequestsIn>;
};

/** Distinct (method, path, status) kept per window before new ones go straight to the overflow entry (memory bound). */
const MAX_TRACKED = 1000;

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
        http: new Map(),
      });
      addHttp(this.windows.get(key) as Window, request);
      return;
    }
    window.requests++;
    window.bytesIn += request.bytesIn;
    window.bytesOut += request.bytesOut;
    window.first = Math.min(window.first, request.startedAt);
    window.last = Math.max(window.last, request.endedAt);
    addHttp(window, request);
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
        http: boundedHttp([...window.http.values()]),
      });
    }
    this.windows.clear();
    return records;
  }
}

function addHttp(window: Window, request: ProxiedRequest): void {
  const method = /^[A-Z][A-Z0-9_-]{0,31}$/.test(request.method) ? request.method : HTTP_OVERFLOW.method;
  const path = auditPath(request.path);
  const status = Number.isInteger(request.status) && request.status >= 0 && request.status <= 999 ? request.status : 0;
  let key = `${method} ${status} ${path}`;
  if (!window.http.has(key) && window.http.size >= MAX_TRACKED) key = OVERFLOW_KEY;
  const entry = window.http.get(key);
  if (entry === undefined) {
    window.http.set(key, key === OVERFLOW_KEY ? { ...HTTP_OVERFLOW, requests: 1, bytesIn: request.bytesIn, bytesOut: request.bytesOut } : { method, path, status, requests: 1, bytesIn: request.bytesIn, bytesOut: request.bytesOut });
    return;
  }
  entry.requests++;
  entry.bytesIn += request.bytesIn;
  entry.bytesOut += request.bytesOut;
}

const OVERFLOW_KEY = '* 0 *';

/** The path as the trail keeps it: no query or fragment, control characters escaped, at most MAX_HTTP_PATH characters. */
export function auditPath(raw: string): string {
  let path = '';
  for (const c of raw.split(/[?#]/, 1)[0] ?? '') path += isControlCode(c.charCodeAt(0)) ? encodeURIComponent(c) : c;
  if (!path.startsWith('/')) return '/';
  return path.slice(0, MAX_HTTP_PATH);
}

/** At most MAX_HTTP_ENTRIES entries: the most requested first, the rest (and earlier overflow) summed into one `*` entry. */
export function boundedHttp(entries: HttpRequestsIn[]): HttpRequestsIn[] {
  const overflow: HttpRequestsIn = { ...HTTP_OVERFLOW, requests: 0, bytesIn: 0, bytesOut: 0 };
  const named = entries.filter((e) => e.method !== HTTP_OVERFLOW.method || e.path !== HTTP_OVERFLOW.path);
  for (const e of entries) if (!named.includes(e)) add(overflow, e);
  named.sort((a, b) => b.requests - a.requests || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.method.localeCompare(b.method) || a.status - b.status);
  const room = overflow.requests > 0 || named.length > MAX_HTTP_ENTRIES ? MAX_HTTP_ENTRIES - 1 : MAX_HTTP_ENTRIES;
  for (const e of named.slice(room)) add(overflow, e);
  const kept = named.slice(0, room);
  return overflow.requests > 0 ? [...kept, overflow] : kept;
}

function add(into: HttpRequestsIn, e: HttpRequestsIn): void {
  into.requests += e.requests;
  into.bytesIn += e.bytesIn;
  into.bytesOut += e.bytesOut;
}
