import { z } from 'zod';
import { AdminRouteReport, ProfileChanges, ProfileChangesQuery, ProfileConfigParts, ProfileGatewayStatus, ProfileInfo, ProfileKeyRequest, RouteSelector, RoutesQuery, RouteView } from '../../../core/wire/api.ts';
import { profileGatewayStatus } from './profile-status.ts';
import { currentProfile, issueProfile, revokeProfile, rotateProfile } from './profiles.ts';
import { ownRoutes, routeReport } from './route-overview.ts';
import { chooseRoute } from './route-preferences.ts';
import { type RouteDef, route } from '../../http/registry.ts';

export const vpnRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/vpn/profile',
    summary: 'Issue your personal profile: WireGuard from a public key, or OpenVPN from a certificate signing request, both generated on your device (SPEC P1, P9)',
    tag: 'vpn',
    auth: 'user',
    body: ProfileKeyRequest,
    response: ProfileConfigParts,
    status: 201,
    handler: ({ ctx, caller, body }) => issueProfile(ctx, caller.userId, body),
  }),
  route({
    method: 'post',
    path: '/vpn/profile/rotate',
    summary: 'Replace the key of your profile; tunnel IP and preferences stay (SPEC P2)',
    tag: 'vpn',
    auth: 'user',
    body: ProfileKeyRequest,
    response: ProfileConfigParts,
    handler: ({ ctx, caller, body }) => rotateProfile(ctx, caller.userId, body),
  }),
  route({
    method: 'post',
    path: '/vpn/profile/revoke',
    summary: 'Revoke your profile at once (SPEC P3)',
    tag: 'vpn',
    auth: 'user',
    response: ProfileInfo,
    handler: ({ ctx, caller }) => revokeProfile(ctx, caller.userId, caller.userId),
  }),
  route({
    method: 'get',
    path: '/vpn/profile',
    summary: 'Your active profile and what its config file holds (without the private key, which only your device has)',
    tag: 'vpn',
    auth: 'user',
    response: ProfileConfigParts,
    handler: ({ ctx, caller }) => currentProfile(ctx, caller.userId),
  }),
  route({
    method: 'get',
    path: '/vpn/profile/changes',
    summary: 'Long-poll: answers when the fleet revision passes `after` (your routes may have changed) or after `wait` seconds; the own client (plantgate vpn up) then reads /vpn/profile',
    tag: 'vpn',
    auth: 'user',
    query: ProfileChangesQuery,
    response: ProfileChanges,
    handler: async ({ ctx, query }) => {
      // Memory only (the revision ring), like the daemons' long-poll: an idle wait costs no query.
      if (query.after !== undefined) await ctx.fleet.waitForRevision(query.after, query.wait * 1000);
      return { revision: ctx.fleet.headRevision() };
    },
  }),
  route({
    method: 'get',
    path: '/vpn/profile/status',
    summary: 'What each gateway last reported about your profile: last handshake and bytes (gateways that do not list it are left out)',
    tag: 'vpn',
    auth: 'user',
    response: z.array(ProfileGatewayStatus),
    handler: ({ ctx, caller }) => profileGatewayStatus(ctx, caller.userId),
  }),
  route({
    method: 'get',
    path: '/vpn/routes',
    summary: 'Your route overview (SPEC P6)',
    tag: 'vpn',
    auth: 'user',
    query: RoutesQuery,
    response: z.array(RouteView),
    handler: ({ ctx, caller, query }) => ownRoutes(ctx, caller.userId, query.devices === 'true'),
  }),
  route({
    method: 'put',
    path: '/vpn/routes/priority',
    summary: 'Choose the plant whose native addresses win its conflict group',
    tag: 'vpn',
    auth: 'user',
    body: RouteSelector,
    response: z.array(RouteView),
    handler: ({ ctx, caller, body }) => chooseRoute(ctx, caller.userId, body, 'priority'),
  }),
  route({
    method: 'put',
    path: '/vpn/routes/disabled',
    summary: 'Switch one of your routes off (neither native nor mapped addresses)',
    tag: 'vpn',
    auth: 'user',
    body: RouteSelector,
    response: z.array(RouteView),
    handler: ({ ctx, caller, body }) => chooseRoute(ctx, caller.userId, body, 'disable'),
  }),
  route({
    method: 'put',
    path: '/vpn/routes/enabled',
    summary: 'Switch a route back on',
    tag: 'vpn',
    auth: 'user',
    body: RouteSelector,
    response: z.array(RouteView),
    handler: ({ ctx, caller, body }) => chooseRoute(ctx, caller.userId, body, 'enable'),
  }),
  route({
    method: 'get',
    path: '/admin/routes',
    summary: 'Any user\u2019s route overview, with the rule that granted or denied each related plant',
    tag: 'admin',
    auth: 'operator',
    query: z.object({ user: z.string().trim().min(1, 'is required (an email)').max(320, 'must be at most 320 characters') }),
    response: AdminRouteReport,
    handler: ({ ctx, query }) => routeReport(ctx, query.user),
  }),
];
