import { timingSafeEqual } from 'node:crypto';
import type { Logger as PinoLogger } from 'pino';
import { ApiError } from '../http/errors.ts';
import { principalOf } from './principal.ts';
import type { ServerMetrics } from './server-metrics.ts';

/**
 * Wraps the HTTP app's fetch: one log line per request (method, route pattern, status,
 * ms, principal id — never the path's ids, a query, a header or a body), the request
 * metrics, and GET /metrics itself (Bearer `metricsToken` when one is configured).
 * Sits outside the app so that every answer is counted, errors and 404s included.
 */
export type Fetch = (request: Request, ...rest: never[]) => Response | Promise<Response>;

export type ObserveOptions = {
  logger: PinoLogger;
  metrics: ServerMetrics;
  routeOf: (method: string, path: string) => string;
  /** When set, /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  now?: () => number;
};

export function observeRequests<F extends Fetch>(fetch: F, options: ObserveOptions): F {
  const now = options.now ?? (() => performance.now());
  const observed = async (request: Request, ...rest: never[]): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === '/metrics' && request.method === 'GET') return metricsResponse(request, options);
    const route = options.routeOf(request.method, url.pathname);
    const start = now();
    const done = options.metrics.started(request.method, route);
    let status = 500;
    try {
      const response = await fetch(request, ...rest);
      status = response.status;
      return response;
    } finally {
      const ms = now() - start;
      done(status, ms / 1000);
      const line = { msg: 'request', method: request.method, route, status, ms: Math.round(ms * 10) / 10, principal: principalOf(request) };
      if (status >= 500) options.logger.error(line);
      else options.logger.info(line);
    }
  };
  return observed as F;
}

async function metricsResponse(request: Request, options: ObserveOptions): Promise<Response> {
  if (options.metricsToken !== undefined && !bearerMatches(request.headers.get('authorization'), options.metricsToken)) {
    return new Response(JSON.stringify(new ApiError(401, 'unauthorized', 'GET /metrics needs the configured metrics token (Authorization: Bearer …)').toJSON()), {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
    });
  }
  return new Response(await options.metrics.render(), { status: 200, headers: { 'content-type': options.metrics.contentType } });
}

function bearerMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
