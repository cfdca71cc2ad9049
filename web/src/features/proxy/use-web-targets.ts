import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { proxyApi, type WebTargetCreateRequest, type WebTargetUpdateRequest } from '../../../../src/core/wire/proxy.ts';
import { request } from '../../api/client.ts';

/** Reads and changes of the browser proxy's web targets (docs/browser-proxy.md). */

export function usePlantWebTargets(plantId: string) {
  return useQuery({ queryKey: ['web-targets', 'plant', plantId], queryFn: () => request(proxyApi.list, { params: { id: plantId } }) });
}

/** Every target the signed-in user may open. */
export function useMyWebTargets() {
  return useQuery({ queryKey: ['web-targets', 'mine'], queryFn: () => request(proxyApi.mine) });
}

export function useProxySettings() {
  return useQuery({ queryKey: ['web-targets', 'settings'], queryFn: () => request(proxyApi.settings), staleTime: 300_000 });
}

function useTargetChange<I, O>(change: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: change, onSuccess: async () => client.invalidateQueries({ queryKey: ['web-targets'] }) });
}

export function useCreateWebTarget(plantId: string) {
  return useTargetChange((body: z.input<typeof WebTargetCreateRequest>) => request(proxyApi.create, { params: { id: plantId }, body }));
}

export function useUpdateWebTarget(plantId: string, targetId: string) {
  return useTargetChange((body: z.input<typeof WebTargetUpdateRequest>) => request(proxyApi.update, { params: { id: plantId, target: targetId }, body }));
}

export function useRemoveWebTarget(plantId: string, targetId: string) {
  return useTargetChange(() => request(proxyApi.remove, { params: { id: plantId, target: targetId } }));
}

/**
 * Open: the tab is opened at the click (a tab opened after an await is a blocked popup), then
 * sent to the grant URL once the server answered; closed again when the open is refused.
 */
export function useOpenWebTarget() {
  return useMutation({
    mutationFn: async (targetId: string) => {
      const tab = window.open('', '_blank');
      try {
        const opened = await request(proxyApi.open, { params: { target: targetId } });
        if (tab) {
          // The device's page must not reach back into the platform's window.
          tab.opener = null;
          tab.location.href = opened.url;
        } else {
          window.open(opened.url, '_blank', 'noopener');
        }
        return opened;
      } catch (error) {
        tab?.close();
        throw error;
      }
    },
  });
}
