import type { AgentDesiredState } from '../core/wire/daemon.ts';
import type { SiteTranslation } from '../core/wire/gateway-state.ts';
import { canonicalAddress, canonicalPrefix } from '../core/net/ipv4.ts';
import type { ObservedNftChain, ObservedNftTable } from '../os/nft/nft-table-json.ts';
import { expectedInputChain, structureDifferences, type TableStructure } from '../os/nft/table-structure.ts';
import { DEFAULT_PLAN_OPTIONS, type PeerPlan, type PlanOptions } from '../os/wireguard/peer-plan.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';
import { checkedPublicKey, samePeerConfig, type WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';
import { type AgentInterfaces, type HostedInterface, agentDownstreamInterfaces, canonicalTranslations, hostedForwardRules } from './nft-ruleset.ts';
import { directVpnInterfaceNames, hostedInterfaces } from './direct-vpns.ts';

/**
 * planAgentApply: the agent's desired state + what it observed → the smallest set of
 * operations. Pure. The agent has one WireGuard interface (one peer per gateway of every
 * region) and a small nft table whose translations live in anonymous maps, so a change of
 * translations reloads the table whole (atomically) and peers change one by one.
 */

export type AgentObserved = {
  /** `wg show <tunnel> dump`, parsed; null when the interface does not exist. */
  tunnel: WgDump | null;
  /** `nft -j list table ip <table>`, parsed; null when the table does not exist. */
  nft: ObservedNftTable | null;
};

export type AgentNftPlan = { kind: 'unchanged' } | { kind: 'reload'; reasons: string[] };

export type AgentApplyPlan = {
  createTunnel: boolean;
  peers: PeerPlan;
  nft: AgentNftPlan;
};

export const GATEWAY_KEEPALIVE_SECONDS = 25;

export function planAgentApply(
  desired: Pick<AgentDesiredState, 'translations' | 'gateways'> & Partial<Pick<AgentDesiredState, 'directVpns'>>,
  ifaces: AgentInterfaces,
  observed: AgentObserved,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
): AgentApplyPlan {
  return {
    createTunnel: observed.tunnel === null,
    peers: planGatewayPeers(desiredGatewayPeers(desired), observed.tunnel, options),
    nft: planAgentNft(desired.translations, ifaces, observed.nft, directVpnInterfaceNames(desired.directVpns ?? []), hostedInterfaces(desired.directVpns ?? [])),
  };
}

/** One peer per gateway: AllowedIPs its own site address, its endpoint, a keepalive (the agent dials out through NAT). */
export function desiredGatewayPeers(desired: Pick<AgentDesiredState, 'gateways'>): WireGuardPeerConfig[] {
  const byKey = new Map<string, WireGuardPeerConfig>();
  for (const gateway of desired.gateways) {
    byKey.set(checkedPublicKey(gateway.publicKey), {
      publicKey: gateway.publicKey,
      allowedIps: [canonicalPrefix(`${canonicalAddress(gateway.siteTunnelIp)}/32`)],
      endpoint: gateway.endpoint,
      persistentKeepalive: GATEWAY_KEEPALIVE_SECONDS,
    });
  }
  return [...byKey.values()].sort((a, b) => (a.publicKey < b.publicKey ? -1 : 1));
}

/**
 * Like the gateway's planPeers, but endpoint and keepalive count too (the agent sets
 * them). An endpoint given as a host name is compared only for being set: wg shows
 * the address it resolved to.
 */
export function planGatewayPeers(desired: WireGuardPeerConfig[], observed: WgDump | null, options: PlanOptions): PeerPlan {
  if (observed === null) return { kind: 'sync', peers: desired, reason: 'interface missing' };
  const observedByKey = new Map(observed.peers.map((peer) => [peer.publicKey, peer]));
  const desiredKeys = new Set(desired.map((peer) => peer.publicKey));
  const remove = observed.peers.map((peer) => peer.publicKey).filter((key) => !desiredKeys.has(key)).sort();
  const upsert = desired.filter((peer) => {
    const current = observedByKey.get(peer.publicKey);
    if (current === undefined) return true;
    const endpoint = peer.endpoint && !isLiteralEndpoint(peer.endpoint) && current.endpoint !== null ? peer.endpoint : current.endpoint;
    return !samePeerConfig({ publicKey: current.publicKey, allowedIps: current.allowedIps, endpoint, persistentKeepalive: current.persistentKeepalive }, peer);
  });
  if (remove.length === 0 && upsert.length === 0) return { kind: 'unchanged' };
  if (remove.length + upsert.length > options.maxIncrementalPeerChanges) {
    return { kind: 'sync', peers: desired, reason: `${remove.length + upsert.length} peer changes` };
  }
  return { kind: 'set', remove, upsert };
}

export function planAgentNft(
  translations: SiteTranslation[],
  ifaces: AgentInterfaces,
  observed: ObservedNftTable | null,
  directVpnInterfaces: string[] = [],
  hosted: HostedInterface[] = [],
): AgentNftPlan {
  if (observed === null) return { kind: 'reload', reasons: ['table missing'] };
  const reasons = structureDifferences(expectedAgentStructure(translations, ifaces, directVpnInterfaces, hosted), observed);
  return reasons.length === 0 ? { kind: 'unchanged' } : { kind: 'reload', reasons };
}

/** What renderAgentRuleset's table looks like through parseNftTableJson (nft 1.0.6). */
export function expectedAgentStructure(translations: SiteTranslation[], ifaces: AgentInterfaces, directVpnInterfaces: string[] = [], hosted: HostedInterface[] = []): TableStructure {
  const { tunnel } = ifaces;
  const outs = agentDownstreamInterfaces(ifaces, directVpnInterfaces);
  const pairs = canonicalTranslations(translations);
  // nft stores a one-element anonymous set as a plain match
  const mapped = pairs.length === 1 ? pairs[0].mapped : `{ ${pairs.map((pair) => pair.mapped).join(', ')} }`;
  const dnat = pairs.map((pair) => `{ ${pair.mapped}, ${pair.real} }`).join(', ');
  const none = pairs.length === 0;
  return {
    sets: [],
    chains: [
      expectedInputChain([tunnel, ...outs.slice(1)], false),
      chain('prerouting', 'nat', -100, 'accept', none ? [] : [`iifname == ${tunnel} dnat ip prefix to ip daddr map { ${dnat} }`]),
      chain('forward', 'filter', 0, 'drop', [
        ...(none ? [] : outs.flatMap((out) => [
          `iifname == ${tunnel} oifname == ${out} ct status in dnat ct original ip daddr == ${mapped} accept`,
          `iifname == ${out} oifname == ${tunnel} ct direction == reply ct original ip daddr == ${mapped} accept`,
        ])),
        // as nft -j reads the hosted servers' hairpin rules back (names unquoted, `==` matches)
        ...hostedForwardRules(hosted).map((rule) =>
          rule
            .replace(/"([^"]*)"/g, '$1')
            .replace(/\b(iifname|oifname|ip saddr|ip daddr) /g, '$1 == ')
            .replace(/ct direction reply/, 'ct direction == reply'),
        ),
      ]),
      chain('postrouting', 'nat', 100, 'accept', outs.map((out) => `oifname == ${out} masquerade`)),
    ],
  };
}

// Key order as parseNftTableJson builds it: the comparison is on JSON text.
function chain(name: string, type: string, prio: number, policy: string, rules: string[]): ObservedNftChain {
  return { name, type, hook: name, prio, policy, rules };
}

/** The translations as one string, equal for equal sets (what the agent's table holds). */
export function canonicalTranslationKey(translations: SiteTranslation[]): string {
  return canonicalTranslations(translations)
    .map((pair) => `${pair.mapped}>${pair.real}`)
    .join(',');
}

export function isLiteralEndpoint(endpoint: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(endpoint) || endpoint.startsWith('[');
}
