import type { ProfileConfigParts } from '../wire/api.ts';
import { renderWireGuardConf } from './wireguard-conf.ts';

export type RegionChoice = { name: string; endpoint: string };

/**
 * The personal VPN config file a device assembles around its own private key (SPEC P1,
 * P2): the web UI and the CLI (cli/commands/vpn.ts) both render it with this.
 */
export function renderProfileConf(parts: ProfileConfigParts, privateKey: string, region: RegionChoice, verb: string, now: Date): string {
  return renderWireGuardConf({
    comments: [`plantgate personal VPN profile ${parts.profile.id}, ${verb} ${now.toISOString()}`, regionComment(parts, region)],
    privateKey,
    addresses: [`${parts.profile.tunnelIp}/32`],
    peers: [{ publicKey: parts.servicePublicKey, endpoint: dialEndpoint(parts, region), allowedIps: parts.allowedIps, persistentKeepalive: 25 }],
  });
}

/**
 * What the file dials (SPEC P8): the installation's service name when it has one — one
 * name for every region, answered by the control plane's DNS with the healthy regions,
 * nearest first — else the chosen region's endpoint.
 */
export function dialEndpoint(parts: ProfileConfigParts, region: RegionChoice): string {
  return parts.serviceEndpoint ?? region.endpoint;
}

/** The `# region …` comment line, which also names the other regions to fall back to (SPEC P8). */
export function regionComment(parts: ProfileConfigParts, region: RegionChoice): string {
  if (parts.serviceEndpoint) return `service ${parts.serviceEndpoint}: answered by the healthy regions, nearest first (${parts.regions.map((r) => r.name).join(', ')})`;
  const others = parts.regions.filter((r) => r.name !== region.name);
  return `region ${region.name}${others.length ? `; other regions: ${others.map((r) => `${r.name} ${r.endpoint}`).join(', ')}` : ''}`;
}
