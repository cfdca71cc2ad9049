import { orgVpnApi } from '../../../core/wire/org-vpn.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { orgAccess } from '../organizations/org-access.ts';
import { addClient, addPlant, clientSessions, createOrgVpn, listClients, listOrgVpns, removeClient, removeOrgVpn, removePlant, renameOrgVpn, showOrgVpn } from './service.ts';

const tag = 'org-vpns';

/** Organization VPNs (issue 12, SPEC O1): Admins and Moderators manage, Members see; anyone outside the organization gets 404. */
export const orgVpnRoutes: RouteDef[] = [
  fromEndpoint(orgVpnApi.list, {
    summary: "The organization's VPNs with plants, clients (public keys only) and routes",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listOrgVpns(ctx, await orgAccess(ctx, caller, params.org as string)),
  }),
  fromEndpoint(orgVpnApi.create, {
    summary: 'Create an organization VPN in a region (protocol wireguard, the default, or openvpn), optionally with its plants',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => createOrgVpn(ctx, await orgAccess(ctx, caller, params.org as string), body),
  }),
  fromEndpoint(orgVpnApi.show, {
    summary: 'One organization VPN (id or name)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => showOrgVpn(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string),
  }),
  fromEndpoint(orgVpnApi.update, {
    summary: 'Rename an organization VPN',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) => renameOrgVpn(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string, body.name),
  }),
  fromEndpoint(orgVpnApi.remove, {
    summary: 'Delete an organization VPN: every client is cut at once',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removeOrgVpn(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string),
  }),
  fromEndpoint(orgVpnApi.addPlant, {
    summary: 'Route a plant through the VPN: an own plant, or a cooperation plant where the organization holds Operator',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) => addPlant(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string, body.plant),
  }),
  fromEndpoint(orgVpnApi.removePlant, {
    summary: "Take a plant out of the VPN: its routes go and open connections are cut (P3 bound)",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removePlant(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string, params.plant as string),
  }),
  fromEndpoint(orgVpnApi.clients, {
    summary: "The VPN's sites and devices (public keys only)",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listClients(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string),
  }),
  fromEndpoint(orgVpnApi.addClient, {
    summary:
      'Add a site or device. WireGuard: with publicKey the pair was made on the client, else the private key is in this answer once and never stored. OpenVPN: a csr made on the client; the signed certificate is in this answer once',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => addClient(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string, body),
  }),
  fromEndpoint(orgVpnApi.removeClient, {
    summary: 'Remove a client: it is cut at once',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removeClient(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string, params.client as string),
  }),
  fromEndpoint(orgVpnApi.clientSessions, {
    summary: "A client's sessions, newest first: start, end (null while connected), source address, country, bytes, region and gateway (SPEC P7's view)",
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) =>
      clientSessions(ctx, await orgAccess(ctx, caller, params.org as string), params.vpn as string, params.client as string, query),
  }),
];
