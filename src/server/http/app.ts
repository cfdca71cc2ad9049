import { Hono } from 'hono';
import { authenticate } from '../auth/authenticate.ts';
import { authenticateDaemon } from '../daemons/authenticate-daemon.ts';
import { daemonRoutes } from './resources/daemons.ts';
import type { AppContext } from '../context.ts';
import { ApiError } from './errors.ts';
import { type Caller, JsonText, type RouteDef, openApiDocument, parseBody, parseQuery } from './registry.ts';
import { adminRoutes } from './resources/admin.ts';
import { authRoutes } from './resources/auth.ts';
import { vpnRoutes } from './resources/vpn.ts';

export const allRoutes: RouteDef[] = [...authRoutes, ...vpnRoutes, ...adminRoutes, ...daemonRoutes];

const NO_CALLER: Caller = { userId: '', email: '', name: '', platformOperator: false, tokenId: '' };

export type Logger = { error(obj: unknown, msg?: string): void };

/** The HTTP edge: declared routes, one error mapping, OpenAPI from the same declarations. */
export function createApp(ctx: AppContext, logger: Logger = console): Hono {
  const app = new Hono();
  const openapi = openApiDocument(allRoutes);
  app.get('/api/openapi.json', (c) => c.json(openapi));
  app.get('/healthz', (c) => c.json({ ok: true, revision: ctx.fleet.currentRevision() }));
  app.get('/metrics', (c) => c.text(serverMetrics(ctx), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  for (const def of allRoutes) {
    app.on(def.method.toUpperCase(), `/api/v1${def.path}`, async (c) => {
      const params = c.req.param() as Record<string, string>;
      const header = c.req.header('authorization');
      const isDaemon = def.auth === 'gateway' || def.auth === 'agent';
      const caller: Caller =
        def.auth === 'none' || isDaemon ? NO_CALLER : await authenticate(ctx, header, def.auth as 'user' | 'operator');
      const daemon = isDaemon ? await authenticateDaemon(ctx, header, def.auth as 'gateway' | 'agent', params.id) : null;
      const body = await parseBody(c, def.body);
      const query = parseQuery(c, def.query);
      const result = await def.handler({ ctx, caller, daemon, body, query, params, c });
      if (def.status === 204) return c.body(null, 204);
      if (result instanceof JsonText) return c.body(result.text, def.status ?? 200, { 'content-type': 'application/json' });
      return c.json(result as object, def.status ?? 200);
    });
  }

  app.notFound((c) => c.json(new ApiError(404, 'not-found', `no such endpoint: ${c.req.method} ${c.req.path}`).toJSON(), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toJSON(), err.status as 400);
    logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), path: c.req.path }, 'request failed');
    return c.json(new ApiError(500, 'internal', 'internal error; the server log has the details').toJSON(), 500);
  });
  return app;
}

/**
 * Prometheus text: what an operator (and the idle-cost benchmark) watches. Nothing here
 * is secret; `plantgate_db_queries_total` must stay flat while no fleet change happens.
 */
function serverMetrics(ctx: AppContext): string {
  const waiting = ctx.fleet.waitingCounts();
  return [
    '# HELP plantgate_db_queries_total Database queries run by this control-plane process.',
    '# TYPE plantgate_db_queries_total counter',
    `plantgate_db_queries_total ${ctx.store.queryCount()}`,
    '# HELP plantgate_state_revision The fleet revision this process\u2019s model is at.',
    '# TYPE plantgate_state_revision gauge',
    `plantgate_state_revision ${ctx.fleet.currentRevision()}`,
    '# HELP plantgate_state_waiting Long-polls of daemons waiting for a change.',
    '# TYPE plantgate_state_waiting gauge',
    `plantgate_state_waiting{kind="gateway"} ${waiting.gateway}`,
    `plantgate_state_waiting{kind="agent"} ${waiting.agent}`,
    '',
  ].join('\n');
}
