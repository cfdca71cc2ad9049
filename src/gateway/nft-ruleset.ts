import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { canonicalAddress } from '../core/net/ipv4.ts';
import {
  type AllowedElement,
  allowedLength,
  allowedSetElement,
  allowedSetName,
  compareAllowed,
  compareNative,
  compareShards,
  countByLength,
  desiredGatewayElements,
  type NativeElement,
  nativeKey,
  nativeMapName,
  nativeShard,
  nativeShardPrefix,
  netmask,
  orderedLengths,
} from '../os/nft/nft-elements.ts';
import { checkedTableName, DEFAULT_TABLE_NAME, inputChain, quotedInterface } from '../os/nft/nft-names.ts';

/**
 * Renders plantgate's gateway nft table (DESIGN "Data plane") as one `nft -f` script.
 *
 * The script replaces only plantgate's own table, atomically: `table … {}` creates it
 * if missing (a no-op otherwise), `delete table` drops it with everything in it, and the
 * full definition follows — all in one transaction, so packets see either the old or the
 * new table, never a half, and a missing table is not an error. (`flush table` would keep
 * stale chains and set types; delete + define does not.)
 */

/**
 * `openvpn`: the tun interfaces of the gateway's OpenVPN servers (issue 11, SPEC P9). Their
 * clients carry the same user tunnel IPs as the WireGuard peers, so every rule that names the
 * users interface is repeated for each of them: the same sets and maps govern both.
 */
export type GatewayInterfaces = { users: string; sites: string; openvpn?: string[] };

/** The users interface and the OpenVPN tuns, in that order. */
export function userSideInterfaces(ifaces: GatewayInterfaces): string[] {
  return [ifaces.users, ...(ifaces.openvpn ?? [])];
}

export function renderGatewayRuleset(
  state: Pick<GatewayDesiredState, 'allowed' | 'native'> & Partial<Pick<GatewayDesiredState, 'gateway'>>,
  ifaces: GatewayInterfaces,
  tableName: string = DEFAULT_TABLE_NAME,
): string {
  const table = checkedTableName(tableName);
  const userSide = userSideInterfaces(ifaces).map(quotedInterface);
  const sites = quotedInterface(ifaces.sites);
  const { allowed, native } = desiredGatewayElements(state);
  const lengths = orderedLengths(countByLength(allowed));
  const byLength = groupByLength(allowed);
  const byShard = groupByShard(native);
  const shards = [...byShard.keys()].sort(compareShards);
  return [
    '# plantgate gateway table: generated, replaced whole on every full apply',
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    // One plain hash set per mapped prefix length in use (decision 0003): O(1) lookups
    // and deletes at any fill. A new length is a structure change (a full reload).
    ...lengths.flatMap((length) => [
      `\t# user tunnel ip . network address of a mapped /${length}: user -> site traffic that is forwarded`,
      `\tset ${allowedSetName(length)} {`,
      '\t\ttype ipv4_addr . ipv4_addr',
      ...renderElementsBlock((byLength.get(length) ?? []).map(allowedSetElement)),
      '\t}',
      '',
    ]),
    // One interval map per /24 of user addresses (decision 0003): small maps keep the
    // kernel's cost of a delete small. A new shard is a structure change (a full reload).
    ...shards.flatMap((shard) => [
      `\t# user tunnel ip . native prefix : mapped prefix, for users in ${nativeShardPrefix(shard)}`,
      `\tmap ${nativeMapName(shard)} {`,
      '\t\ttype ipv4_addr . ipv4_addr : interval ipv4_addr',
      '\t\tflags interval',
      ...renderElementsBlock((byShard.get(shard) ?? []).map(nativeElementText)),
      '\t}',
      '',
    ]),
    ...inputChain([...userSide, sites], true),
    '\tchain prerouting {',
    '\t\ttype nat hook prerouting priority dstnat; policy accept;',
    ...userSide.flatMap((users) => shards.map((shard) => `\t\t${nativeRule(users, shard)}`)),
    '\t}',
    '',
    // The forward hook sees only routed-through packets: the WireGuard UDP and the
    // gateway's own traffic use input/output and are not governed here. The sets are
    // checked on every packet, not only on new connections, so removing an element
    // cuts open flows; replies are matched through conntrack's tuples.
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy drop;',
    ...userSide.flatMap((users) => lengths.flatMap((length) => allowedRules(users, sites, length))),
    '\t}',
    '',
    // Agents see this gateway's own site address as source (unique per gateway), so an
    // agent's replies go back through the gateway they came from, whatever the region.
    '\tchain postrouting {',
    '\t\ttype nat hook postrouting priority srcnat; policy accept;',
    `\t\t${sourceNat(sites, state.gateway?.siteTunnelIp ?? null)}`,
    '\t}',
    '}',
    '',
  ].join('\n');
}

