import { z } from 'zod';
import { RegionCreateRequest, RegionInfo } from '../../../core/wire/api.ts';
import { RegionRemoveQuery, platformApi } from '../../../core/wire/platform.ts';
import { type RouteDef, fromEndpoint, route } from '../../http/registry.ts';
import { addRegion, listRegions, regionHealthCheck, removeRegion, setDrained } from './service.ts';

export const regionRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/admin/regions',
    summary: 'List regions',
    tag: 'admin',
    auth: 'operator',
    response: z.array(RegionInfo),
    handler: ({ ctx }) => listRegions(ctx),
  }),
  route({
    method: 'post',
    path: '/admin/regions',
    summary: 'Add a region: where users\u2019 clients dial in',
    tag: 'admin',
    auth: 'operator',
    body: RegionCreateRequest,
    response: RegionInfo,
    status: 201,
    handler: ({ ctx, caller, body }) => addRegion(ctx, caller.userId, body),
  }),
  route({
    method: 'delete',
    path: '/admin/regions/:name',
    summary: 'Remove a region; refused while gateways are enrolled in it unless `force=true` (they are removed too)',
    tag: 'admin',
    auth: 'operator',
    query: RegionRemoveQuery,
    status: 204,
    handler: async ({ ctx, caller, params, query }) => {
      await removeRegion(ctx, caller.userId, params.name as string, query.force === 'true');
      return undefined;
    },
  }),
  fromEndpoint(platformApi.drainRegion, {
    summary: 'Drain a region: the service name stops answering with it while another healthy region exists',
    tag: 'admin',
    auth: 'operator',
    handler: ({ ctx, caller, params }) => setDrained(ctx, caller.userId, params.name as string, true),
  }),
  fromEndpoint(platformApi.undrainRegion, {
    summary: 'Put a drained region back into the service name\u2019s answers',
    tag: 'admin',
    auth: 'operator',
    handler: ({ ctx, caller, params }) => setDrained(ctx, caller.userId, params.name as string, false),
  }),
  fromEndpoint(platformApi.regionHealth, {
    summary: 'Region health for external GSLB / load-balancer checks: 200 while a gateway reported within the status window and the region is not drained, else 503 (no login)',
    tag: 'regions',
    auth: 'none',
    handler: ({ ctx, params }) => regionHealthCheck(ctx, params.name as string),
  }),
];
