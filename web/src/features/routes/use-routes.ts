import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RouteView } from '../../../../src/core/wire/api.ts';
import { request } from '../../api/client.ts';
import { api } from '../../api/endpoints.ts';
import { nativePrefixes } from './route-groups.ts';

export type RouteAction = 'priority' | 'disable' | 'enable';

const ENDPOINT = { priority: api.preferRoute, disable: api.disableRoute, enable: api.enableRoute } as const;

/** Fresh for 10 s: opening the page right after the prefetch draws without asking again. */
const routesQuery = { queryKey: ['routes'], queryFn: () => request(api.routes, { query: { devices: true } }), staleTime: 10_000 };

export function useRoutes() {
  return useQuery(routesQuery);
}

/**
 * Loads the route overview alongside the first page, so opening the Routes page draws at
 * once from it (and refreshes it behind the scenes).
 */
export function usePrefetchRoutes(): void {
  const client = useQueryClient();
  useEffect(() => {
    client.prefetchQuery(routesQuery);
  }, [client]);
}

/**
 * Choose a priority, disable or enable a route (SPEC P6). The answer is the new
 * overview; when the native prefixes moved, the config file's AllowedIPs are stale
 * until refreshed, which `needsRefresh` tells.
 */
export function useRouteChoice() {
  const client = useQueryClient();
  const [needsRefresh, setNeedsRefresh] = useState(false);
  const mutation = useMutation({
    mutationFn: ({ action, route }: { action: RouteAction; route: RouteView }) =>
      request(ENDPOINT[action], { body: { plant: route.plantId, subnet: route.subnet } }),
    onSuccess: (routes) => {
      const before = client.getQueryData<RouteView[]>(['routes']);
      if (before && nativePrefixes(before) !== nativePrefixes(routes)) setNeedsRefresh(true);
      client.setQueryData(['routes'], routes);
      client.invalidateQueries({ queryKey: ['profile'] });
    },
  });
  return { ...mutation, needsRefresh, dismissRefresh: () => setNeedsRefresh(false) };
}
