import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { mayInOrg, type OrgAction, type OrgStanding } from '../../../../src/core/permissions.ts';
import type { OrgSummary } from '../../../../src/core/wire/org.ts';
import { request } from '../../api/client.ts';
import { orgApi } from '../../api/endpoints.ts';
import { useSession } from '../auth/use-session.ts';

/** The organizations the caller belongs to (a platform operator: all of them). */
export function useOrgs() {
  return useQuery({ queryKey: ['orgs'], queryFn: () => request(orgApi.organizations), staleTime: 30_000 });
}

/** Query keys of one organization's data start with this, so one invalidation refreshes its pages. */
export function orgKey(orgId: string, ...rest: unknown[]): unknown[] {
  return ['org', orgId, ...rest];
}

export type OrgAccess = { standing: OrgStanding; can: (action: OrgAction) => boolean };

/** What the caller may do in `org` (the same table the server enforces): the UI offers only that. */
export function useOrgAccess(org: OrgSummary | undefined): OrgAccess {
  const me = useSession().data;
  const standing: OrgStanding = { role: org?.myRole ?? null, platformOperator: me?.platformOperator ?? false };
  return { standing, can: (action) => org !== undefined && mayInOrg(standing, action) };
}

/**
 * A change inside an organization: afterwards every page of it (and the caller's own
 * routes, which an org change can move) is read again.
 */
export function useOrgChange<I, O>(orgId: string, change: (input: I) => Promise<O>, options: { removes?: unknown[]; next?: () => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async () => {
      // Something that is gone is dropped, not read again (a read would only get 404), and the page moves on first.
      if (options.removes) client.removeQueries({ queryKey: options.removes });
      options.next?.();
      await Promise.all([
        client.invalidateQueries({ queryKey: ['org', orgId] }),
        client.invalidateQueries({ queryKey: ['orgs'] }),
        client.invalidateQueries({ queryKey: ['routes'] }),
      ]);
    },
  });
}
