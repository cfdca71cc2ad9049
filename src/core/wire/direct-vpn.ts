import { z } from 'zod';
import { formatPrefix, isDefaultRoute, parsePrefix } from '../direct-vpn/ip-prefix.ts';
import { MAX_UPLOAD_BYTES } from '../direct-vpn/upload-result.ts';
import { endpoint } from './endpoint.ts';
import { oneLine } from './formats.ts';
import { printableName } from './printable.ts';

/**
 * Wire shape of a direct VPN's create review (issue 9 contract: `plantgate site-vpn create
 * --json`, dry run or not). Built by src/core/direct-vpn/review.ts; CLI, server and web UI
 * check it with this schema.
 */

/** A canonical IPv4 or IPv6 CIDR that is not a default route. */
export const directVpnSubnet = z.string().refine((text) => {
  const parsed = parsePrefix(text);
  return parsed.ok && !parsed.hostBits && formatPrefix(parsed.prefix) === text && !isDefaultRoute(parsed.prefix);
}, 'must be a canonical CIDR that is not a default route');

const line = z.number().int().min(0);

export const DirectVpnReview = z.strictObject({
  direction: z.enum(['outgoing', 'hosted']),
  protocol: z.enum(['wireguard', 'openvpn']),
  subnets: z.array(directVpnSubnet),
  subnetsFromConfig: z.array(directVpnSubnet),
  stripped: z.array(z.strictObject({ what: oneLine, line })),
  ignored: z.array(z.strictObject({ directive: oneLine, line })),
  needsCredentials: z.boolean(),
  crypto: z.strictObject({ cipher: oneLine.nullable(), auth: oneLine.nullable(), compression: oneLine.nullable(), tlsMin: oneLine.nullable() }).nullable(),
});
export type DirectVpnReviewWire = z.infer<typeof DirectVpnReview>;

// ---- the endpoints (issue 9 items 1, 3, 5–7, 9: control plane only, no tunnel yet) ----------------

