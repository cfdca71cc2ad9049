import { useQuery } from '@tanstack/react-query';
import type { OrgRole } from '../../../../../src/core/model.ts';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';
import { orgKey, useOrgChange } from '../use-org.ts';

export function useMembers(orgId: string, enabled = true) {
  return useQuery({ queryKey: orgKey(orgId, 'members'), queryFn: () => request(orgApi.members, { params: { org: orgId } }), enabled });
}

export function useInvitations(orgId: string, enabled: boolean) {
  return useQuery({ queryKey: orgKey(orgId, 'invitations'), queryFn: () => request(orgApi.invitations, { params: { org: orgId } }), enabled });
}

/** The answer carries the link with its token: it lives in this mutation's result only (shown once). */
export function useInvite(orgId: string) {
  return useOrgChange(orgId, (input: { email: string; role: OrgRole }) => request(orgApi.invite, { params: { org: orgId }, body: input }));
}

export function useRevokeInvitation(orgId: string) {
  return useOrgChange(orgId, (id: string) => request(orgApi.revokeInvitation, { params: { org: orgId, id } }));
}

export function useSetMemberRole(orgId: string) {
  return useOrgChange(orgId, ({ userId, role }: { userId: string; role: OrgRole }) =>
    request(orgApi.setMemberRole, { params: { org: orgId, user: userId }, body: { role } }),
  );
}

export function useRemoveMember(orgId: string) {
  return useOrgChange(orgId, (userId: string) => request(orgApi.removeMember, { params: { org: orgId, user: userId } }));
}
