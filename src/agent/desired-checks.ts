import { canonicalPrefix, prefixLength } from '../core/net/ipv4.ts';
import type { AgentDesiredState, AgentDirectVpn, AgentGateway } from '../core/wire/daemon.ts';
import type { SiteTranslation } from '../core/wire/gateway-state.ts';
import { hostPort, strictCidrV4, wireGuardKey } from '../core/wire/formats.ts';

/**
 * What the control plane sends an agent is checked before it reaches `wg set` or `nft -f`:
 * a gateway's endpoint must be HOST:PORT (a name or an IPv4 address, or [IPv6]; no space,
 * no CR/LF, port 1-65535) and its key a WireGuard key; a translation's prefixes must be
 * IPv4 networks of the same length, no shorter than /8 (never a default route). What fails
 * is left out and reported, the rest is applied: one bad entry must not stop the others.
 */

export const TRANSLATION_MIN_LENGTH = 8;

export type CheckedAgentState = {
  state: AgentDesiredState;
  /** One line per entry left out, naming it and the problem. */
  problems: string[];
};

export function checkAgentState(desired: AgentDesiredState): CheckedAgentState {
  const problems: string[] = [];
  const gateways: AgentGateway[] = [];
  for (const gateway of desired.gateways) {
    const problem = gatewayProblem(gateway);
    if (problem === null) gateways.push(gateway);
    else problems.push(`gateway ${printable(gateway.name)} left out: ${problem}`);
  }
  const translations: SiteTranslation[] = [];
  for (const translation of desired.translations) {
    const problem = translationProblem(translation);
    if (problem === null) translations.push(translation);
    else problems.push(`translation ${printable(translation.mapped)} → ${printable(translation.real)} left out: ${problem}`);
  }
  const directVpns: AgentDirectVpn[] = [];
  for (const vpn of desired.directVpns ?? []) {
    const problem = directVpnProblem(vpn);
    if (problem === null) directVpns.push(vpn);
    else problems.push(`direct VPN ${printable(vpn.name)} left out: ${problem}`);
  }
  return { state: { ...desired, gateways, translations, directVpns }, problems };
}

const IPV4_ADDRESS = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(?:3[0-2]|[12]?\d)$/;

/**
 * Issue 9: a direct VPN's subnets must be IPv4 networks no shorter than /8 (never a default
 * route: only they are routed into its interface), its addresses a.b.c.d/n (IPv6 ones are
 * not set), its keys WireGuard keys and its endpoints HOST:PORT.
 */
function directVpnProblem(vpn: AgentDirectVpn): string | null {
  if (vpn.subnets.length === 0) return 'no subnets';
  for (const subnet of vpn.subnets) {
    if (!strictCidrV4.safeParse(subnet).success) return `subnet ${JSON.stringify(subnet)} is not an IPv4 network (a.b.c.d/n without host bits)`;
    if (prefixLength(canonicalPrefix(subnet)) < TRANSLATION_MIN_LENGTH) return `subnet ${subnet} is shorter than /${TRANSLATION_MIN_LENGTH}`;
  }
  if (vpn.protocol !== 'wireguard') return null;
  for (const address of vpn.addresses) {
    if (!address.includes(':') && !IPV4_ADDRESS.test(address)) return `address ${JSON.stringify(address)} is not a.b.c.d/n`;
  }
  if (!wireGuardKey.safeParse(vpn.privateKey).success) return 'its private key is not a WireGuard key';
  for (const peer of vpn.peers) {
    if (!wireGuardKey.safeParse(peer.publicKey).success) return `public key ${JSON.stringify(peer.publicKey)} is not a WireGuard key`;
    if (peer.presharedKey !== null && !wireGuardKey.safeParse(peer.presharedKey).success) return 'a pre-shared key is not a WireGuard key';
    if (peer.endpoint !== null && endpointProblem(peer.endpoint) !== null) return endpointProblem(peer.endpoint);
  }
  return null;
}

/** The shared strict formats (src/core/wire/formats.ts), as the CLI checks what it writes. */
export function endpointProblem(endpoint: string): string | null {
  return hostPort.safeParse(endpoint).success ? null : `endpoint ${JSON.stringify(endpoint)} is not HOST:PORT`;
}

function gatewayProblem(gateway: AgentGateway): string | null {
  if (!wireGuardKey.safeParse(gateway.publicKey).success) return `public key ${JSON.stringify(gateway.publicKey)} is not a WireGuard key`;
  return endpointProblem(gateway.endpoint);
}

function translationProblem(translation: SiteTranslation): string | null {
  for (const value of [translation.mapped, translation.real]) {
    if (!strictCidrV4.safeParse(value).success) return `${JSON.stringify(value)} is not an IPv4 network (a.b.c.d/n without host bits)`;
  }
  let mapped: ReturnType<typeof canonicalPrefix>;
  let real: ReturnType<typeof canonicalPrefix>;
  try {
    mapped = canonicalPrefix(translation.mapped);
    real = canonicalPrefix(translation.real);
  } catch (error) {
    return (error as Error).message;
  }
  if (prefixLength(mapped) < TRANSLATION_MIN_LENGTH || prefixLength(real) < TRANSLATION_MIN_LENGTH) {
    return `prefixes shorter than /${TRANSLATION_MIN_LENGTH} are not translated`;
  }
  if (prefixLength(mapped) !== prefixLength(real)) return 'mapped and real prefixes differ in length';
  return null;
}

/** For messages: control characters from the control plane never reach the log as such. */
function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1).slice(0, 120);
}
