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

export const DirectVpnCreateRequest = z.strictObject({
  name: vpnName,
  description: oneLine.pipe(z.string().max(500, 'must be at most 500 characters')).default(''),
  direction: z.enum(['outgoing', 'hosted']),
  protocol: z.enum(['wireguard', 'openvpn']),
  transport: z.enum(['udp', 'tcp']).optional(),
  /** The uploaded `.conf` / `.ovpn` text (outgoing). */
  config: z.string().max(MAX_UPLOAD_BYTES, `must be at most ${MAX_UPLOAD_BYTES} bytes`).optional(),
  /** Plant subnets to route; omitted: the ranges the upload names. */
  subnets: z.array(z.string().max(64, 'must be at most 64 characters')).max(64, 'must list at most 64 subnets').optional(),
  advanced: z.strictObject({ cipher: cryptoSetting, auth: cryptoSetting, compression: cryptoSetting, tlsMin: cryptoSetting }).partial().optional(),
  /** For an upload with `auth-user-pass`: entered separately, stored sealed, never shown again. */
  credentials: z.strictObject({ username: oneLine.pipe(z.string().min(1).max(256)), password: z.string().min(1).max(1024) }).optional(),
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
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DirectVpnViewWire = z.infer<typeof DirectVpnView>;

export const DirectVpnCreated = z.strictObject({
  dryRun: z.boolean(),
  review: DirectVpnReview,
  /** Null on a dry run. */
  vpn: DirectVpnView.nullable(),
  changes: z.array(z.string()),
  revision: z.number(),
});

export const DirectVpnUpdateRequest = z.strictObject({
  name: vpnName.optional(),
  description: oneLine.pipe(z.string().max(500, 'must be at most 500 characters')).optional(),
  subnets: z.array(z.string().max(64, 'must be at most 64 characters')).max(64, 'must list at most 64 subnets').optional(),
  /** D8: remove subnets although network devices are behind them (the devices go with them). */
  confirm: z.boolean().default(false),
});

export const DirectVpnChange = z.strictObject({ vpn: DirectVpnView.nullable(), changes: z.array(z.string()), revision: z.number() });
export const DirectVpnRemoveQuery = z.object({ confirm: z.enum(['true', 'false']).optional() });

export const directVpnApi = {
  list: endpoint({ method: 'GET', path: '/plants/:id/direct-vpns', response: z.array(DirectVpnView) }),
  create: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns', body: DirectVpnCreateRequest, response: DirectVpnCreated }),
  /** `:vpn` is the direct VPN's id or its name. */
  show: endpoint({ method: 'GET', path: '/plants/:id/direct-vpns/:vpn', response: DirectVpnView }),
  update: endpoint({ method: 'PUT', path: '/plants/:id/direct-vpns/:vpn', body: DirectVpnUpdateRequest, response: DirectVpnChange }),
  disable: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns/:vpn/disable', response: DirectVpnChange }),
  enable: endpoint({ method: 'POST', path: '/plants/:id/direct-vpns/:vpn/enable', response: DirectVpnChange }),
  remove: endpoint({ method: 'DELETE', path: '/plants/:id/direct-vpns/:vpn', query: DirectVpnRemoveQuery, response: DirectVpnChange }),
} as const;
