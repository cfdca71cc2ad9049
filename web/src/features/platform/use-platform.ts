import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { RegionCreateRequest } from '../../../../src/core/wire/api.ts';
import type { EnrolmentCreateAgent, EnrolmentCreateGateway } from '../../../../src/core/wire/daemon.ts';
import { orgApi } from '../../../../src/core/wire/org.ts';
import { platformApi } from '../../../../src/core/wire/platform.ts';
import { request } from '../../api/client.ts';

/** Queries and changes of the platform pages; every change refreshes what it can have moved. */

export function useOrganizations() {
  return useQuery({ queryKey: ['platform', 'orgs'], queryFn: () => request(orgApi.organizations) });
}

export function useUsers() {
  return useQuery({ queryKey: ['platform', 'users'], queryFn: () => request(platformApi.users) });
}

export type UserAction = 'disable' | 'enable' | 'resetPassword' | 'resetTotp' | 'revokeProfile' | 'grantOperator' | 'revokeOperator' | 'delete';

/** One mutation for every user action; a password reset answers the one-time password (shown once). */
export function useUserAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ action, user }: { action: UserAction; user: string }) => {
      const params = { user };
      switch (action) {
        case 'disable':
          return void (await request(platformApi.disableUser, { params }));
        case 'enable':
          return void (await request(platformApi.enableUser, { params }));
        case 'resetPassword':
          return await request(platformApi.resetPassword, { params, body: {} });
        case 'resetTotp':
          return void (await request(platformApi.resetTotp, { params }));
        case 'revokeProfile':
          return void (await request(platformApi.revokeProfile, { params }));
        case 'grantOperator':
          return void (await request(platformApi.grantOperator, { params }));
        case 'revokeOperator':
          return void (await request(platformApi.revokeOperator, { params }));
        case 'delete':
          return void (await request(platformApi.deleteUser, { params }));
      }
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['platform'] }),
  });
}

export function useRegions() {
  return useQuery({ queryKey: ['platform', 'regions'], queryFn: () => request(platformApi.regions) });
}

export function useAddRegion() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof RegionCreateRequest>) => request(platformApi.addRegion, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['platform', 'regions'] }),
  });
}

/** Drain or put back a region (issue 11): the service name's DNS stops or resumes answering with it. */
export function useDrainRegion() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, drained }: { name: string; drained: boolean }) => request(drained ? platformApi.drainRegion : platformApi.undrainRegion, { params: { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['platform', 'regions'] }),
  });
}

export function useRemoveRegion() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, force }: { name: string; force: boolean }) =>
      request(platformApi.removeRegion, { params: { name }, query: { force: force ? 'true' : 'false' } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['platform'] }),
  });
}

/** Status changes every few seconds (daemons report every 10 s): the listing refreshes itself. */
export function useDaemons(kind: 'gateway' | 'agent') {
  return useQuery({
    queryKey: ['platform', 'daemons', kind],
    queryFn: () => request(kind === 'gateway' ? platformApi.gateways : platformApi.agents),
    refetchInterval: 15_000,
  });
}

export function useRemoveDaemon() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ kind, id }: { kind: 'gateway' | 'agent'; id: string }) =>
      request(kind === 'gateway' ? platformApi.removeGateway : platformApi.removeAgent, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['platform', 'daemons'] }),
  });
}

export type EnrolmentInput = ({ kind: 'gateway' } & z.input<typeof EnrolmentCreateGateway>) | ({ kind: 'agent' } & z.input<typeof EnrolmentCreateAgent>);

/** The created token is in this mutation's result only (shown once). */
export function useCreateEnrolment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: EnrolmentInput) =>
      input.kind === 'gateway'
        ? request(platformApi.createGatewayEnrolment, { body: { region: input.region, expiresInMinutes: input.expiresInMinutes } })
        : request(platformApi.createAgentEnrolment, { body: { plant: input.plant, expiresInMinutes: input.expiresInMinutes } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['platform', 'enrolments'] }),
  });
}

export function useEnrolments() {
  return useQuery({ queryKey: ['platform', 'enrolments'], queryFn: () => request(platformApi.enrolments) });
}

export function useRevokeEnrolment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(platformApi.revokeEnrolment, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['platform', 'enrolments'] }),
  });
}

export type EventFilters = { kind: string; user: string; since: string };

/** One page of events; `before` is the cursor of the page (undefined: the newest). */
export function useEventPage(filters: EventFilters, before: number | undefined, limit: number) {
  return useQuery({
    queryKey: ['platform', 'events', filters, before, limit],
    queryFn: () =>
      request(platformApi.events, {
        query: {
          kind: filters.kind.trim() || undefined,
          user: filters.user.trim() || undefined,
          since: filters.since ? new Date(filters.since).toISOString() : undefined,
          before,
          limit,
        },
      }),
    placeholderData: keepPreviousData,
  });
}
