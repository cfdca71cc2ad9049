import { z } from 'zod';
import { FlowBatchAck } from '../core/wire/audit.ts';
import { AgentDesiredState, EnrolResponse, GatewayOpenVpnMaterial, GatewaySecrets } from '../core/wire/daemon.ts';
import { GatewayStateMessage } from '../core/wire/gateway-delta.ts';
import { GatewayDesiredState, ipV4 } from '../core/wire/gateway-state.ts';
import {
  type AgentControlPlane,
  ControlPlaneError,
  type EnrolmentApi,
  type GatewayControlPlane,
  type StateRequest,
} from './control-plane.ts';
import { ServerList } from './server-list.ts';

/**
 * The control-plane ports over HTTP (`/api/v1`). Answers are validated with the shared
 * wire schemas: a daemon applies only documents it understood. Every request has a
 * timeout (a long-poll gets its wait on top), and a stop aborts the one in flight.
 * With several control-plane URLs (ServerList), a request that cannot reach the current
 * one, or is told it is unavailable, moves the list to the next before it rejects.
 */

export type HttpOptions = { timeoutMs?: number; fetch?: typeof fetch };

export class HttpControlPlane {
  private readonly servers: ServerList;
  private readonly credential: string | null;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(servers: ServerList | string, credential: string | null, options: HttpOptions = {}) {
    this.servers = typeof servers === 'string' ? new ServerList([servers]) : servers;
    this.credential = credential;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async request<T>(method: 'GET' | 'POST', path: string, body: unknown, schema: z.ZodType<T> | null, options: { signal?: AbortSignal; extraMs?: number } = {}): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs + (options.extraMs ?? 0));
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const server = this.servers.current;
    const base = `${server}/api/v1`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${base}${path}`, {
        method,
        headers: {
          ...(this.credential ? { authorization: `Bearer ${this.credential}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      if (!options.signal?.aborted) this.servers.failed(server, cause);
      throw new ControlPlaneError(0, `cannot reach the control plane at ${base}: ${cause}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // the replica went away in the middle of its answer
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      if (!options.signal?.aborted) this.servers.failed(server, cause);
      throw new ControlPlaneError(0, `${method} ${path}: the answer of ${base} broke off: ${cause}`);
    }
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
      if (response.status === 502 || response.status === 503 || response.status === 504) this.servers.failed(server, `${response.status} ${response.statusText}`);
      const error = (parsed as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      const message = error?.message ?? `${response.status} ${response.statusText}`;
      throw new ControlPlaneError(response.status, `${method} ${path}: ${message}${error?.field ? ` (${error.field})` : ''}`, error?.code ?? null);
    }
    if (schema === null) return undefined as T;
    const result = schema.safeParse(parsed);
    if (!result.success) {
      throw new ControlPlaneError(502, `${method} ${path}: unexpected answer: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    }
    return result.data;
  }
}

const GatewayRegistered = z.object({ siteTunnelIp: ipV4 });
const AgentRegistered = z.object({ tunnelIp: ipV4 });

/**
 * A gateway's state answer: the delta contract's message; a control plane that still
 * answers with the bare document (older server) is read as a full document.
 */
const GatewayStateAnswer = z.union([GatewayStateMessage, GatewayDesiredState.transform((state) => ({ kind: 'full' as const, state }))]);

export function httpEnrolment(server: ServerList | string, options: HttpOptions = {}): EnrolmentApi {
  const http = new HttpControlPlane(server, null, options);
  return { enrol: (token, name) => http.request('POST', '/enrol', { token, ...(name ? { name } : {}) }, EnrolResponse) };
}

export function httpGatewayControlPlane(server: ServerList | string, id: string, credential: string, options: HttpOptions = {}): GatewayControlPlane {
  const http = new HttpControlPlane(server, credential, options);
  const base = `/gateways/${encodeURIComponent(id)}`;
  return {
    register: (registration) => http.request('POST', `${base}/register`, registration, GatewayRegistered),
    secrets: () => http.request('GET', `${base}/secrets`, undefined, GatewaySecrets),
    openvpn: () => http.request('GET', `${base}/openvpn`, undefined, GatewayOpenVpnMaterial),
    // delta=1: answer with the delta contract (a server without it answers the bare document, read as full)
    state: (request) => http.request('GET', `${base}/state${stateQuery(request, { delta: true })}`, undefined, GatewayStateAnswer, longPoll(request)),
    status: (report) => http.request('POST', `${base}/status`, report, null),
    flows: (batch) => http.request('POST', `${base}/flows`, batch, FlowBatchAck),
  };
}

export function httpAgentControlPlane(server: ServerList | string, id: string, credential: string, options: HttpOptions = {}): AgentControlPlane {
  const http = new HttpControlPlane(server, credential, options);
  const base = `/agents/${encodeURIComponent(id)}`;
  return {
    register: (registration) => http.request('POST', `${base}/register`, registration, AgentRegistered),
    state: (request) => http.request('GET', `${base}/state${stateQuery(request)}`, undefined, AgentDesiredState, longPoll(request)),
    status: (report) => http.request('POST', `${base}/status`, report, null),
    discoveryResult: (discovery, result) => http.request('POST', `${base}/discoveries/${encodeURIComponent(discovery)}`, result, null),
    flows: (batch) => http.request('POST', `${base}/flows`, batch, FlowBatchAck),
  };
}

function stateQuery(request: StateRequest, options: { delta?: boolean } = {}): string {
  const params = request.after === null ? [] : [`after=${request.after}`, `wait=${Math.round(request.waitSeconds)}`];
  if (options.delta) params.push('delta=1');
  return params.length === 0 ? '' : `?${params.join('&')}`;
}

function longPoll(request: StateRequest) {
  return { signal: request.signal, extraMs: request.after === null ? 0 : request.waitSeconds * 1000 };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
