import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { DeviceRequest } from '../../../../../src/core/wire/org.ts';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';
import { navigate } from '../../../app/router.ts';
import { orgPath } from '../org-paths.ts';
import { orgKey, useOrgChange } from '../use-org.ts';

export function usePlants(orgId: string, enabled = true) {
  return useQuery({ queryKey: orgKey(orgId, 'plants'), queryFn: () => request(orgApi.plants, { params: { org: orgId } }), enabled });
}

export function usePlant(orgId: string, plantId: string) {
  return useQuery({ queryKey: orgKey(orgId, 'plant', plantId), queryFn: () => request(orgApi.plant, { params: { org: orgId, plant: plantId } }) });
}

export function useCreatePlant(orgId: string) {
  return useOrgChange(orgId, (input: { name: string; subnets: string[] }) => request(orgApi.createPlant, { params: { org: orgId }, body: input }));
}

export function useRenamePlant(orgId: string, plantId: string) {
  return useOrgChange(orgId, (name: string) => request(orgApi.renamePlant, { params: { org: orgId, plant: plantId }, body: { name } }));
}

/** `force`: the plant has an agent, which is removed with it (the caller confirmed that). */
export function useRemovePlant(orgId: string, plantId: string) {
  return useOrgChange(
    orgId,
    (force: boolean) => request(orgApi.removePlant, { params: { org: orgId, plant: plantId }, query: { force: force ? 'true' : undefined } }),
    { removes: orgKey(orgId, 'plant', plantId), next: () => navigate(orgPath(orgId, 'plants')) },
  );
}

export function useAddSubnet(orgId: string, plantId: string) {
  return useOrgChange(orgId, (cidr: string) => request(orgApi.addSubnet, { params: { org: orgId, plant: plantId }, body: { cidr } }));
}

/** SPEC D8: `confirm` only after the user saw the devices behind the subnet. */
export function useRemoveSubnet(orgId: string, plantId: string) {
  return useOrgChange(orgId, ({ subnetId, confirm }: { subnetId: string; confirm: boolean }) =>
    request(orgApi.removeSubnet, { params: { org: orgId, plant: plantId, subnet: subnetId }, query: { confirm: confirm ? 'true' : undefined } }),
  );
}

export function useSaveDevice(orgId: string, plantId: string) {
  return useOrgChange(orgId, ({ deviceId, device }: { deviceId: string | null; device: z.input<typeof DeviceRequest> }) =>
    deviceId === null
      ? request(orgApi.addDevice, { params: { org: orgId, plant: plantId }, body: device })
      : request(orgApi.updateDevice, { params: { org: orgId, plant: plantId, device: deviceId }, body: device }),
  );
}

export function useRemoveDevice(orgId: string, plantId: string) {
  return useOrgChange(orgId, (deviceId: string) => request(orgApi.removeDevice, { params: { org: orgId, plant: plantId, device: deviceId } }));
}
