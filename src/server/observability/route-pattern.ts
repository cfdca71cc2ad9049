/**
 * URL path → the route pattern it matched (`/api/v1/gateways/:id/state`), for log lines
 * and metric labels: ids stay out of labels (bounded cardinality) and out of the request
 * log's route field. An unknown path is `unmatched`, whatever it was.
 */
export type RoutePattern = { method: string; pattern: string };

export function routeMatcher(routes: readonly RoutePattern[]): (method: string, path: string) => string {
  const compiled = routes.map((route) => ({
    method: route.method.toUpperCase(),
    pattern: route.pattern,
    regex: new RegExp(`^${route.pattern.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : escapeRegex(part))).join('/')}/?$`),
  }));
  return (method, path) => {
    const upper = method.toUpperCase();
    const found =
      compiled.find((route) => route.method === upper && route.regex.test(path)) ??
      compiled.find((route) => route.regex.test(path)); // a wrong method on a known path
    return found ? found.pattern : 'unmatched';
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
