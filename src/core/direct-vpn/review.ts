import { parseOpenVpnConfig } from './openvpn-config.ts';
import { type DirectVpnSubnetContext, type SubnetProblem, validateDirectVpnSubnets } from './subnet-validation.ts';
import type { IgnoredDirective, OpenVpnCrypto, StrippedRoute, UploadProblem } from './upload-result.ts';
import { parseWireGuardConfig } from './wireguard-config.ts';

/**
 * D3 review of an outgoing direct VPN with an uploaded config: the JSON the issue 9
 * contract prints for `site-vpn create --json` (dry run or not), from the upload, the
 * chosen subnets and the advanced OpenVPN settings. Pure: the caller supplies what the
 * subnets must not overlap (D4).
 */
export type DirectVpnProtocol = 'wireguard' | 'openvpn';

export type DirectVpnReview = {
  direction: 'outgoing';
  protocol: DirectVpnProtocol;
  /** What will be routed: the chosen subnets, or the upload's own ranges when none are chosen. */
  subnets: string[];
  subnetsFromConfig: string[];
  stripped: StrippedRoute[];
  ignored: IgnoredDirective[];
  needsCredentials: boolean;
  crypto: OpenVpnCrypto | null;
};

export type ReviewInput = {
  protocol: DirectVpnProtocol;
  configText: string;
  /** Null: take the ranges the upload names. */
  subnets: string[] | null;
  /** OpenVPN advanced settings; a value given here wins over the upload's. */
  advanced?: Partial<OpenVpnCrypto>;
  context: DirectVpnSubnetContext;
};

export type ReviewResult =
  | { ok: true; review: DirectVpnReview }
  | { ok: false; field: 'config'; problems: UploadProblem[] }
  | { ok: false; field: 'subnets'; problems: SubnetProblem[]; stripped: StrippedRoute[] };

export function reviewOutgoingUpload(input: ReviewInput): ReviewResult {
  const parsed = input.protocol === 'wireguard' ? parseWireGuardConfig(input.configText) : parseOpenVpnConfig(input.configText);
  if (!parsed.ok) {
    const hint = otherProtocolHint(input.protocol, input.configText);
    return { ok: false, field: 'config', problems: hint ? [hint, ...parsed.problems] : parsed.problems };
  }
  // Plant subnets are IPv4: without a choice, an upload's IPv4 ranges are routed and its IPv6
  // ones (a dual-stack FRITZ!Box export) stay listed in subnetsFromConfig only.
  const chosen = input.subnets ?? defaultSubnets(parsed.subnetsFromConfig);
  const validation = validateDirectVpnSubnets(chosen, input.context);
  if (!validation.ok) {
    // An upload whose only route was a default route: say so, the user has to name the ranges.
    const problems =
      chosen.length === 0 && parsed.stripped.length > 0
        ? validation.problems.map((problem) => ({
            ...problem,
            message: `subnets: the upload's default route (${parsed.stripped.map((s) => `${s.what}, line ${s.line}`).join('; ')}) was removed; name the plant subnets behind the router explicitly`,
          }))
        : validation.problems;
    return { ok: false, field: 'subnets', problems, stripped: parsed.stripped };
  }
  const crypto =
    input.protocol === 'openvpn' && parsed.crypto !== null
      ? {
          cipher: input.advanced?.cipher ?? parsed.crypto.cipher,
          auth: input.advanced?.auth ?? parsed.crypto.auth,
          compression: input.advanced?.compression ?? parsed.crypto.compression,
          tlsMin: input.advanced?.tlsMin ?? parsed.crypto.tlsMin,
        }
      : null;
  return {
    ok: true,
    review: {
      direction: 'outgoing',
      protocol: input.protocol,
      subnets: validation.subnets,
      subnetsFromConfig: parsed.subnetsFromConfig,
      stripped: parsed.stripped,
      ignored: parsed.ignored,
      needsCredentials: parsed.needsCredentials,
      crypto,
    },
  };
}

/** The ranges routed when the user names none: the upload's IPv4 ones; all of them when it names no IPv4 range (then validation says why). */
export function defaultSubnets(fromConfig: string[]): string[] {
  const v4 = fromConfig.filter((cidr) => !cidr.includes(':'));
  return v4.length > 0 ? v4 : fromConfig;
}

/** An .ovpn uploaded as WireGuard (or a .conf as OpenVPN) fails on every line: say the one thing to change first. */
export function otherProtocolHint(protocol: 'wireguard' | 'openvpn', text: string): UploadProblem | null {
  if (protocol === 'wireguard' && /^\s*(client|remote\s|<ca>|dev\s+tun|proto\s)/m.test(text) && !/^\s*\[Interface\]/im.test(text)) {
    return { line: 0, directive: 'protocol', message: 'this looks like an OpenVPN profile (.ovpn), not a WireGuard .conf: choose protocol openvpn' };
  }
  if (protocol === 'openvpn' && /^\s*\[(Interface|Peer)\]/im.test(text)) {
    return { line: 0, directive: 'protocol', message: 'this looks like a WireGuard .conf, not an OpenVPN profile: choose protocol wireguard' };
  }
  return null;
}
