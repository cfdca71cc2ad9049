import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import {
  directVpnApi,
  type DirectVpnClientCreateRequest,
  type DirectVpnCreateRequest,
  type DirectVpnUpdateRequest,
} from '../../../../src/core/wire/direct-vpn.ts';
import { plantAccessApi } from '../../../../src/core/wire/plant-access.ts';
import { request } from '../../api/client.ts';

/** The cards follow the agent's reports without a reload (D7: live state and traffic). */
export const LIVE_REFRESH_MS = 5_000;

const plantKey = (plantId: string, ...rest: unknown[]) => ['plant', plantId, ...rest];

/** The plant and the caller's plant actions (src/core/permissions.ts PLANT_PERMISSIONS, as the server judges them). */
export function usePlantAccess(plantId: string) {
  return useQuery({
    queryKey: plantKey(plantId, 'access'),
    queryFn: () => request(plantAccessApi.show, { params: { id: plantId } }),
    staleTime: 30_000,
    enabled: plantId !== '',
  });
}

export function useDirectVpns(plantId: string) {
  return useQuery({
    queryKey: plantKey(plantId, 'direct-vpns'),
    queryFn: () => request(directVpnApi.list, { params: { id: plantId } }),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

export function useDirectVpnClients(plantId: string, vpnId: string) {
  return useQuery({
    queryKey: plantKey(plantId, 'direct-vpns', vpnId, 'clients'),
    queryFn: () => request(directVpnApi.clients, { params: { id: plantId, vpn: vpnId } }),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

export function useDirectVpnLogs(plantId: string, vpnId: string) {
  return useQuery({
    queryKey: plantKey(plantId, 'direct-vpns', vpnId, 'logs'),
    queryFn: () => request(directVpnApi.logs, { params: { id: plantId, vpn: vpnId } }),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

export function useDirectVpnDiagnosis(plantId: string, vpnId: string) {
  return useQuery({
    queryKey: plantKey(plantId, 'direct-vpns', vpnId, 'diagnose'),
    queryFn: () => request(directVpnApi.diagnose, { params: { id: plantId, vpn: vpnId } }),
    gcTime: 0,
  });
}

/** A change to the plant's direct VPNs: afterwards the plant's reads (cards, clients, organization pages) are read again. */
function useDirectVpnChange<I, O>(plantId: string, change: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: plantKey(plantId) }), client.invalidateQueries({ queryKey: ['org'] })]);
    },
  });
}

/** Dry runs change nothing: they are plain mutations without a refresh. */
export function useCreateDirectVpn(plantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof DirectVpnCreateRequest>) => request(directVpnApi.create, { params: { id: plantId }, body }),
    onSuccess: async (created) => {
      if (!created.dryRun) await Promise.all([client.invalidateQueries({ queryKey: plantKey(plantId) }), client.invalidateQueries({ queryKey: ['org'] })]);
    },
  });
}

export function useUpdateDirectVpn(plantId: string, vpnId: string) {
  return useDirectVpnChange(plantId, (body: z.input<typeof DirectVpnUpdateRequest>) =>
    request(directVpnApi.update, { params: { id: plantId, vpn: vpnId }, body }),
  );
}

export function useDirectVpnAction(plantId: string, vpnId: string) {
  return useDirectVpnChange(plantId, (action: 'restart' | 'disable' | 'enable') => request(directVpnApi[action], { params: { id: plantId, vpn: vpnId } }));
}

/** D8: `confirm` only after the user saw the devices behind its subnets. */
export function useRemoveDirectVpn(plantId: string, vpnId: string) {
  return useDirectVpnChange(plantId, (confirm: boolean) =>
    request(directVpnApi.remove, { params: { id: plantId, vpn: vpnId }, query: { confirm: confirm ? 'true' : undefined } }),
  );
}

export function useAddClient(plantId: string, vpnId: string) {
  return useDirectVpnChange(plantId, (body: z.input<typeof DirectVpnClientCreateRequest>) =>
    request(directVpnApi.addClient, { params: { id: plantId, vpn: vpnId }, body }),
  );
}

export function useRemoveClient(plantId: string, vpnId: string) {
  return useDirectVpnChange(plantId, (clientId: string) => request(directVpnApi.removeClient, { params: { id: plantId, vpn: vpnId, client: clientId } }));
}
