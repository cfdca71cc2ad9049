import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { JobRoleRequest } from '../../../../../src/core/wire/org.ts';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';
import { orgKey, useOrgChange } from '../use-org.ts';

export type JobRoleGrant = z.input<typeof JobRoleRequest>;

export function useJobRoles(orgId: string) {
  return useQuery({ queryKey: orgKey(orgId, 'job-roles'), queryFn: () => request(orgApi.jobRoles, { params: { org: orgId } }) });
}

export function useGrantJobRole(orgId: string) {
  return useOrgChange(orgId, (grant: JobRoleGrant) => request(orgApi.grantJobRole, { params: { org: orgId }, body: grant }));
}

export function useRemoveJobRole(orgId: string) {
  return useOrgChange(orgId, (id: string) => request(orgApi.removeJobRole, { params: { org: orgId, id } }));
}