/**
 * The forward rules of set allowed_N: the destination (or, for replies, conntrack's reply
 * source = the mapped device) masked to N bits, concatenated with the user's address.
 */
export function allowedRules(quotedUsers: string, quotedSites: string, length: number): string[] {
  const mask = length === 32 ? '' : ` & ${netmask(length)}`;
  const set = `@${allowedSetName(length)}`;
  return [
    `\t\tiifname ${quotedUsers} oifname ${quotedSites} ip saddr . ip daddr${mask} ${set} accept`,
    `\t\tiifname ${quotedSites} oifname ${quotedUsers} ct original ip saddr . ct reply ip saddr${mask} ${set} accept`,
  ];
}

/** The prerouting rule of one native shard: only its users' packets look into its map. */
export function nativeRule(quotedUsers: string, shard: string): string {
  return `iifname ${quotedUsers} ip saddr ${nativeShardPrefix(shard)} dnat ip prefix to ip saddr . ip daddr map @${nativeMapName(shard)}`;
}

/** Native elements grouped by shard, each group in the input's order. */
function groupByShard(elements: NativeElement[]): Map<string, NativeElement[]> {
  const groups = new Map<string, NativeElement[]>();
  for (const element of elements) {
    const shard = nativeShard(element.userIp);
    const group = groups.get(shard);
    if (group) group.push(element);
    else groups.set(shard, [element]);
  }
  return groups;
}

/** Elements grouped by mapped prefix length, each group in the input's order. */
function groupByLength(elements: AllowedElement[]): Map<number, AllowedElement[]> {
  const groups = new Map<number, AllowedElement[]>();
  for (const element of elements) {
    const length = allowedLength(element);
    const group = groups.get(length);
    if (group) group.push(element);
    else groups.set(length, [element]);
  }
  return groups;
}

/** snat to the gateway's own site address; masquerade only for a document that names no gateway (an operator's view). */
export function sourceNat(quotedSites: string, siteTunnelIp: string | null): string {
  return siteTunnelIp === null ? `oifname ${quotedSites} masquerade` : `oifname ${quotedSites} snat ip to ${canonicalAddress(siteTunnelIp)}`;
}

/**
 * A small change to the elements, applied as one `nft -f` transaction. Every allowed
 * element's length must already have its `allowed_N` set in the table, and every native
 * element's user its `native_A_B_C` shard (the planner reloads the table otherwise).
 */
export type SetDelta = {
  addAllowed: AllowedElement[];
  removeAllowed: AllowedElement[];
  addNative: NativeElement[];
  removeNative: NativeElement[];
};

/**
 * Deletes come before adds so that a native key whose value changed (delete old
 * key:value, add same key:new value) works inside one transaction. Deleting an element
 * that is not there fails the whole transaction — which is what we want: the plan was
 * computed from a stale observation, so re-observe and re-plan.
 */
export function renderSetDelta(delta: SetDelta, tableName: string = DEFAULT_TABLE_NAME): string {
  const table = checkedTableName(tableName);
  const lines: string[] = [];
  const emit = (verb: 'add' | 'delete', collection: string, elements: string[]) => {
    if (elements.length === 0) return;
    lines.push(`${verb} element ip ${table} ${collection} {`);
    lines.push(elements.map((text) => `\t${text}`).join(',\n'));
    lines.push('}');
  };
  const emitAllowed = (verb: 'add' | 'delete', elements: AllowedElement[]) => {
    const groups = groupByLength([...elements].sort(compareAllowed));
    for (const length of [...groups.keys()].sort((a, b) => b - a)) {
      emit(verb, allowedSetName(length), (groups.get(length) ?? []).map(allowedSetElement));
    }
  };
  emitAllowed('delete', delta.removeAllowed);
  const emitNative = (verb: 'add' | 'delete', elements: NativeElement[]) => {
    const groups = groupByShard([...elements].sort(compareNative));
    for (const [shard, group] of groups) emit(verb, nativeMapName(shard), group.map(nativeElementText));
  };
  emitNative('delete', delta.removeNative);
  emitAllowed('add', delta.addAllowed);
  emitNative('add', delta.addNative);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function isEmptyDelta(delta: SetDelta): boolean {
  return delta.addAllowed.length + delta.removeAllowed.length + delta.addNative.length + delta.removeNative.length === 0;
}

function nativeElementText(element: NativeElement): string {
  return `${nativeKey(element)} : ${element.mapped}`;
}

/** An empty `elements = { }` is a syntax error in nft, so an empty collection has no block. */
function renderElementsBlock(elements: string[]): string[] {
  if (elements.length === 0) return [];
  return ['\t\telements = {', elements.map((text) => `\t\t\t${text}`).join(',\n'), '\t\t}'];
}