const vpnName = printableName(64);
/** OpenVPN advanced settings (D1, to match legacy routers); a value here wins over the upload's. */
const cryptoSetting = oneLine.pipe(z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'));

const manualLine = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const manualPem = z.string().max(16 * 1024, 'must be at most 16384 characters');

/** D1 manual entry: WireGuard takes endpoint, peerPublicKey, privateKey?, address?, presharedKey?, persistentKeepalive?; OpenVPN endpoint, ca, cert, key, tlsAuth?|tlsCrypt?. */
export const ManualEntryRequest = z.strictObject({
  /** HOST:PORT of the router's VPN server ([IPv6]:PORT); the WireGuard peer's endpoint or the OpenVPN remote. */
  endpoint: manualLine(300).optional(),
  peerPublicKey: manualLine(64).optional(),
  /** The agent side's WireGuard private key; absent: the server generates the pair and answers the public key (`agentPublicKey`). */
  privateKey: manualLine(64).optional(),
  /** The agent's tunnel address (CIDR), as the router assigned it. */
  address: manualLine(100).optional(),
  presharedKey: manualLine(64).optional(),
  persistentKeepalive: z.number().int().min(0).max(65535).optional(),
  ca: manualPem.optional(),
  cert: manualPem.optional(),
  key: manualPem.optional(),
  tlsAuth: manualPem.optional(),
  tlsCrypt: manualPem.optional(),
});

export const DirectVpnCreateRequest = z.strictObject({
  name: vpnName,
  description: oneLine.pipe(z.string().max(500, 'must be at most 500 characters')).default(''),
  direction: z.enum(['outgoing', 'hosted']),
  protocol: z.enum(['wireguard', 'openvpn']),
  transport: z.enum(['udp', 'tcp']).optional(),
  /** The uploaded `.conf` / `.ovpn` text (outgoing). */
  config: z.string().max(MAX_UPLOAD_BYTES, `must be at most ${MAX_UPLOAD_BYTES} bytes`).optional(),
  /**
   * Outgoing, instead of `config`: endpoint and keys by hand (D1). Rendered into a config and
   * checked exactly like an upload (src/core/direct-vpn/manual-entry.ts); refusals name `manual.<field>`.
   */
  manual: ManualEntryRequest.optional(),
  /** Plant subnets to route; omitted: the ranges the upload names. */
  subnets: z.array(z.string().max(64, 'must be at most 64 characters')).max(64, 'must list at most 64 subnets').optional(),
  advanced: z.strictObject({ cipher: cryptoSetting, auth: cryptoSetting, compression: cryptoSetting, tlsMin: cryptoSetting }).partial().optional(),
  /** For an upload with `auth-user-pass`: entered separately, stored sealed, never shown again. */
  credentials: z.strictObject({ username: oneLine.pipe(z.string().min(1).max(256)), password: z.string().min(1).max(1024) }).optional(),
  /** Hosted: the public address clients dial (default: the agent's) and the port (default: allocated). */
  listen: z.strictObject({ host: oneLine.pipe(z.string().min(1).max(253)).optional(), port: z.number().int().min(1).max(65535).optional() }).optional(),
  /** Hosted: the name of the first site client (the plant router), created with the server; it announces `subnets`. */
  siteClientName: printableName(64).optional(),
  /** Return the review and change nothing. */
  dryRun: z.boolean().default(false),
});
export type DirectVpnCreateRequestWire = z.infer<typeof DirectVpnCreateRequest>;

/** A direct VPN as every read shows it: never a private key, pre-shared key, certificate key or password. */
export const DirectVpnView = z.strictObject({
  id: z.string(),
  plantId: z.string(),
  plant: oneLine,
  name: oneLine,
  description: oneLine,
  direction: z.enum(['outgoing', 'hosted']),
  protocol: z.enum(['wireguard', 'openvpn']),
  transport: z.enum(['udp', 'tcp']),
  /** Where the agent dials (outgoing): HOST:PORT of each WireGuard peer / OpenVPN remote. */
  endpoints: z.array(oneLine),
  subnets: z.array(directVpnSubnet),
  enabled: z.boolean(),
  needsCredentials: z.boolean(),
  crypto: DirectVpnReview.shape.crypto,
  /** Hosted: where site and user clients dial (the agent's public address and the allocated port). Null for outgoing. */
  listen: z.strictObject({ host: oneLine, port: z.number().int().min(1).max(65535) }).nullable().optional(),
  /** Outgoing WireGuard: the agent side's public key, to enter as the peer on the plant router (null when not known). */
  agentPublicKey: z.string().nullable().optional(),
  /** Hosted: how many site and user clients the server has. */
  clientCount: z.number().int().nonnegative().optional(),
  /** D7: the tunnel as the plant's agent last reported it. */
  live: z
    .strictObject({
      state: z.enum(['connected', 'connecting', 'down', 'disabled', 'unknown']),
      since: z.string().nullable(),
      bytesIn: z.number(),
      bytesOut: z.number(),
      /** Bytes per second over the last two reports. */
      rateIn: z.number(),
      rateOut: z.number(),
      reportedAt: z.string().nullable(),
    })
    .optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DirectVpnViewWire = z.infer<typeof DirectVpnView>;

/** A hosted server's site or user client as reads show it: never a key. */
export const DirectVpnClientView = z.strictObject({
  id: z.string(),
  name: oneLine,
  kind: z.enum(['site', 'user']),
  tunnelIp: z.string(),
  /** Site clients: the plant subnets they announce (WireGuard AllowedIPs / OpenVPN iroute). */
  subnets: z.array(directVpnSubnet),
  createdAt: z.string(),
  /** As the agent last reported it. */
  connected: z.boolean(),
  lastSeen: z.string().nullable(),
  bytesIn: z.number(),
  bytesOut: z.number(),
});
export type DirectVpnClientViewWire = z.infer<typeof DirectVpnClientView>;

/** Show-once: the client's complete profile (`.conf` / `.ovpn` with its private key); never stored, never shown again. */
export const DirectVpnClientCredentials = z.strictObject({
  client: DirectVpnClientView,
  fileName: z.string(),
  profile: z.string(),
});

export const DirectVpnCreated = z.strictObject({
  dryRun: z.boolean(),
  review: DirectVpnReview,
  /** Null on a dry run. */
  vpn: DirectVpnView.nullable(),
  /** Hosted: the first site client's show-once profile. Null otherwise. */
  credentials: DirectVpnClientCredentials.nullable().optional(),
  /**
   * Outgoing WireGuard: the agent side's public key, to enter as the peer on the plant router
   * (the server generated the pair when `manual.privateKey` was left out). Null otherwise, and
   * on a dry run whose key the server would generate.
   */
  agentPublicKey: z.string().nullable().optional(),
  changes: z.array(z.string()),
  revision: z.number(),
});

export const DirectVpnUpdateRequest = z.strictObject({
  name: vpnName.optional(),
  description: oneLine.pipe(z.string().max(500, 'must be at most 500 characters')).optional(),
  subnets: z.array(z.string().max(64, 'must be at most 64 characters')).max(64, 'must list at most 64 subnets').optional(),
  /** Hosted: the public address and port clients dial. */
  listen: z.strictObject({ host: oneLine.pipe(z.string().min(1).max(253)).optional(), port: z.number().int().min(1).max(65535).optional() }).optional(),
  /** Outgoing: a new upload replacing endpoint and keys (validated like on create; subnets kept unless given). */
  config: z.string().max(MAX_UPLOAD_BYTES, `must be at most ${MAX_UPLOAD_BYTES} bytes`).optional(),
  /** Outgoing, instead of `config`: a complete entry by hand replacing endpoint and keys (WireGuard: without `privateKey` the agent keeps its key). */
  manual: ManualEntryRequest.optional(),
  credentials: z.strictObject({ username: oneLine.pipe(z.string().min(1).max(256)), password: z.string().min(1).max(1024) }).optional(),
  /** D8: remove subnets although network devices are behind them (the devices go with them). */
  confirm: z.boolean().default(false),
});

export const DirectVpnChange = z.strictObject({ vpn: DirectVpnView.nullable(), changes: z.array(z.string()), revision: z.number() });
export const DirectVpnRemoveQuery = z.object({ confirm: z.enum(['true', 'false']).optional() });

export const DirectVpnClientCreateRequest = z.strictObject({
  name: printableName(64),
  kind: z.enum(['site', 'user']),
  /** Site clients: the plant subnets behind them (must be among the direct VPN's subnets). */
  subnets: z.array(z.string().max(64, 'must be at most 64 characters')).max(64, 'must list at most 64 subnets').optional(),
});

export const DirectVpnLogs = z.strictObject({
  lines: z.array(z.strictObject({ at: z.string(), text: z.string() })),
  /** When the agent last sent lines; null: never. */
  reportedAt: z.string().nullable(),
});

export const DirectVpnDiagnosis = z.strictObject({
  state: DirectVpnView.shape.live.unwrap().shape.state,
  checks: z.array(z.strictObject({ check: z.string(), ok: z.boolean(), detail: z.string(), fix: z.string().nullable() })),
  reportedAt: z.string().nullable(),
});

export const directVpnApi = {
  list: endpoint({ method: 'GET', path: '/plants/:id/direct-vpns', response: z.array(DirectVpnView) }),
  create: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns', body: DirectVpnCreateRequest, response: DirectVpnCreated }),
  /** `:vpn` is the direct VPN's id or its name. */
  show: endpoint({ method: 'GET', path: '/plants/:id/direct-vpns/:vpn', response: DirectVpnView }),
  update: endpoint({ method: 'PUT', path: '/plants/:id/direct-vpns/:vpn', body: DirectVpnUpdateRequest, response: DirectVpnChange }),
  disable: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns/:vpn/disable', response: DirectVpnChange }),
  enable: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns/:vpn/enable', response: DirectVpnChange }),
  remove: endpoint({ method: 'DELETE', path: '/plants/:id/direct-vpns/:vpn', query: DirectVpnRemoveQuery, response: DirectVpnChange }),
  restart: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns/:vpn/restart', response: DirectVpnChange }),
  logs: endpoint({ method: 'GET', path: '/plants/:id/direct-vpns/:vpn/logs', response: DirectVpnLogs }),
  diagnose: endpoint({ method: 'GET', path: '/plants/:id/direct-vpns/:vpn/diagnose', response: DirectVpnDiagnosis }),
  /** Hosted servers' site and user clients (`:client` is the id or the name). */
  clients: endpoint({ method: 'GET', path: '/plants/:id/direct-vpns/:vpn/clients', response: z.array(DirectVpnClientView) }),
  addClient: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns/:vpn/clients', body: DirectVpnClientCreateRequest, response: DirectVpnClientCredentials }),
  removeClient: endpoint({ method: 'DELETE', path: '/plants/:id/direct-vpns/:vpn/clients/:client', response: DirectVpnChange }),
} as const;

// ---- D11 discovery ----------------------------------------------------------------------------

/** Probed by default: SSH, HTTP, HTTPS, Modbus/TCP, S7, EtherNet/IP, OPC UA. */
export const DISCOVERY_DEFAULT_PORTS = [22, 80, 443, 502, 102, 44818, 4840] as const;

export const DiscoveryCreateRequest = z.strictObject({
  /** Real plant subnets to probe (default: all the plant's subnets). */
  subnets: z.array(z.string().max(64, 'must be at most 64 characters')).max(64, 'must list at most 64 subnets').optional(),
  ports: z.array(z.number().int().min(1).max(65535)).min(1).max(32, 'must list at most 32 ports').optional(),
});

export const DiscoveryView = z.strictObject({
  id: z.string(),
  plantId: z.string(),
  status: z.enum(['pending', 'done', 'failed', 'expired']),
  subnets: z.array(z.string()),
  ports: z.array(z.number()),
  requestedAt: z.string(),
  finishedAt: z.string().nullable(),
  truncated: z.boolean(),
  error: z.string().nullable(),
  hosts: z.array(
    z.strictObject({
      /** The device's real address in the plant. */
      ip: z.string(),
      /** Its address through the personal VPN (mapped when the subnet is mapped). */
      vpnIp: z.string().nullable(),
      icmp: z.boolean(),
      openPorts: z.array(z.number()),
      rttMs: z.number().nullable(),
      /** The network device already saved at this address, if any. */
      knownDevice: z.string().nullable(),
    }),
  ),
});
export type DiscoveryViewWire = z.infer<typeof DiscoveryView>;

export const discoveryApi = {
  start: endpoint({ method: 'POST', path: '/plants/:id/discoveries', body: DiscoveryCreateRequest, response: DiscoveryView }),
  show: endpoint({ method: 'GET', path: '/plants/:id/discoveries/:discovery', response: DiscoveryView }),
} as const;
