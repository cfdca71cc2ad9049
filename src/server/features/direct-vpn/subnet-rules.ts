import type { DirectVpnSubnetContext, SubnetProblem } from '../../../core/direct-vpn/subnet-validation.ts';
import { containsAddress, formatCidr, parseCidr, parseIpv4 } from '../../../core/net/ipv4.ts';
import { orgVpnSiteNetworks } from '../../../core/org-vpn/site-networks.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../http/errors.ts';
import type { DeviceRow } from '../organizations/org-store.ts';
import type { PlantScope } from './plant-scope.ts';
import type { DirectVpnRow } from './store.ts';

/**
 * D4 context of one plant: the platform's ranges, the plant's subnets that no direct VPN
 * brought (its organization VPN routes), and the other direct VPNs' subnets.
 */
export function subnetContext(ctx: AppContext, scope: PlantScope, rows: DirectVpnRow[], editing: string | null): DirectVpnSubnetContext {
  const byVpns = new Set(rows.flatMap((r) => subnetsOf(r)));
  return {
    tunnelRanges: [formatCidr(ctx.addressing.tunnelRange)],
    mappedSpaces: [formatCidr(ctx.addressing.mappedSpace)],
    organizationVpnRoutes: [
      ...scope.model
        .subnetsOf(scope.plant.id)
        .map((s) => formatCidr(s.prefix))
        .filter((cidr) => !byVpns.has(cidr))
        .map((cidr) => ({ cidr, organization: scope.orgName })),
      // The networks the organization's VPN sites announce (SPEC O1, D4).
      ...orgVpnSiteNetworks(scope.model, scope.plant.orgId).map((n) => ({ cidr: formatCidr(n.prefix), organization: scope.orgName })),
    ],
    otherDirectVpns: rows.filter((r) => r.id !== editing).map((r) => ({ name: r.name, subnets: subnetsOf(r) })),
  };
}

export function subnetsOf(row: DirectVpnRow): string[] {
  return JSON.parse(row.subnets) as string[];
}

/** A D4 refusal: 409 when a range clashes with someone's range (naming it and its owner), 400 when the text is wrong. */
export function subnetRefusal(problems: SubnetProblem[]): ApiError {
  const first = problems[0] as SubnetProblem;
  const clash = problems.some((p) => p.reason === 'overlap' || p.reason === 'duplicate');
  return new ApiError(clash ? 409 : 400, clash ? 'subnet-overlap' : 'invalid', first.message, {
    field: first.field,
    problems: problems.map((p) => ({ field: p.field, message: p.message })),
  });
}

/** Plant subnets are IPv4 today (SPEC P5 maps IPv4 prefixes): an IPv6 range is refused, naming it. */
export function refuseNonIpv4(subnets: string[]): void {
  const v6 = subnets.filter((s) => !parseCidr(s).ok);
  if (v6.length > 0) {
    throw new ApiError(400, 'invalid', `subnets: ${v6.join(', ')}: plant subnets are IPv4 only for now (mapped prefixes, SPEC P5); name the IPv4 ranges behind the router`, {
      field: 'subnets',
    });
  }
}

/** SPEC D8: the devices that lie in a leaving subnet and in no subnet that stays. */
export function devicesBehind(devices: DeviceRow[], leaving: string[], staying: string[]): DeviceRow[] {
  const prefixes = (list: string[]) => list.flatMap((s) => {
    const c = parseCidr(s);
    return c.ok ? [c.prefix] : [];
  });
  const gone = prefixes(leaving);
  const kept = prefixes(staying);
  return devices.filter((d) => {
    const ip = parseIpv4(d.ip);
    return ip !== null && gone.some((p) => containsAddress(p, ip)) && !kept.some((p) => containsAddress(p, ip));
  });
}

/** D8: answer with the affected devices first; the change proceeds only when confirmed. */
export function requireConfirmed(devices: DeviceRow[], what: string, confirm: boolean): void {
  if (devices.length === 0 || confirm) return;
  const named = devices.map((d) => `${d.name} (${d.ip})`).join(', ');
  throw new ApiError(409, 'subnet-has-devices', `confirm: ${what} leaves ${devices.length} network device(s) without a subnet: ${named}; they are removed with it: confirm with confirm=true`, {
    field: 'confirm',
    problems: devices.map((d) => ({ field: 'devices', message: `${d.name} (${d.ip})` })),
  });
}
