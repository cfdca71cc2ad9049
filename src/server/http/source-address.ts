import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address a request came from, for per-source throttling. Behind a reverse proxy
 * this is the proxy: every client then shares one source budget (the per-account
 * limits still hold). `app.request()` in tests has no socket: "local".
 */
export function sourceAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local';
  }
}
