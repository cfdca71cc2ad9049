import { useQuery } from '@tanstack/react-query';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';
import type { JobRoleGrant } from '../job-roles/use-job-roles.ts';
import { orgKey, useOrgChange } from '../use-org.ts';

export function useCooperations(orgId: string, withEnded: boolean) {
  return useQuery({
    queryKey: orgKey(orgId, 'cooperations', withEnded),
    queryFn: () => request(orgApi.cooperations, { params: { org: orgId }, query: { ended: withEnded ? 'true' : undefined } }),
  });
}

export type Shares = { plants: string[]; portfolios: string[] };

export function useOfferCooperation(orgId: string) {
  return useOrgChange(orgId, (input: Shares & { partner: string }) => request(orgApi.offerCooperation, { params: { org: orgId }, body: input }));
}

export function useSetShares(orgId: string) {
  return useOrgChange(orgId, ({ id, ...shares }: Shares & { id: string }) =>
    request(orgApi.setCooperationShares, { params: { org: orgId, id }, body: shares }),
  );
}

export function useEndCooperation(orgId: string) {
  return useOrgChange(orgId, (id: string) => request(orgApi.endCooperation, { params: { org: orgId, id } }));
}

/** As the partner (`orgId` is the partner organization): its Admin assigns its own members' job roles. */
export function useGrantCooperationJobRole(orgId: string) {
  return useOrgChange(orgId, ({ id, grant }: { id: string; grant: JobRoleGrant }) =>
    request(orgApi.grantCooperationJobRole, { params: { org: orgId, id }, body: grant }),
  );
}

export function useRemoveCooperationJobRole(orgId: string) {
  return useOrgChange(orgId, ({ id, jobRole }: { id: string; jobRole: string }) =>
    request(orgApi.removeCooperationJobRole, { params: { org: orgId, id, jobRole } }),
  );
}
