import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { authenticate } from '../features/auth/authenticate.ts';
import { authenticateDaemon } from '../features/daemons/authenticate-daemon.ts';
import { daemonRoutes } from '../features/daemons/routes.ts';
import type { AppContext } from '../context.ts';
import { ApiError, tooLarge } from './errors.ts';
import { notePrincipal } from '../observability/principal.ts';
import { type Caller, DEFAULT_MAX_BODY, JsonText, type RouteDef, openApiDocument, parseBody, parseQuery } from './registry.ts';
import { eventRoutes } from '../features/events/routes.ts';
import { fleetRoutes } from '../features/fleet/routes.ts';
import { regionRoutes } from '../features/regions/routes.ts';
import { authRoutes } from '../features/auth/routes.ts';
import { enrolmentRoutes } from '../features/enrolments/routes.ts';
import { userRoutes } from '../features/users/routes.ts';
import { vpnRoutes } from '../features/vpn/routes.ts';
import { sessionRoutes } from '../features/sessions/routes.ts';
import { organizationRoutes } from '../features/organizations/routes.ts';
import { auditRoutes } from '../features/audit/routes.ts';
import { directVpnRoutes } from '../features/direct-vpn/routes.ts';
import { discoveryRoutes } from '../features/discovery/routes.ts';
import { plantAccessRoutes } from '../features/direct-vpn/plant-access-routes.ts';
import { proxyRoutes } from '../features/proxy/routes.ts';
import { orgVpnRoutes } from '../features/org-vpn/routes.ts';
import { securityHeaders } from './security-headers.ts';
import { cookieAuthorization, webSession } from '../web/session-cookie.ts';
import { mountWebUi } from '../web/static.ts';

export const allRoutes: RouteDef[] = [
  ...authRoutes,
  ...vpnRoutes,
  ...sessionRoutes,
  ...fleetRoutes,
  ...regionRoutes,
  ...eventRoutes,
  ...daemonRoutes,
  ...enrolmentRoutes,
  ...userRoutes,
  ...organizationRoutes,
  ...auditRoutes,
  ...directVpnRoutes,
  ...discoveryRoutes,
  ...plantAccessRoutes,
  ...proxyRoutes,
  ...orgVpnRoutes,
];

const NO_CALLER: Caller = { userId: '', email: '', name: '', platformOperator: false, tokenId: '' };

export type Logger = { error(obj: unknown, msg?: string): void };

/** The HTTP edge: declared routes, one error mapping, OpenAPI from the same declarations. */
export function createApp(ctx: AppContext, logger: Logger = console): Hono {
  const app = new Hono();
  app.use('*', securityHeaders());
  app.use('/api/v1/*', webSession());
  const openapi = openApiDocument(allRoutes);
  app.get('/api/openapi.json', (c) => c.json(openapi));
  app.get('/healthz', (c) => c.json({ ok: true, revision: ctx.fleet.currentRevision() }));

  for (const def of allRoutes) {
    const maxBody = def.maxBody ?? DEFAULT_MAX_BODY;
    // Checked before authentication and before anything reads the body: a declared
    // Content-Length over the limit is refused unread, a chunked body once it passes it.
    const limit = bodyLimit({ maxSize: maxBody, onError: () => { throw tooLarge(maxBody); } });
    app.on(def.method.toUpperCase(), `/api/v1${def.path}`, limit, async (c) => {
      const params = c.req.param() as Record<string, string>;
      const header = c.req.header('authorization') ?? cookieAuthorization(c);
      const isDaemon = def.auth === 'gateway' || def.auth === 'agent';
      const caller: Caller =
        def.auth === 'none' || isDaemon ? NO_CALLER : await authenticate(ctx, header, def.auth as 'user' | 'operator');
      const daemon = isDaemon ? await authenticateDaemon(ctx, header, def.auth as 'gateway' | 'agent', params.id) : null;
      notePrincipal(c.req.raw, daemon ? `${def.auth}:${daemon.id}` : caller.userId ? `user:${caller.userId}` : null);
      const body = await parseBody(c, def.body, def.fastBody);
      const query = parseQuery(c, def.query);
      const result = await def.handler({ ctx, caller, daemon, body, query, params, c });
      if (def.status === 204) return c.body(null, 204);
      if (result instanceof JsonText) {
        if (result.gzipped && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
          const body = result.gzipped();
          return c.body(body as Uint8Array<ArrayBuffer>, def.status ?? 200, { 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'accept-encoding' });
        }
        return c.body(result.text, def.status ?? 200, { 'content-type': 'application/json' });
      }
      return c.json(result as object, def.status ?? 200);
    });
  }

  mountWebUi(app);

  app.notFound((c) => c.json(new ApiError(404, 'not-found', `no such endpoint: ${c.req.method} ${c.req.path}`).toJSON(), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toJSON(), err.status as 400, err.headers);
    logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), path: c.req.path }, 'request failed');
    return c.json(new ApiError(500, 'internal', 'internal error; the server log has the details').toJSON(), 500);
  });
  return app;
}
