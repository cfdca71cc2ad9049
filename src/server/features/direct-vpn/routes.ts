import { directVpnApi } from '../../../core/wire/direct-vpn.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { removeDirectVpn, setDirectVpnEnabled, updateDirectVpnSettings } from './edit-service.ts';
import { addClient, listClients, removeClient } from './hosted-clients.ts';
import { createDirectVpn, listDirectVpns, showDirectVpn } from './service.ts';
import { diagnoseDirectVpn, directVpnLogs, restartDirectVpn } from './live.ts';

const tag = 'direct-vpns';

/** A plant's direct VPNs (issue 9, SPEC D1–D10): control plane only; the agent does not run them yet. */
export const directVpnRoutes: RouteDef[] = [
  fromEndpoint(directVpnApi.list, {
    summary: "The plant's direct VPNs (Technical Manager or higher, own organization or cooperation); no secret in any read",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listDirectVpns(ctx, caller, params.id as string),
  }),
  fromEndpoint(directVpnApi.create, {
    summary: 'Create an outgoing direct VPN from an uploaded WireGuard .conf or OpenVPN .ovpn; dryRun returns the review and changes nothing',
    tag,
    auth: 'user',
    status: 201,
    // An upload may be 64 KiB; JSON escaping (CRLF, quotes) can double it.
    maxBody: 256 * 1024,
    handler: async ({ ctx, caller, params, body }) => createDirectVpn(ctx, caller, params.id as string, body),
  }),
  fromEndpoint(directVpnApi.show, {
    summary: 'One direct VPN (id or name); no secret',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => showDirectVpn(ctx, caller, params.id as string, params.vpn as string),
  }),
  fromEndpoint(directVpnApi.update, {
    summary: 'Edit name, description and subnets; removing a subnet with devices behind it needs confirm=true (SPEC D8)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) => updateDirectVpnSettings(ctx, caller, params.id as string, params.vpn as string, body),
  }),
  fromEndpoint(directVpnApi.disable, {
    summary: 'Disable a direct VPN',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => setDirectVpnEnabled(ctx, caller, params.id as string, params.vpn as string, false),
  }),
  fromEndpoint(directVpnApi.enable, {
    summary: 'Enable a direct VPN',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => setDirectVpnEnabled(ctx, caller, params.id as string, params.vpn as string, true),
  }),
  fromEndpoint(directVpnApi.remove, {
    summary: 'Delete a direct VPN: its subnets leave the plant; with devices behind them refused unless confirm=true (SPEC D8)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) => removeDirectVpn(ctx, caller, params.id as string, params.vpn as string, query.confirm === 'true'),
  }),
  fromEndpoint(directVpnApi.restart, {
    summary: 'Restart a direct VPN: the agent tears the tunnel down and brings it up again (D7)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => restartDirectVpn(ctx, caller, params.id as string, params.vpn as string),
  }),
  fromEndpoint(directVpnApi.logs, {
    summary: "The tunnel's recent log lines as the agent last reported them (secrets redacted by the agent)",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => directVpnLogs(ctx, caller, params.id as string, params.vpn as string),
  }),
  fromEndpoint(directVpnApi.diagnose, {
    summary: 'Diagnose a tunnel that is not connected: each check says what was looked at and what to fix (D7)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => diagnoseDirectVpn(ctx, caller, params.id as string, params.vpn as string),
  }),
  fromEndpoint(directVpnApi.clients, {
    summary: "A hosted server's site and user clients (no key in any read)",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listClients(ctx, caller, params.id as string, params.vpn as string),
  }),
  fromEndpoint(directVpnApi.addClient, {
    summary: 'Add a site or user client to a hosted server; the answer is its complete profile, shown once (its private key is stored nowhere)',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => addClient(ctx, caller, params.id as string, params.vpn as string, body),
  }),
  fromEndpoint(directVpnApi.removeClient, {
    summary: 'Remove a client of a hosted server: it is cut at once (WireGuard peer removed; OpenVPN certificate revoked and its session killed)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removeClient(ctx, caller, params.id as string, params.vpn as string, params.client as string),
  }),
];
