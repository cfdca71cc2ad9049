import { z } from 'zod';
import { AgentDesiredState, EnrolResponse, GatewaySecrets } from '../core/wire/daemon.ts';
import { GatewayDesiredState, ipV4 } from '../core/wire/gateway-state.ts';
import {
  type AgentControlPlane,
  ControlPlaneError,
  type EnrolmentApi,
  type GatewayControlPlane,
  type StateRequest,
} from './control-plane.ts';

/**
 * The control-plane ports over HTTP (`/api/v1`). Answers are validated with the shared
 * wire schemas: a daemon applies only documents it understood. Every request has a
 * timeout (a long-poll gets its wait on top), and a stop aborts the one in flight.
 */

export type HttpOptions = { timeoutMs?: number; fetch?: typeof fetch };

export class HttpControlPlane {
  private readonly base: string;
  private readonly credential: string | null;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(server: string, credential: string | null, options: HttpOptions = {}) {
    this.base = `${server.replace(/\/+$/, '')}/api/v1`;
    this.credential = credential;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async request<T>(method: 'GET' | 'POST', path: string, body: unknown, schema: z.ZodType<T> | null, options: { signal?: AbortSignal; extraMs?: number } = {}): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs + (options.extraMs ?? 0));
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
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
      throw new ControlPlaneError(0, `cannot reach the control plane at ${this.base}: ${cause}`);
    }
    const text = await response.text().catch(() => '');
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
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

export function httpEnrolment(server: string, options: HttpOptions = {}): EnrolmentApi {
  const http = new HttpControlPlane(server, null, options);
  return { enrol: (token, name) => http.request('POST', '/enrol', { token, ...(name ? { name } : {}) }, EnrolResponse) };
}

export function httpGatewayControlPlane(server: string, id: string, credential: string, options: HttpOptions = {}): GatewayControlPlane {
  const http = new HttpControlPlane(server, credential, options);
  const base = `/gateways/${encodeURIComponent(id)}`;
  return {
    register: (registration) => http.request('POST', `${base}/register`, registration, GatewayRegistered),
    secrets: () => http.request('GET', `${base}/secrets`, undefined, GatewaySecrets),
    state: (request) => http.request('GET', `${base}/state${stateQuery(request)}`, undefined, GatewayDesiredState, longPoll(request)),
    status: (report) => http.request('POST', `${base}/status`, report, null),
  };
}

export function httpAgentControlPlane(server: string, id: string, credential: string, options: HttpOptions = {}): AgentControlPlane {
  const http = new HttpControlPlane(server, credential, options);
  const base = `/agents/${encodeURIComponent(id)}`;
  return {
    register: (registration) => http.request('POST', `${base}/register`, registration, AgentRegistered),
    state: (request) => http.request('GET', `${base}/state${stateQuery(request)}`, undefined, AgentDesiredState, longPoll(request)),
    status: (report) => http.request('POST', `${base}/status`, report, null),
  };
}

function stateQuery(request: StateRequest): string {
  if (request.after === null) return '';
  return `?after=${request.after}&wait=${Math.round(request.waitSeconds)}`;
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
