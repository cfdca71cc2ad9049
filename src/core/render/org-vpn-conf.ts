import type { OrgVpnClientCredentials } from '../wire/org-vpn.ts';
import { renderWireGuardConf } from './wireguard-conf.ts';

/**
 * An organization VPN client's wg-quick config (SPEC O1), assembled where the private key
 * is (CLI, browser) or from the server's show-once answer. A site router additionally
 * routes the mapped space into the tunnel and masquerades its announced networks to its
 * tunnel address (docs/decisions/org-vpn-sites.md): the comment says so.
 */
export function renderOrgVpnConf(parts: OrgVpnClientCredentials, privateKey: string, now: Date): string {
  const { client } = parts;
  const comments = [`plantgate organization VPN "${parts.vpn}", ${client.kind} "${client.name}" (${client.id}), created ${now.toISOString()}`, `region ${parts.region.name}`];
  if (client.kind === 'site') {
    comments.push(`site router: forward ${client.networks.join(', ')} into this tunnel and masquerade them to ${client.tunnelIp}`);
  }
  return renderWireGuardConf({
    comments,
    privateKey,
    addresses: [`${client.tunnelIp}/32`],
    peers: [{ publicKey: parts.servicePublicKey, endpoint: parts.region.endpoint, allowedIps: parts.allowedIps, persistentKeepalive: 25 }],
  });
}
