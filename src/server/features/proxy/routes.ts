import { proxyApi } from '../../../core/wire/proxy.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { changeTarget, createTarget, listTargets, myTargets, openTarget, proxySettings, removeTarget } from './service.ts';

const tag = 'browser proxy';

/** Browser proxy, control plane (issue 12, docs/browser-proxy.md). */
export const proxyRoutes: RouteDef[] = [
  fromEndpoint(proxyApi.settings, {
    summary: 'Whether the browser proxy is on, its domain and port',
    tag,
    auth: 'user',
    handler: async ({ ctx }) => proxySettings(ctx),
  }),
  fromEndpoint(proxyApi.list, {
    summary: "A plant's web targets: for its managers and for users who may reach the plant (SPEC P4)",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listTargets(ctx, caller, params.id as string),
  }),
  fromEndpoint(proxyApi.create, {
    summary: "Mark a network device of the plant as a web target (the plant's Admins, Moderators and Operator job role)",
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => createTarget(ctx, caller, params.id as string, body),
  }),
  fromEndpoint(proxyApi.update, {
    summary: "Change a web target (device, scheme, port, path, name); its open sessions end when where it leads changes",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) => changeTarget(ctx, caller, params.id as string, params.target as string, body),
  }),
  fromEndpoint(proxyApi.remove, {
    summary: 'Remove a web target; its open sessions end at once',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removeTarget(ctx, caller, params.id as string, params.target as string),
  }),
  fromEndpoint(proxyApi.mine, {
    summary: 'Every web target the caller may open',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller }) => myTargets(ctx, caller),
  }),
  fromEndpoint(proxyApi.open, {
    summary: 'A one-time grant URL for one web target (about 30 s), bound to the caller’s session; 404 for a target the caller may not open',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params }) => openTarget(ctx, caller, params.target as string),
  }),
];
