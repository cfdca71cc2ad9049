import type { Context } from 'hono';
import { z } from 'zod';
import type { Endpoint } from '../../core/wire/endpoint.ts';
import type { AppContext } from '../context.ts';
import type { DaemonRow } from '../features/daemons/authenticate-daemon.ts';
import { ApiError, fromZodError } from './errors.ts';

/** Every endpoint but the fleet apply takes small bodies (issue 7 item 1: a 256 MiB password once reached argon2). */
export const DEFAULT_MAX_BODY = 64 * 1024;

export type AuthLevel = 'none' | 'user' | 'operator' | 'gateway' | 'agent';

export type Caller = { userId: string; email: string; name: string; platformOperator: boolean; tokenId: string };

export type HandlerInput<B, Q> = {
  ctx: AppContext;
  caller: Caller;
  /** Set on gateway and agent routes: the authenticated daemon. */
  daemon: DaemonRow | null;
  body: B;
  query: Q;
  params: Record<string, string>;
  c: Context;
};

export type RouteDef = {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Relative to /api/v1, Hono style (`/tokens/:id`). */
  path: string;
  summary: string;
  tag: string;
  auth: AuthLevel;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  status?: 200 | 201 | 204;
  /** Largest request body accepted, in bytes (default DEFAULT_MAX_BODY); bigger ones get 413 unread. */
  maxBody?: number;
  /**
   * A hot path's own check of the body, never more lenient than `body`: the parsed value
   * when it can vouch for it, null to let the schema decide (and word any error).
   */
  fastBody?: (raw: unknown) => unknown | null;
  // biome-ignore lint/suspicious/noExplicitAny: each handler is typed by route() from its own schemas; the table holds them all.
  handler: (input: HandlerInput<any, any>) => Promise<unknown>;
};

/** A response body already serialised (e.g. cached per revision); sent as application/json. */
export class JsonText {
  readonly text: string;
  /** The same body gzip-compressed (built once by whoever caches the text), sent to clients that accept gzip. */
  readonly gzipped: (() => Uint8Array) | null;
  constructor(text: string, gzipped: (() => Uint8Array) | null = null) {
    this.text = text;
    this.gzipped = gzipped;
  }
}

/** Declares a route with its schemas: one declaration drives validation, handler types and OpenAPI. */
export function route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined>(
  def: Omit<RouteDef, 'handler' | 'body' | 'query'> & {
    body?: B;
    query?: Q;
    handler: (input: HandlerInput<z.output<B>, z.output<Q>>) => Promise<unknown>;
  },
): RouteDef {
  return def as RouteDef;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * A route declared from a shared endpoint object (src/core/wire/*: method, path, schemas),
 * so the server, the web UI and the CLI read one description of it:
 * `fromEndpoint(orgApi.members, { auth: 'user', summary, tag, handler })`.
 */
export function fromEndpoint<B extends z.ZodType | undefined, R extends z.ZodType, Q extends z.ZodType | undefined>(
  endpoint: Endpoint<B, R, Q>,
  def: Omit<RouteDef, 'handler' | 'body' | 'query' | 'response' | 'method' | 'path'> & {
    handler: (input: HandlerInput<Output<B>, Output<Q>>) => Promise<z.input<R>>;
  },
): RouteDef {
  return {
    ...def,
    method: endpoint.method.toLowerCase() as RouteDef['method'],
    path: endpoint.path,
    ...(endpoint.body ? { body: endpoint.body } : {}),
    ...(endpoint.query ? { query: endpoint.query } : {}),
    response: endpoint.response,
  } as RouteDef;
}

export async function parseBody(c: Context, schema: z.ZodType | undefined, fast?: (raw: unknown) => unknown | null): Promise<unknown> {
  if (!schema) return undefined;
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid-json', 'the request body is not valid JSON');
  }
  const vouched = fast?.(raw) ?? null;
  if (vouched !== null) return vouched;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

export function parseQuery(c: Context, schema: z.ZodType | undefined): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/** OpenAPI 3.1 document built from the same declarations the router uses. */
export function openApiDocument(routes: RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `/api/v1${r.path}`.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = r.query ? queryParameters(r.query) : [];
    const status = String(r.status ?? 200);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth === 'none' ? { security: [] } : {}),
      parameters: [...params, ...queryParams],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses: {
        [status]: r.response ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } } : { description: 'OK' },
        default: { description: 'Error naming the field and the problem', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'plantgate control plane', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Personal API token or login token (pgt_…)' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, problems: { type: 'array' } },
              required: ['code', 'message'],
            },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  try {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  } catch {
    return {};
  }
}

function queryParameters(schema: z.ZodType): unknown[] {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: s }));
}
