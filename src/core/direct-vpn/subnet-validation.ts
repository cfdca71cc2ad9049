import { clip, comparePrefix, formatPrefix, type IpPrefix, isDefaultRoute, parsePrefix, prefixesOverlap } from './ip-prefix.ts';

/**
 * D4: the subnets of a direct VPN, checked before anything is stored. Each must be a
 * canonical CIDR (IPv4 or IPv6), not a default route (D5), and must not overlap the
 * reserved tunnel range, the mapped space, an organization VPN route, another direct VPN's
 * subnet on the same plant, or another subnet of the same list. Every refusal names the
 * field (`subnets[i]`), the clashing range and its owner.
 */

export type RangeOwner =
  | { kind: 'tunnel-range' }
  | { kind: 'mapped-space' }
  | { kind: 'organization-vpn-route'; organization: string }
  | { kind: 'direct-vpn'; name: string };

export type OwnedRange = { cidr: string; owner: RangeOwner };

export type DirectVpnSubnetContext = {
  /** The platform's reserved tunnel range(s). */
  tunnelRanges: string[];
  /** The platform's mapped space(s). */
  mappedSpaces: string[];
  /** Routes of the plant's organization VPN. */
  organizationVpnRoutes: Array<{ cidr: string; organization: string }>;
  /** The other direct VPNs of the same plant (not the one being edited). */
  otherDirectVpns: Array<{ name: string; subnets: string[] }>;
};

export type SubnetProblem = {
  field: string;
  subnet: string;
  reason: 'empty' | 'malformed' | 'host-bits-set' | 'default-route' | 'duplicate' | 'overlap';
  message: string;
  clash?: { range: string; owner: RangeOwner };
};

export type SubnetValidation = { ok: true; subnets: string[] } | { ok: false; problems: SubnetProblem[] };

export function describeOwner(owner: RangeOwner): string {
  switch (owner.kind) {
    case 'tunnel-range':
      return "plantgate's reserved tunnel range";
    case 'mapped-space':
      return "plantgate's mapped space";
    case 'organization-vpn-route':
      return `a VPN route of organization "${clip(owner.organization)}"`;
    case 'direct-vpn':
      return `direct VPN "${clip(owner.name)}" on this plant`;
  }
}

export function validateDirectVpnSubnets(subnets: string[], context: DirectVpnSubnetContext): SubnetValidation {
  const problems: SubnetProblem[] = [];
  if (subnets.length === 0) {
    return {
      ok: false,
      problems: [{ field: 'subnets', subnet: '', reason: 'empty', message: 'subnets: name at least one plant subnet (CIDR) behind the router' }],
    };
  }
  const reserved = ownedRanges(context);
  const accepted: Array<{ prefix: IpPrefix; index: number }> = [];
  subnets.forEach((text, index) => {
    const field = `subnets[${index}]`;
    const parsed = parsePrefix(text.trim());
    if (!parsed.ok || !text.includes('/')) {
      problems.push({ field, subnet: text, reason: 'malformed', message: `${field}: "${clip(text)}" is not a CIDR (e.g. 192.168.10.0/24 or fd00:10::/64)` });
      return;
    }
    const canonical = formatPrefix(parsed.prefix);
    if (parsed.hostBits) {
      problems.push({ field, subnet: text, reason: 'host-bits-set', message: `${field}: "${clip(text)}" has host bits set; did you mean ${canonical}?` });
      return;
    }
    if (isDefaultRoute(parsed.prefix)) {
      problems.push({
        field,
        subnet: text,
        reason: 'default-route',
        message: `${field}: ${canonical} is a default route; a direct VPN routes explicit plant subnets only (D5)`,
      });
      return;
    }
    const twin = accepted.find((other) => prefixesOverlap(other.prefix, parsed.prefix));
    if (twin) {
      const same = comparePrefix(twin.prefix, parsed.prefix) === 0;
      problems.push({
        field,
        subnet: text,
        reason: same ? 'duplicate' : 'overlap',
        message: same
          ? `${field}: ${canonical} is listed twice (also subnets[${twin.index}])`
          : `${field}: ${canonical} overlaps ${formatPrefix(twin.prefix)} (subnets[${twin.index}]) of the same direct VPN`,
      });
      return;
    }
    const clash = reserved.find((range) => prefixesOverlap(range.prefix, parsed.prefix));
    if (clash) {
      const range = formatPrefix(clash.prefix);
      problems.push({
        field,
        subnet: text,
        reason: 'overlap',
        message: `${field}: ${canonical} overlaps ${range}, ${describeOwner(clash.owner)}`,
        clash: { range, owner: clash.owner },
      });
      return;
    }
    accepted.push({ prefix: parsed.prefix, index });
  });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    subnets: accepted
      .map((entry) => entry.prefix)
      .sort(comparePrefix)
      .map(formatPrefix),
  };
}

/** The ranges a subnet must not touch, in the order a refusal names them (platform first). */
function ownedRanges(context: DirectVpnSubnetContext): Array<{ prefix: IpPrefix; owner: RangeOwner }> {
  const ranges: OwnedRange[] = [
    ...context.tunnelRanges.map((cidr) => ({ cidr, owner: { kind: 'tunnel-range' } as const })),
    ...context.mappedSpaces.map((cidr) => ({ cidr, owner: { kind: 'mapped-space' } as const })),
    ...context.organizationVpnRoutes.map(({ cidr, organization }) => ({ cidr, owner: { kind: 'organization-vpn-route', organization } as const })),
    ...context.otherDirectVpns.flatMap(({ name, subnets }) => subnets.map((cidr) => ({ cidr, owner: { kind: 'direct-vpn', name } as const }))),
  ];
  const out: Array<{ prefix: IpPrefix; owner: RangeOwner }> = [];
  for (const range of ranges) {
    const parsed = parsePrefix(range.cidr);
    // Stored ranges are canonical; one that is not is a bug upstream, not the user's problem.
    if (!parsed.ok) throw new Error(`reserved range is not a CIDR: ${range.cidr}`);
    out.push({ prefix: parsed.prefix, owner: range.owner });
  }
  return out;
}
