import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, WEB_CLIENT_HEADER, WEB_CLIENT_VALUE } from '../../core/wire/web-session.ts';
import { ApiError } from '../http/errors.ts';

/**
 * The browser session (issue 8). The web UI logs in through the same
 * `POST /api/v1/auth/login` as the CLI (same checks, same token store) with the header
 * `x-plantgate-client: web`; the token then goes into an HttpOnly, SameSite=Strict
 * cookie (Secure over TLS) and never into the answer body, so the page's JavaScript
 * never holds it. Requests that authenticate by that cookie and change something must
 * carry the CSRF cookie's value in `x-plantgate-csrf` and, when the browser sends an
 * Origin, come from this origin. Bearer tokens (CLI, automation) are untouched.
 */
export function webSession(): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    const bearer = c.req.header('authorization');
    const cookieToken = bearer ? undefined : getCookie(c, SESSION_COOKIE);
    const isWebLogin = path === '/api/v1/auth/login' && c.req.header(WEB_CLIENT_HEADER) === WEB_CLIENT_VALUE;
    if (isWebLogin) {
      checkOrigin(c);
      await next();
      if (c.res.status === 200) c.res = await moveTokenIntoCookie(c, c.res);
      return;
    }
    if (cookieToken) {
      if (!SAFE_METHODS.has(c.req.method)) {
        checkOrigin(c);
        checkCsrf(c);
      }
      c.set(COOKIE_AUTHORIZATION as never, `Bearer ${cookieToken}` as never);
    }
    await next();
    // A revoked or expired session cookie is dropped, and logging out drops it.
    if (cookieToken && (c.res.status === 401 || (path === '/api/v1/auth/logout' && c.res.status === 204))) clearSession(c);
  };
}

/** The Authorization value the cookie stands for (undefined when the request has none or sent a bearer token). */
export function cookieAuthorization(c: Context): string | undefined {
  return c.get(COOKIE_AUTHORIZATION as never) as string | undefined;
}

const COOKIE_AUTHORIZATION = 'plantgate.cookieAuthorization';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isTls(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:';
}

async function moveTokenIntoCookie(c: Context, res: Response): Promise<Response> {
  const body = (await res.json()) as { token: string; expiresAt: string; user: unknown };
  const expires = new Date(body.expiresAt);
  const secure = isTls(c);
  const headers = new Headers(res.headers);
  headers.append('set-cookie', cookie(SESSION_COOKIE, body.token, { httpOnly: true, secure, expires }));
  // Readable by the page on purpose: the page echoes it in CSRF_HEADER (double submit).
  headers.append('set-cookie', cookie(CSRF_COOKIE, randomBytes(24).toString('base64url'), { httpOnly: false, secure, expires }));
  headers.set('content-type', 'application/json');
  const { token: _token, ...rest } = body;
  return new Response(JSON.stringify(rest), { status: 200, headers });
}

function clearSession(c: Context): void {
  const secure = isTls(c);
  c.res.headers.append('set-cookie', cookie(SESSION_COOKIE, '', { httpOnly: true, secure, expires: new Date(0) }));
  c.res.headers.append('set-cookie', cookie(CSRF_COOKIE, '', { httpOnly: false, secure, expires: new Date(0) }));
}

/** Both cookies: whole site, SameSite=Strict; values are base64url, so no escaping is needed. */
function cookie(name: string, value: string, options: { httpOnly: boolean; secure: boolean; expires: Date }): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Expires=${options.expires.toUTCString()}`,
    'SameSite=Strict',
    ...(options.httpOnly ? ['HttpOnly'] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

function checkOrigin(c: Context): void {
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  if (origin !== new URL(c.req.url).origin) throw new ApiError(403, 'csrf', `request from another origin (${origin}) refused`);
}

function checkCsrf(c: Context): void {
  const expected = getCookie(c, CSRF_COOKIE) ?? '';
  const sent = c.req.header(CSRF_HEADER) ?? '';
  const ok = expected.length > 0 && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) throw new ApiError(403, 'csrf', `${CSRF_HEADER}: missing or does not match the session's CSRF cookie; reload the page`, { field: CSRF_HEADER });
}
