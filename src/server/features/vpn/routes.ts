import { z } from 'zod';
import type { UserId } from '../../../core/model.ts';
import { explainAccess } from '../../../core/routes/access.ts';
import { AdminRouteReport, ProfileConfigParts, ProfileGatewayStatus, ProfileInfo, ProfileKeyRequest, RouteSelector, RouteView } from '../../../core/wire/api.ts';
import { profileGatewayStatus } from './profile-status.ts';
import { currentProfile, issueProfile, revokeProfile, rotateProfile } from './profiles.ts';
import { devicesByPlant } from './route-devices.ts';
import { chooseRoute } from './route-preferences.ts';
import { routeViews } from './routes-view.ts';
import { notFound } from '../../http/errors.ts';
import { JsonText, type RouteDef, route } from '../../http/registry.ts';

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
  route({
    method: 'get',
    path: '/admin/routes',
    summary: 'Any user\u2019s route overview, with the rule that granted or denied each related plant',
    tag: 'admin',
    auth: 'operator',
    query: z.object({ user: z.string().trim().min(1, 'is required (an email)').max(320, 'must be at most 320 characters') }),
    response: AdminRouteReport,
    handler: async ({ ctx, query }) => {
      const model = await ctx.fleet.current();
      const email = query.user.toLowerCase();
      const user = [...model.users.values()].find((u) => u.email === email);
      if (!user) throw notFound('user', `no user ${query.user}`);
      const plants = explainAccess(model, user.id as UserId).map((a) => {
        const plant = model.plants.get(a.plantId);
        return {
          plant: plant?.name ?? a.plantId,
          plantId: a.plantId,
          organization: plant ? (model.organizations.get(plant.orgId)?.name ?? '') : '',
          granted: a.granted,
          via: a.via,
          rule: a.rule,
          rules: a.rules,
        };
      });
      plants.sort((a, b) => a.organization.localeCompare(b.organization) || a.plant.localeCompare(b.plant));
      return { user: { id: user.id, email: user.email, name: user.name }, routes: routeViews(model, user.id as UserId), plants };
    },
  }),
];
