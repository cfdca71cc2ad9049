import { z } from 'zod';
import { formatPrefix, isDefaultRoute, parsePrefix } from '../direct-vpn/ip-prefix.ts';
import { oneLine } from './formats.ts';

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
