import { z } from 'zod';
import type { UserId } from '../../../core/model.ts';
import { ProfileConfigParts, ProfileGatewayStatus, ProfileInfo, ProfileKeyRequest, RouteSelector, RouteView } from '../../../core/wire/api.ts';
import { profileGatewayStatus } from '../../vpn/profile-status.ts';
import { currentProfile, issueProfile, revokeProfile, rotateProfile } from '../../vpn/profiles.ts';
import { devicesByPlant } from '../../vpn/route-devices.ts';
import { chooseRoute } from '../../vpn/route-preferences.ts';
import { notFound } from '../errors.ts';
import { JsonText, type RouteDef, route } from '../registry.ts';

export const vpnRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/vpn/profile',
    summary: 'Issue your personal WireGuard profile from a public key generated on your device (SPEC P1)',
    tag: 'vpn',
    auth: 'user',
    body: ProfileKeyRequest,
    response: ProfileConfigParts,
    status: 201,
    handler: ({ ctx, caller, body }) => issueProfile(ctx, caller.userId, body.publicKey),
  }),
  route({
    method: 'post',
    path: '/vpn/profile/rotate',
    summary: 'Replace the key of your profile; tunnel IP and preferences stay (SPEC P2)',
    tag: 'vpn',
    auth: 'user',
    body: ProfileKeyRequest,
    response: ProfileConfigParts,
    handler: ({ ctx, caller, body }) => rotateProfile(ctx, caller.userId, body.publicKey),
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
    handler: async ({ ctx, caller }) => {
      const parts = await currentProfile(ctx, caller.userId);
      if (!parts) throw notFound('profile', 'you have no active personal VPN profile: issue one with plantgate vpn issue');
      return parts;
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
    response: z.array(RouteView),
    handler: async ({ ctx, caller }) => {
      const model = await ctx.fleet.current(250);
      const devices = await devicesByPlant(ctx);
      return new JsonText(ctx.routeViewCache.json(model, ctx.fleet.currentRevision(), caller.userId as UserId, devices));
    },
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
];
