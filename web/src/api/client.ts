import type { z } from 'zod';
import { ErrorBody } from '../../../src/core/wire/api.ts';
import { type Endpoint, endpointPath, endpointQuery } from '../../../src/core/wire/endpoint.ts';
import { CSRF_COOKIE, CSRF_HEADER, WEB_CLIENT_HEADER, WEB_CLIENT_VALUE } from '../../../src/core/wire/web-session.ts';

/** One problem of a refusal; an uploaded config's names its line and directive. */
export type ApiProblem = { field: string; message: string; line?: number; directive?: string };

/** A refusal of the control plane (or of its answer), with the field it names when it names one. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly problems: ApiProblem[];
  constructor(status: number, code: string, message: string, field?: string, problems: ApiProblem[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.problems = problems;
  }
}

type BodyOf<E> = E extends Endpoint<infer B, z.ZodType, z.ZodType | undefined> ? B : undefined;
type QueryOf<E> = E extends Endpoint<z.ZodType | undefined, z.ZodType, infer Q> ? Q : undefined;
type Input<E extends Endpoint> = { params?: Record<string, string> } & ([BodyOf<E>] extends [z.ZodType] ? { body: z.input<BodyOf<E>> } : { body?: undefined }) &
  ([QueryOf<E>] extends [z.ZodType] ? { query?: Partial<Record<keyof z.input<QueryOf<E>>, string | number | boolean | undefined>> } : { query?: undefined });

/**
 * Calls one endpoint. The session is the HttpOnly cookie (the page never holds the
 * token); unsafe requests echo the CSRF cookie. Bodies are checked with the request
 * schema before they leave and answers with the response schema before anyone sees them.
 */
export async function request<E extends Endpoint>(endpoint: E, input: Input<E> = {} as Input<E>): Promise<z.output<E['response']>> {
  const path = endpointPath(endpoint.path, input.params) + endpointQuery(input.query as Record<string, string | number | boolean | undefined> | undefined);
  let body: string | undefined;
  if (endpoint.body) {
    const checked = endpoint.body.safeParse(input.body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = issue?.path.join('.') || undefined;
      throw new ApiRequestError(0, 'invalid', `${field ?? 'request'}: ${issue?.message}`, field);
    }
    body = JSON.stringify(checked.data);
  } else if (endpoint.method === 'POST' || endpoint.method === 'PUT') {
    body = '{}';
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (endpoint.method !== 'GET') headers[CSRF_HEADER] = readCookie(CSRF_COOKIE) ?? '';
  if (endpoint.webSession) headers[WEB_CLIENT_HEADER] = WEB_CLIENT_VALUE;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method: endpoint.method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiRequestError(0, 'unreachable', 'The control plane cannot be reached. Check your connection and try again.');
  }
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = ErrorBody.safeParse(parsed);
    if (error.success) {
      const e = error.data.error;
      throw new ApiRequestError(response.status, e.code, e.message, e.field, e.problems);
    }
    throw new ApiRequestError(response.status, 'error', `${response.status} ${response.statusText}`);
  }
  const checked = endpoint.response.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ApiRequestError(
      response.status,
      'bad-answer',
      `The control plane sent an answer this page refuses (${issue?.path.join('.') || 'answer'}: ${issue?.message}).`,
    );
  }
  return checked.data as z.output<E['response']>;
}

function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
