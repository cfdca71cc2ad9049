import type { z } from 'zod';
import { escapeUnsafe } from '../core/render/unsafe-characters.ts';
import { type Endpoint, endpointPath, endpointQuery } from '../core/wire/endpoint.ts';
import { CliError } from './errors.ts';
import { type ErrorCode, errorCodeForStatus } from './exit-codes.ts';

/**
 * The CLI is a client of the HTTP API, never of the database. Every answer is checked
 * against its wire schema (src/core/wire) before a command sees it: what the control
 * plane sends ends up in config files and on terminals (issue 7 item 4).
 */
export class ApiClientError extends Error {
  /** HTTP status, 0 when there was no answer. */
  readonly status: number;
  readonly code: ErrorCode;
  /** The control plane's own error object, when it sent one. */
  readonly body: unknown;
  constructor(status: number, code: ErrorCode, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export type ApiClient = {
  /** `signal`: ends a long-poll early (the own client's stop). */
  get<T>(path: string, response: z.ZodType<T>, options?: { signal?: AbortSignal }): Promise<T>;
  post<T>(path: string, body: unknown, response: z.ZodType<T>): Promise<T>;
  put<T>(path: string, body: unknown, response: z.ZodType<T>): Promise<T>;
  delete<T>(path: string, response: z.ZodType<T>, body?: unknown): Promise<T>;
};

export type ApiClientOptions = { timeoutMs: number };

export const DEFAULT_TIMEOUT_MS = 30_000;

export function apiClient(server: string, token: string | undefined, options: ApiClientOptions = { timeoutMs: DEFAULT_TIMEOUT_MS }): ApiClient {
  const base = server.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), signal]) : AbortSignal.timeout(options.timeoutMs),
      });
      text = await response.text();
    } catch (e) {
      const error = e as Error & { cause?: Error };
      if (error.name === 'TimeoutError') {
        throw new ApiClientError(0, 'unreachable', `no answer from the control plane at ${base} within ${options.timeoutMs / 1000} s (${method} ${path}); raise it with --timeout SECONDS`, null);
      }
      throw new ApiClientError(0, 'unreachable', `cannot reach the control plane at ${base}: ${error.cause?.message ?? error.message}`, null);
    }
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) throw refused(response, parsed);
    const checked = schema.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0] as z.core.$ZodIssue;
      const field = formatPath(issue.path);
      const value = valueAt(parsed, issue.path);
      throw new ApiClientError(
        response.status,
        'error',
        `refused the control plane's answer to ${method} ${path}: ${field}: ${issue.message}${value === undefined ? '' : ` (got ${escapeUnsafe(JSON.stringify(value) ?? '')})`}. Nothing was written; tell the operator of ${base}.`,
        null,
      );
    }
    return checked.data;
  };
  return {
    get: (path, response, getOptions) => call('GET', path, undefined, response, getOptions?.signal),
    post: (path, body, response) => call('POST', path, body ?? {}, response),
    put: (path, body, response) => call('PUT', path, body ?? {}, response),
    delete: (path, response, body) => call('DELETE', path, body, response),
  };
}

/** The control plane's own error code of a refusal (`subnet-has-devices`, `totp-required`, …). */
export function serverCode(e: unknown): string | undefined {
  if (!(e instanceof ApiClientError)) return undefined;
  const code = (e.body as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

type BodyOf<E> = E extends Endpoint<infer B, z.ZodType, z.ZodType | undefined> ? B : undefined;
type QueryOf<E> = E extends Endpoint<z.ZodType | undefined, z.ZodType, infer Q> ? Q : undefined;
type QueryValue = string | number | boolean | undefined;

/** What one call of an endpoint needs: its path parameters, query and body, typed by the endpoint's own schemas. */
export type EndpointInput<E extends Endpoint> = {
  params?: Record<string, string>;
  /** How the command line names a schema field (`user` → `EMAIL`, `plant` → `--plant`), for messages about input. */
  labels?: Record<string, string>;
} & ([BodyOf<E>] extends [z.ZodType] ? { body: z.input<BodyOf<E>> } : { body?: undefined }) &
  ([QueryOf<E>] extends [z.ZodType] ? { query?: Partial<Record<keyof z.input<QueryOf<E>>, QueryValue>> } : { query?: undefined });

/**
 * Calls one endpoint of a shared endpoint table (src/core/wire/org.ts `orgApi`): the path
 * and query come from the endpoint's own description, the body and the query are checked
 * with its request schemas before anything is sent (a bad value is refused here, naming
 * the field, exit code 2), and the answer with its response schema. No command writes a
 * path or a schema of its own.
 */
export async function callEndpoint<E extends Endpoint>(client: ApiClient, endpoint: E, input: EndpointInput<E> = {} as EndpointInput<E>): Promise<z.output<E['response']>> {
  const labels = input.labels ?? {};
  const query = endpoint.query ? checkedInput(endpoint.query, stringValues(input.query as Record<string, QueryValue> | undefined), labels) : undefined;
  const path = endpointPath(endpoint.path, input.params) + endpointQuery(query as Record<string, QueryValue> | undefined);
  const response = endpoint.response as z.ZodType<z.output<E['response']>>;
  switch (endpoint.method) {
    case 'GET':
      return client.get(path, response);
    case 'DELETE':
      return client.delete(path, response);
    case 'POST':
      return client.post(path, endpoint.body ? checkedInput(endpoint.body, input.body, labels) : {}, response);
    case 'PUT':
      return client.put(path, endpoint.body ? checkedInput(endpoint.body, input.body, labels) : {}, response);
  }
}

/** The request schema's output (trimmed, defaults filled), or a usage error naming the first bad field. */
function checkedInput(schema: z.ZodType, value: unknown, labels: Record<string, string>): unknown {
  const checked = schema.safeParse(value ?? {});
  if (checked.success) return checked.data;
  const issue = checked.error.issues[0] as z.core.$ZodIssue;
  const field = formatPath(issue.path);
  throw new CliError(`${labels[field] ?? field}: ${issue.message}`, 'usage');
}

/** Query values as the server sees them (strings), so the query schema checks what will be sent. */
function stringValues(query: Record<string, QueryValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = String(value);
  return out;
}

function refused(response: Response, parsed: unknown): ApiClientError {
  const error = (parsed as { error?: { message?: string; problems?: Array<{ field: string; message: string; line?: number; directive?: string }> } } | undefined)?.error;
  let message = typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText}`;
  // Each problem of a refused upload names its own line and directive (issue 9, D5); the first one is the message already.
  if (Array.isArray(error?.problems) && error.problems.length > 1) {
    const rest = error.problems.filter((p, i) => !(i === 0 && message.includes(p.message)));
    // line 0 is the whole file (a missing section), not a line to point at
    const lines = rest.map((p) => `${p.field}: ${typeof p.line === 'number' && p.line > 0 ? `line ${p.line}${p.directive ? ` (${p.directive})` : ''}: ` : ''}${p.message}`);
    if (lines.length) message += `\n${lines.map((l) => `  ${l}`).join('\n')}`;
  }
  return new ApiClientError(response.status, errorCodeForStatus(response.status), message, error ?? null);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(answer)';
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const part of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  return value;
}
