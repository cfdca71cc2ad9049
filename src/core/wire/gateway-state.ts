import { z } from 'zod';

/**
 * The complete desired state of one region's gateways (DESIGN "Data plane").
 * A document, not a patch: applying it twice is a no-op, and anything a gateway
 * has that is not in it must be removed.
 */
export const cidrV4 = z.cidrv4();
export const ipV4 = z.ipv4();

export const GatewayPeer = z.object({
  /** WireGuard public key of the user's profile (base64, 32 bytes). */
  publicKey: z.string(),
  /** The user's tunnel IP; the peer's AllowedIPs are exactly this /32. */
  tunnelIp: ipV4,
  profileId: z.string(),
  /**
   * Set for an organization VPN client (SPEC O1, `profileId` = `org-vpn:<client id>`): only
   * the gateways of this region take the peer; personal profiles work in every region (P8).
   */
  region: z.string().optional(),
});
export type GatewayPeer = z.infer<typeof GatewayPeer>;

/** Allowed pair: user tunnel IP . mapped prefix (gateway nft sets `allowed_N`, decision 0003). */
export const AllowedPair = z.object({ userIp: ipV4, mapped: cidrV4 });
export type AllowedPair = z.infer<typeof AllowedPair>;

/** Native mapping (gateway nft maps `native_A_B_C`, decision 0003): user tunnel IP . native prefix : mapped prefix (same length). */
export const NativeMapping = z.object({ userIp: ipV4, native: cidrV4, mapped: cidrV4 });
export type NativeMapping = z.infer<typeof NativeMapping>;

/** One mapped prefix of a plant and the real subnet its agent translates it to. */
export const SiteTranslation = z.object({ mapped: cidrV4, real: cidrV4 });
export type SiteTranslation = z.infer<typeof SiteTranslation>;

export const GatewaySite = z.object({
  plantId: z.string(),
  plantName: z.string(),
  /** The agent's WireGuard public key once an agent has enrolled, else null. */
  agentPublicKey: z.string().nullable(),
  /** The agent's tunnel IP on the site interface, once enrolled. */
  agentTunnelIp: ipV4.nullable(),
  /** Mapped prefixes routed to this agent (its peer's AllowedIPs) and their real subnets. */
  translations: z.array(SiteTranslation),
});
export type GatewaySite = z.infer<typeof GatewaySite>;

/** The gateway this document is for: its own site-side address, unique per gateway so an agent's replies go back through the gateway they came from. */
export const GatewaySelf = z.object({
  id: z.string(),
  name: z.string(),
  siteTunnelIp: ipV4,
});
export type GatewaySelf = z.infer<typeof GatewaySelf>;

/**
 * A web target as the gateways serve it (SPEC O2, docs/browser-proxy.md): the browser asks for
 * `https://<host>.<domain>:<port>`, the gateway forwards to `scheme://mappedAddress:port`.
 */
export const GatewayProxyTarget = z.object({
  id: z.string(),
  /** The per-target subdomain label, `t-` and lowercase letters/digits (a DNS label). */
  host: z.string().regex(/^t-[a-z0-9]{1,60}$/),
  plantId: z.string(),
  scheme: z.enum(['http', 'https']),
  /** The device's MAPPED address (its subnet's mapped prefix, host part kept): overlapping plant subnets never mix. */
  mappedAddress: ipV4,
  port: z.number().int().min(1).max(65535),
  /** Where the grant redirect lands (absolute path on the device). */
  path: z.string(),
});
export type GatewayProxyTarget = z.infer<typeof GatewayProxyTarget>;

/**
 * One user's proxy session on one target. The gateway redeems the grant (sha256 hex of the
 * one-time token in the URL) once, before `grantExpiresAt`, and serves the session until
 * `expiresAt` or until the session is no longer in the document — then it closes it at once
 * (open requests, WebSockets) and forgets its cookie.
 */
export const GatewayProxySession = z.object({
  id: z.string(),
  targetId: z.string(),
  userId: z.string(),
  userEmail: z.string(),
  grantHash: z.string().regex(/^[0-9a-f]{64}$/),
  grantExpiresAt: z.string(),
  expiresAt: z.string(),
});
export type GatewayProxySession = z.infer<typeof GatewayProxySession>;

export const GatewayProxy = z.object({
  /** The proxy domain: target `host` is served at `<host>.<domain>`. */
  domain: z.string(),
  /** The HTTPS port the gateways' proxy listens on (and the URLs name when not 443). */
  port: z.number().int().min(1).max(65535),
  targets: z.array(GatewayProxyTarget),
  sessions: z.array(GatewayProxySession),
});
export type GatewayProxy = z.infer<typeof GatewayProxy>;

export const GatewayDesiredState = z.object({
  /** Moves on every change that alters this document. */
  revision: z.number().int().nonnegative(),
  region: z.string(),
  /** Null when an operator reads a region's state without naming a gateway. */
  gateway: GatewaySelf.nullable(),
  /** The personal-VPN service key (public half); every region shares the pair. */
  servicePublicKey: z.string(),
  /** The address of the gateway on the user interface (same in every region). */
  serviceTunnelIp: ipV4,
  tunnelRange: cidrV4,
  mappedSpace: cidrV4,
  peers: z.array(GatewayPeer),
  allowed: z.array(AllowedPair),
  native: z.array(NativeMapping),
  sites: z.array(GatewaySite),
  /** The browser proxy (docs/browser-proxy.md); absent when the server has it turned off. */
  proxy: GatewayProxy.optional(),
});
export type GatewayDesiredState = z.infer<typeof GatewayDesiredState>;
