import type { FleetModel } from '../fleet-model.ts';
import type { OrgId } from '../model.ts';
import { type Ipv4Prefix, formatCidr, overlaps, parseCidr } from '../net/ipv4.ts';

/**
 * The networks a site client announces are "organization VPN routes" (SPEC D4): they must
 * be IPv4 CIDRs, no default route and nothing broader than a /8 (an office announces its
 * LAN, not the internet), and must not overlap the platform's reserved ranges, the
 * organization's plant subnets or another site's networks of the same organization.
 * Every refusal names the field, the clashing range and its owner.
 */

export type NamedRange = { prefix: Ipv4Prefix; owner: string };

export type SiteNetworkProblem = { field: string; message: string; conflict: boolean };

export type SiteNetworkResult = { ok: true; networks: Ipv4Prefix[] } | { ok: false; problems: SiteNetworkProblem[] };

/** Broadest announced network: a /8. */
export const BROADEST_SITE_NETWORK = 8;

export function validateSiteNetworks(texts: readonly string[], taken: readonly NamedRange[]): SiteNetworkResult {
  const problems: SiteNetworkProblem[] = [];
  const accepted: Array<{ prefix: Ipv4Prefix; index: number }> = [];
  texts.forEach((text, index) => {
    const field = `networks[${index}]`;
    const parsed = parseCidr(text.trim());
    if (!parsed.ok) {
      const hint = parsed.canonical ? `; did you mean ${parsed.canonical}?` : ' (e.g. 192.168.50.0/24)';
      problems.push({ field, message: `${field}: "${text.slice(0, 64)}" is not an IPv4 network${parsed.reason === 'host-bits-set' ? ' (host bits set)' : ''}${hint}`, conflict: false });
      return;
    }
    const prefix = parsed.prefix;
    if (prefix.length < BROADEST_SITE_NETWORK) {
      problems.push({ field, message: `${field}: ${formatCidr(prefix)} is broader than a /${BROADEST_SITE_NETWORK}; a site announces its own networks, never a default route`, conflict: false });
      return;
    }
    const twin = accepted.find((other) => overlaps(other.prefix, prefix));
    if (twin) {
      problems.push({ field, message: `${field}: ${formatCidr(prefix)} overlaps ${formatCidr(twin.prefix)} (networks[${twin.index}])`, conflict: true });
      return;
    }
    const clash = taken.find((range) => overlaps(range.prefix, prefix));
    if (clash) {
      problems.push({ field, message: `${field}: ${formatCidr(prefix)} overlaps ${formatCidr(clash.prefix)}, ${clash.owner}`, conflict: true });
      return;
    }
    accepted.push({ prefix, index });
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, networks: accepted.map((a) => a.prefix) };
}

/** Names of organization VPNs and their clients: printable, 1–64 characters, no path or shell specials. */
export function checkOrgVpnName(field: string, name: string): string | null {
  if (name.length === 0) return `${field}: must not be empty`;
  if (name.length > 64) return `${field}: must be at most 64 characters`;
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(name)) return `${field}: use letters, digits, space, dot, underscore and hyphen, starting with a letter or digit`;
  if (name !== name.trim()) return `${field}: must not end with a space`;
  return null;
}

/** The organization VPN routes of an organization: every network its VPNs' sites announce, named by site and VPN (D4 refusals name the owner). */
export function orgVpnSiteNetworks(model: FleetModel, orgId: OrgId): NamedRange[] {
  const out: NamedRange[] = [];
  for (const client of model.orgVpnClients.values()) {
    const vpn = model.orgVpns.get(client.vpnId);
    if (vpn?.orgId !== orgId) continue;
    for (const prefix of client.networks) out.push({ prefix, owner: `network of site "${client.name}" in organization VPN "${vpn.name}"` });
  }
  return out;
}
