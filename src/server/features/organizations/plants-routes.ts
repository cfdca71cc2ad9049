import { orgApi } from '../../../core/wire/org.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { orgAccess } from './org-access.ts';
import { addDevice, addSubnet, createPlant, listPlants, plantDetail, removeDevice, removePlant, removeSubnet, renamePlantTo, updateDevice } from './plants-service.ts';

const tag = 'organizations';

/** An organization's plants with their subnets (mapped prefixes) and network devices. */
export const plantsRoutes: RouteDef[] = [
  fromEndpoint(orgApi.plants, {
    summary: 'Plants with subnets, mapped prefixes, device counts, portfolios and the serving agent',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listPlants(ctx, await orgAccess(ctx, caller, params.org as string)),
  }),
  fromEndpoint(orgApi.plant, {
    summary: 'One plant with its devices and their mapped addresses, and the partners it is shared with',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => plantDetail(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string),
  }),
  fromEndpoint(orgApi.createPlant, {
    summary: 'Create a plant; each subnet gets its mapped prefix',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => createPlant(ctx, await orgAccess(ctx, caller, params.org as string), body.name, body.subnets),
  }),
  fromEndpoint(orgApi.renamePlant, {
    summary: 'Rename a plant (it keeps its subnets, mapped prefixes and agent)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) => renamePlantTo(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string, body.name),
  }),
  fromEndpoint(orgApi.removePlant, {
    summary: 'Remove a plant (Admin); refused while an agent is enrolled unless force=true',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) =>
      removePlant(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string, query.force === 'true'),
  }),
  fromEndpoint(orgApi.addSubnet, {
    summary: 'Add a subnet to a plant; it gets its own mapped prefix (SPEC P5)',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => addSubnet(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string, body.cidr),
  }),
  fromEndpoint(orgApi.removeSubnet, {
    summary: 'Remove a subnet (id or CIDR); with devices behind it refused unless confirm=true (SPEC D8)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) =>
      removeSubnet(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string, params.subnet as string, query.confirm === 'true'),
  }),
  fromEndpoint(orgApi.addDevice, {
    summary: 'Add a network device inside one of the plant\u2019s subnets',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => addDevice(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string, body),
  }),
  fromEndpoint(orgApi.updateDevice, {
    summary: 'Change a device (id or name): name, address, kind, ports',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) =>
      updateDevice(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string, params.device as string, body),
  }),
  fromEndpoint(orgApi.removeDevice, {
    summary: 'Remove a device',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removeDevice(ctx, await orgAccess(ctx, caller, params.org as string), params.plant as string, params.device as string),
  }),
];
