import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { strictCidrV4, strictIpv4, wireGuardKey } from './formats.ts';
import { SessionPage, SessionsQuery } from './sessions.ts';

/** Organization VPNs (issue 12, SPEC O1): one endpoint table for server, CLI and web UI. */

const name = z.string().max(200, 'must be at most 200 characters');

/** WireGuard (the default, the contract before OpenVPN org VPNs) or OpenVPN certificates (SPEC P9's user CA); chosen at creation. */
export const OrgVpnProtocol = z.enum(['wireguard', 'openvpn']);
export type OrgVpnProtocol = z.infer<typeof OrgVpnProtocol>;

/** An OpenVPN client's certificate (serial as lowercase hex, SHA-256 fingerprint, end of validity). */
export const OrgVpnCertificateView = z.strictObject({ serial: z.string(), fingerprint: z.string(), notAfter: z.string() });

export const OrgVpnRouteView = z.strictObject({
  plant: z.string(),
  plantId: z.string(),
  via: z.enum(['own', 'cooperation']),
  subnet: strictCidrV4,
  mapped: strictCidrV4,
  /** Native addresses on for this VPN (no other route of this VPN overlaps, SPEC P5). */
  native: z.boolean(),
});
export type OrgVpnRouteView = z.infer<typeof OrgVpnRouteView>;

export const OrgVpnPlantView = z.strictObject({
  id: z.string(),
  name: z.string(),
  organization: z.string(),
  via: z.enum(['own', 'cooperation']).nullable(),
  /** False while the plant is chosen but routes nothing: its cooperation ended or nobody holds Operator in it any more. */
  routed: z.boolean(),
});

export const OrgVpnClientView = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['site', 'device']),
  /** A WireGuard client's public key; null for an OpenVPN client (its certificate says who it is). */
  publicKey: wireGuardKey.nullable(),
  /** An OpenVPN client's certificate; null for a WireGuard client. */
  certificate: OrgVpnCertificateView.nullable(),
  tunnelIp: strictIpv4,
  /** A site's announced networks (organization VPN routes, SPEC D4); empty for a device. */
  networks: z.array(strictCidrV4),
  createdAt: z.string(),
});
export type OrgVpnClientView = z.infer<typeof OrgVpnClientView>;

export const OrgVpnView = z.strictObject({
  id: z.string(),
  name: z.string(),
  organization: z.string(),
  region: z.string(),
  protocol: OrgVpnProtocol,
  createdAt: z.string(),
  plants: z.array(OrgVpnPlantView),
  clients: z.array(OrgVpnClientView),
  routes: z.array(OrgVpnRouteView),
});
export type OrgVpnView = z.infer<typeof OrgVpnView>;

export const OrgVpnCreateRequest = z.strictObject({
  name,
  /** A region's name. */
  region: name,
  /** Plants (ids or names) to route through it. */
  plants: z.array(name).max(1000, 'must list at most 1000 plants').optional(),
  /** Defaults to wireguard. */
  protocol: OrgVpnProtocol.optional(),
});

export const OrgVpnUpdateRequest = z.strictObject({ name });

export const OrgVpnPlantRequest = z.strictObject({ plant: name });

export const OrgVpnClientCreateRequest = z.strictObject({
  name,
  kind: z.enum(['site', 'device']),
  /** A site's announced networks (CIDRs); none for a device. */
  networks: z.array(z.string().max(64, 'must be at most 64 characters')).max(64, 'must list at most 64 networks').optional(),
  /**
   * The client's public key when the key pair was made where it is used (CLI, browser
   * WebCrypto); without it the server makes the pair and returns the private key once.
   */
  publicKey: wireGuardKey.optional(),
  /**
   * OpenVPN VPNs: the PEM certificate signing request made where the key is (CLI, browser
   * WebCrypto); required there, refused for a WireGuard VPN. The private key never leaves.
   */
  csr: z.string().max(8192, 'must be at most 8192 characters').optional(),
});

/** What a client's config file is assembled from; `privateKey` only when the server made the pair (shown once, never stored). */
export const OrgVpnClientCredentials = z.strictObject({
  client: OrgVpnClientView,
  vpn: z.string(),
  region: z.strictObject({ name: z.string(), endpoint: z.string() }),
  servicePublicKey: wireGuardKey,
  /** The mapped space plus this VPN's native prefixes active now. */
  allowedIps: z.array(strictCidrV4),
  privateKey: wireGuardKey.nullable(),
  /**
   * OpenVPN VPNs only: the certificate just signed (shown once), the user CA, the tls-crypt
   * key and the gateways' OpenVPN port; the client adds its own key (core/render/org-vpn-conf.ts).
   */
  openvpn: z.strictObject({ certificate: z.string(), ca: z.string(), tlsCrypt: z.string(), port: z.number().int().min(1).max(65535) }).optional(),
});
export type OrgVpnClientCredentials = z.infer<typeof OrgVpnClientCredentials>;

export const OrgVpnChange = z.strictObject({ ok: z.literal(true), revision: z.number().int() });

export const orgVpnApi = {
  list: endpoint({ method: 'GET', path: '/orgs/:org/org-vpns', response: z.array(OrgVpnView) }),
  create: endpoint({ method: 'POST', path: '/orgs/:org/org-vpns', body: OrgVpnCreateRequest, response: OrgVpnView }),
  /** `:vpn` is the VPN's id or its name. */
  show: endpoint({ method: 'GET', path: '/orgs/:org/org-vpns/:vpn', response: OrgVpnView }),
  update: endpoint({ method: 'PUT', path: '/orgs/:org/org-vpns/:vpn', body: OrgVpnUpdateRequest, response: OrgVpnView }),
  remove: endpoint({ method: 'DELETE', path: '/orgs/:org/org-vpns/:vpn', response: OrgVpnChange }),
  addPlant: endpoint({ method: 'POST', path: '/orgs/:org/org-vpns/:vpn/plants', body: OrgVpnPlantRequest, response: OrgVpnView }),
  /** `:plant` is the plant's id or name. */
  removePlant: endpoint({ method: 'DELETE', path: '/orgs/:org/org-vpns/:vpn/plants/:plant', response: OrgVpnView }),
  clients: endpoint({ method: 'GET', path: '/orgs/:org/org-vpns/:vpn/clients', response: z.array(OrgVpnClientView) }),
  addClient: endpoint({ method: 'POST', path: '/orgs/:org/org-vpns/:vpn/clients', body: OrgVpnClientCreateRequest, response: OrgVpnClientCredentials }),
  /** `:client` is the client's id or name. */
  removeClient: endpoint({ method: 'DELETE', path: '/orgs/:org/org-vpns/:vpn/clients/:client', response: OrgVpnChange }),
  /** A client's sessions, newest first (P7's shape: start, end, source address, bytes, region, gateway); `:client` is its id or name. */
  clientSessions: endpoint({ method: 'GET', path: '/orgs/:org/org-vpns/:vpn/clients/:client/sessions', query: SessionsQuery, response: SessionPage }),
} as const;
