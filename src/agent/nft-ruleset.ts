import type { SiteTranslation } from '../core/wire/gateway-state.ts';
import { canonicalPrefix, comparePrefixes, type CanonicalCidr, prefixLength } from '../core/net/ipv4.ts';
import { checkedTableName, DEFAULT_TABLE_NAME, inputChain, quotedInterface } from '../os/nft/nft-names.ts';

/**
 * Renders the agent's nft table: traffic arriving from the gateway on the site tunnel
 * for a mapped prefix is translated back to the plant's real subnet (host part kept),
 * forwarded to the LAN with the agent as source (so LAN devices need no route back),
 * and nothing else is forwarded or delivered to the agent host. Replaced whole,
 * atomically, like the gateway table.
 */

export type AgentInterfaces = { tunnel: string; lan: string };

/**
 * Where translated traffic may leave: the LAN, and (issue 9) each direct VPN's interface,
 * which the agent routes only that VPN's subnets into. The same two forward rules and the
 * masquerade apply to each, composed into the agent's one table (its forward chain drops
 * by policy, so a second table could not add an accept).
 */
function downstream(ifaces: AgentInterfaces, directVpnInterfaces: string[]): string[] {
  return [ifaces.lan, ...[...new Set(directVpnInterfaces)].filter((name) => name !== ifaces.lan).sort()];
}

/**
 * Issue 9, a hosted direct VPN server's interface: besides the LAN's rules (the site tunnel
 * reaches its subnets through it), traffic between its own clients — a user client (an
 * address of the server's tunnel network) to the direct VPN's subnets behind a site client —
 * is forwarded back into the same interface (and masqueraded like the rest), with its
 * replies. Clients reach nothing else: not the agent host (input drop), not the site tunnel.
 * The clients' own UDP/TCP arrives on the underlay interface, which the input chain leaves
 * to the host's firewall (policy accept).
 */
export type HostedInterface = { iface: string; network: string; subnets: string[] };

export function renderAgentRuleset(
  translations: SiteTranslation[],
  ifaces: AgentInterfaces,
  tableName: string = DEFAULT_TABLE_NAME,
  directVpnInterfaces: string[] = [],
  hosted: HostedInterface[] = [],
): string {
  const table = checkedTableName(tableName);
  const tunnel = quotedInterface(ifaces.tunnel);
  const outs = downstream(ifaces, directVpnInterfaces).map(quotedInterface);
  const direct = outs.slice(1);
  const pairs = canonicalTranslations(translations);
  // nft rejects an empty anonymous map/set, so with nothing to translate the rules that
  // need one are left out and the forward policy drops everything.
  const translationRules =
    pairs.length === 0
      ? null
      : {
          map: `{ ${pairs.map((pair) => `${pair.mapped} : ${pair.real}`).join(', ')} }`,
          mappedSet: `{ ${pairs.map((pair) => pair.mapped).join(', ')} }`,
        };
  return [
    '# plantgate agent table: generated, replaced whole on every apply',
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    // Nothing from the tunnel reaches the agent host itself but replies (no echo either).
    // …nor anything a plant router starts toward the agent through a direct VPN.
    ...inputChain([tunnel, ...direct], false),
    '\tchain prerouting {',
    '\t\ttype nat hook prerouting priority dstnat; policy accept;',
    ...(translationRules ? [`\t\tiifname ${tunnel} dnat ip prefix to ip daddr map ${translationRules.map}`] : []),
    '\t}',
    '',
    // Keyed on the conntrack original destination (the mapped address before DNAT): a
    // packet sent from the tunnel straight to a real LAN address was never translated
    // and is dropped, as is everything the LAN starts toward the tunnel.
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy drop;',
    ...(translationRules
      ? outs.flatMap((out) => [
          `\t\tiifname ${tunnel} oifname ${out} ct status dnat ct original ip daddr ${translationRules.mappedSet} accept`,
          `\t\tiifname ${out} oifname ${tunnel} ct direction reply ct original ip daddr ${translationRules.mappedSet} accept`,
        ])
      : []),
    ...hostedForwardRules(hosted).map((rule) => `\t\t${rule}`),
    '\t}',
    '',
    '\tchain postrouting {',
    '\t\ttype nat hook postrouting priority srcnat; policy accept;',
    ...outs.map((out) => `\t\toifname ${out} masquerade`),
    '\t}',
    '}',
    '',
  ].join('\n');
}

export { downstream as agentDownstreamInterfaces };

/** The hairpin rules of hosted servers (sorted by interface: the table is compared as text). */
export function hostedForwardRules(hosted: HostedInterface[]): string[] {
  return [...hosted]
    .filter((h) => h.subnets.length > 0)
    .sort((a, b) => (a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0))
    .flatMap((h) => {
      const iface = quotedInterface(h.iface);
      const network = canonicalPrefix(h.network);
      const subnets = [...new Set(h.subnets.map((s) => canonicalPrefix(s)))].sort(comparePrefixes);
      const set = subnets.length === 1 ? subnets[0] : `{ ${subnets.join(', ')} }`;
      return [
        `iifname ${iface} oifname ${iface} ip saddr ${network} ip daddr ${set} accept`,
        `iifname ${iface} oifname ${iface} ip daddr ${network} ct direction reply accept`,
      ];
    });
}

export type CanonicalTranslation = { mapped: CanonicalCidr; real: CanonicalCidr };

/** Canonical, de-duplicated, sorted by mapped prefix; throws on a length mismatch or a mapped prefix with two real ones. */
export function canonicalTranslations(translations: SiteTranslation[]): CanonicalTranslation[] {
  const byMapped = new Map<string, CanonicalTranslation>();
  for (const translation of translations) {
    const pair = { mapped: canonicalPrefix(translation.mapped), real: canonicalPrefix(translation.real) };
    if (prefixLength(pair.mapped) !== prefixLength(pair.real)) {
      throw new Error(`mapped ${pair.mapped} and real ${pair.real} differ in length`);
    }
    const existing = byMapped.get(pair.mapped);
    if (existing && existing.real !== pair.real) {
      throw new Error(`mapped ${pair.mapped} is translated to both ${existing.real} and ${pair.real}`);
    }
    byMapped.set(pair.mapped, pair);
  }
  return [...byMapped.values()].sort((a, b) => comparePrefixes(a.mapped, b.mapped));
}
