import type { RouteView } from '../../../../src/core/wire/api.ts';

/** One row block of the route overview: a route alone, or a conflict group (SPEC P5, P6). */
export type RouteSection =
  | { kind: 'single'; route: RouteView }
  | { kind: 'conflict'; key: string; routes: RouteView[]; priority: RouteView | null; unresolved: boolean };

export const routeKey = (r: { plant: string; subnet: string }): string => `${r.plant}\u0000${r.subnet}`;

/**
 * Groups routes whose native subnets conflict (connected through `conflictsWith`),
 * keeping the server's order; a group sits where its first route is.
 */
export function routeSections(routes: RouteView[]): RouteSection[] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root && parent.has(root)) root = parent.get(root) as string;
    parent.set(k, root);
    return root;
  };
  for (const r of routes) parent.set(routeKey(r), routeKey(r));
  for (const r of routes) {
    for (const other of r.conflictsWith) {
      const o = routeKey(other);
      if (!parent.has(o)) continue;
      const a = find(routeKey(r));
      const b = find(o);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, RouteView[]>();
  const sections: RouteSection[] = [];
  for (const r of routes) {
    if (r.conflictsWith.length === 0) {
      sections.push({ kind: 'single', route: r });
      continue;
    }
    const root = find(routeKey(r));
    let members = groups.get(root);
    if (!members) {
      members = [];
      groups.set(root, members);
      sections.push({ kind: 'conflict', key: root, routes: members, priority: null, unresolved: false });
    }
    members.push(r);
  }
  for (const s of sections) {
    if (s.kind !== 'conflict') continue;
    s.priority = s.routes.find((r) => r.state === 'priority') ?? null;
    s.unresolved = s.routes.some((r) => r.state === 'conflict');
  }
  return sections;
}

/** The native prefixes a config file must list (AllowedIPs): a change means the file needs a refresh. */
export function nativePrefixes(routes: RouteView[]): string {
  return [
    ...new Set(
      routes
        .filter((r) => r.native)
        .map((r) => r.subnet)
        .sort(),
    ),
  ].join(',');
}
