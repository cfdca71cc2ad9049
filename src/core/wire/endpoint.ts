import type { z } from 'zod';

/**
 * One HTTP endpoint as every client sees it: method, path (Hono style, `/orgs/:org`),
 * request and response schemas. The server declares its route from the same object
 * (`route({ ...orgApi.members, auth, handler })`), the web UI and the CLI call it
 * through it: there is one description of each endpoint, not one per client.
 */
export type Endpoint<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
> = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: B;
  query?: Q;
  response: R;
  /** Login through the browser session: the server answers with cookies, not a token. */
  webSession?: true;
};

export function endpoint<R extends z.ZodType, B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  e: Endpoint<B, R, Q>,
): Endpoint<B, R, Q> {
  return e;
}

/** `/orgs/:org/plants/:plant` with `{ org: 'Solar Co', plant: 'Park A' }` → `/orgs/Solar%20Co/plants/Park%20A`; a missing parameter is a bug. */
export function endpointPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`endpoint ${path}: parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
}

/** `?a=1&b=x` from the defined values of a query object ('' when none). */
export function endpointQuery(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!query) return '';
  const entries = Object.entries(query).filter(([, v]) => v !== undefined) as Array<[string, string | number | boolean]>;
  if (entries.length === 0) return '';
  return `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}
