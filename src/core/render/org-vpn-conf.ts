import type { OrgVpnClientCredentials } from '../wire/org-vpn.ts';
import { type OpenVpnProfileResult, renderOpenVpnProfile } from './openvpn-profile.ts';
import { openVpnRemotes } from './profile-endpoints.ts';
import { renderWireGuardConf } from './wireguard-conf.ts';

/**
 * An organization VPN client's wg-quick config (SPEC O1), assembled where the private key
 * is (CLI, browser) or from the server's show-once answer. A site router additionally
 * routes the mapped space into the tunnel and masquerades its announced networks to its
 * tunnel address (docs/decisions/org-vpn-sites.md): the comment says so.
 */
export function renderOrgVpnConf(parts: OrgVpnClientCredentials, privateKey: string, now: Date): string {
  const { client } = parts;
  return renderWireGuardConf({
    comments: headingOf(parts, now),
    privateKey,
    addresses: [`${client.tunnelIp}/32`],
    peers: [{ publicKey: parts.servicePublicKey, endpoint: parts.region.endpoint, allowedIps: parts.allowedIps, persistentKeepalive: 25 }],
  });
}

/**
 * An OpenVPN organization VPN client's `.ovpn` (the personal profile's format, P9): ca, cert,
 * the client's own key and tls-crypt inline; it dials only its VPN's region (UDP, then TCP),
 * as only that region's gateways admit the client. The gateway pushes the tunnel address and
 * routes at every connect. A site masquerades its networks to its tunnel address, as the
 * WireGuard site does (docs/org-vpn.md "Sites"); the comment says so.
 */
export function renderOrgVpnOvpn(parts: OrgVpnClientCredentials, privateKeyPem: string, now: Date): OpenVpnProfileResult {
  const openvpn = parts.openvpn;
  if (!openvpn) return { ok: false, field: 'openvpn', message: 'the answer has no OpenVPN parts (a WireGuard VPN?)' };
  const region = { name: parts.region.name, endpoint: parts.region.endpoint };
  return renderOpenVpnProfile({
    profileId: parts.client.id,
    verb: 'created',
    at: now,
    remotes: openVpnRemotes([region], region, openvpn.port),
    ca: openvpn.ca,
    certificate: openvpn.certificate,
    privateKey: privateKeyPem,
    tlsCrypt: openvpn.tlsCrypt,
    heading: [...headingOf(parts, now), 'shown once: it holds the private key. The tunnel address and routes come from the gateway at every connect.'],
  });
}

function headingOf(parts: OrgVpnClientCredentials, now: Date): string[] {
  const { client } = parts;
  const comments = [`plantgate organization VPN "${parts.vpn}", ${client.kind} "${client.name}" (${client.id}), created ${now.toISOString()}`, `region ${parts.region.name}`];
  if (client.kind === 'site') {
    comments.push(`site router: forward ${client.networks.join(', ')} into this tunnel and masquerade them to ${client.tunnelIp}`);
  }
  return comments;
}
