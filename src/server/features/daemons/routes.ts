import { z } from 'zod';
import {
  AgentDesiredState,
  AgentRegistration,
  DaemonInfo,
  DaemonStatusReport,
  GatewayRegistration,
  GatewayOpenVpnMaterial,
  GatewaySecrets,
} from '../../../core/wire/daemon.ts';
import { GatewayStateMessage } from '../../../core/wire/gateway-delta.ts';
import { GatewayDesiredState } from '../../../core/wire/gateway-state.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { remoteAddress } from '../../http/source-address.ts';
import { gatewayOpenVpnMaterial } from '../vpn/gateway-openvpn.ts';
import { agentState, gatewaySecrets, gatewayState, listDaemons, recordStatus, regionState, registerAgent, registerGateway, removeDaemon } from './service.ts';
import type { DaemonRow } from './authenticate-daemon.ts';

const LongPoll = z.object({
  after: z.coerce.number().int().min(-1).optional(),
  wait: z.coerce.number().int().min(0).max(60, 'must be at most 60 seconds').default(25),
});

const GatewayLongPoll = LongPoll.extend({
  /** `1`: answer a GatewayStateMessage (a delta when `after` is recent enough); without it, the bare document (daemons before issue 6). */
  delta: z.enum(['0', '1']).default('0'),
});

export const daemonRoutes: RouteDef[] = [
  // ---- operators: list, remove ----------------------------------------------
  ...(['gateway', 'agent'] as const).flatMap((kind) => [
    route({
      method: 'get',
      path: `/admin/${kind}s`,
      summary: `List ${kind}s with their last status report`,
      tag: 'daemons',
      auth: 'operator',
      response: z.array(DaemonInfo),
      handler: ({ ctx }) => listDaemons(ctx, kind),
    }),
    route({
      method: 'delete',
      path: `/admin/${kind}s/:id`,
      summary: `Remove a ${kind}: its credential stops working at once`,
      tag: 'daemons',
      auth: 'operator',
      status: 204,
      handler: async ({ ctx, caller, params }) => {
        await removeDaemon(ctx, caller.userId, kind, params.id as string);
        return undefined;
      },
    }),
  ]),
  route({
    method: 'get',
    path: '/admin/regions/:name/state',
    summary: 'The desired state a region\u2019s gateways receive (for inspection)',
    tag: 'daemons',
    auth: 'operator',
    response: GatewayDesiredState,
    handler: ({ ctx, params }) => regionState(ctx, params.name as string),
  }),

  // ---- daemons ----------------------------------------------------------------
  route({
    method: 'post',
    path: '/gateways/:id/register',
    summary: 'A gateway announces its site key and where agents dial it (at every start)',
    tag: 'daemons',
    auth: 'gateway',
    body: GatewayRegistration,
    response: z.object({ siteTunnelIp: z.string() }),
    handler: ({ ctx, daemon, body }) => registerGateway(ctx, daemon as DaemonRow, body),
  }),
  route({
    method: 'get',
    path: '/gateways/:id/secrets',
    summary: 'The personal-VPN service key pair the gateway serves on its users interface',
    tag: 'daemons',
    auth: 'gateway',
    response: GatewaySecrets,
    handler: ({ ctx }) => gatewaySecrets(ctx),
  }),
  route({
    method: 'get',
    path: '/gateways/:id/openvpn',
    summary: 'The user CA, server certificate and key, tls-crypt key and CRL of the gateway\u2019s OpenVPN servers (SPEC P9); material is null before the first OpenVPN profile',
    tag: 'daemons',
    auth: 'gateway',
    response: GatewayOpenVpnMaterial,
    handler: ({ ctx }) => gatewayOpenVpnMaterial(ctx),
  }),
  route({
    method: 'get',
    path: '/gateways/:id/state',
    summary:
      'The gateway\u2019s desired state; long-polls up to `wait` s while `after` is current. With `delta=1` a GatewayStateMessage: only what changed since `after`, or the full document when `after` is absent, unknown or older than the kept history',
    tag: 'daemons',
    auth: 'gateway',
    query: GatewayLongPoll,
    response: z.union([GatewayStateMessage, GatewayDesiredState]),
    handler: ({ ctx, daemon, query }) => gatewayState(ctx, daemon as DaemonRow, query),
  }),
  route({
    method: 'post',
    path: '/agents/:id/register',
    summary: 'An agent announces its WireGuard public key (at every start)',
    tag: 'daemons',
    auth: 'agent',
    body: AgentRegistration,
    response: z.object({ tunnelIp: z.string() }),
    handler: ({ ctx, daemon, body, c }) => registerAgent(ctx, daemon as DaemonRow, body.publicKey, remoteAddress(c)),
  }),
  route({
    method: 'get',
    path: '/agents/:id/state',
    summary: 'The agent\u2019s desired state: its translations and every gateway to keep a tunnel to',
    tag: 'daemons',
    auth: 'agent',
    query: LongPoll,
    response: AgentDesiredState,
    handler: ({ ctx, daemon, query }) => agentState(ctx, daemon as DaemonRow, query),
  }),
  ...(['gateway', 'agent'] as const).map((kind) =>
    route({
      method: 'post',
      path: `/${kind}s/:id/status`,
      summary: `A ${kind} reports what it applied and its peers (handshakes, bytes)`,
      tag: 'daemons',
      auth: kind,
      body: DaemonStatusReport,
      // The largest report within the schema's bounds (1,000 peers) is about 250 KiB of JSON.
      maxBody: 1024 * 1024,
      status: 204,
      handler: async ({ ctx, daemon, body }) => {
        await recordStatus(ctx, daemon as DaemonRow, body);
        return undefined;
      },
    }),
  ),
];
