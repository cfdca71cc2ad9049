import { AgentDiscoveryResult } from '../../../core/wire/daemon.ts';
import { discoveryApi } from '../../../core/wire/direct-vpn.ts';
import { type RouteDef, fromEndpoint, route } from '../../http/registry.ts';
import type { DaemonRow } from '../daemons/authenticate-daemon.ts';
import { recordDiscoveryResult, showDiscovery, startDiscovery } from './service.ts';

const tag = 'discovery';

/** D11: discover the devices on a plant's subnets from its agent (ICMP and TCP probes, bounded). */
export const discoveryRoutes: RouteDef[] = [
  fromEndpoint(discoveryApi.start, {
    summary: "Probe the plant's subnets from its agent (ICMP, TCP connect to common ports), bounded in hosts, rate and time; poll `show` for the result",
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => startDiscovery(ctx, caller, params.id as string, body),
  }),
  fromEndpoint(discoveryApi.show, {
    summary: 'A discovery: pending, done (with the hosts that answered), failed or expired (no agent answered in time)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => showDiscovery(ctx, caller, params.id as string, params.discovery as string),
  }),
  route({
    method: 'post',
    path: '/agents/:id/discoveries/:discovery',
    summary: "The agent's answer to a discovery request of its own plant",
    tag: 'daemons',
    auth: 'agent',
    body: AgentDiscoveryResult,
    maxBody: 8 * 1024 * 1024,
    status: 204,
    handler: async ({ ctx, daemon, params, body }) => {
      await recordDiscoveryResult(ctx, daemon as DaemonRow, params.discovery as string, body);
      return undefined;
    },
  }),
];
