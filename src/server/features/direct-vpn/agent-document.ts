import { allowedIpsPerPeer } from '../../../core/direct-vpn/wireguard-render.ts';
import { withCryptoChoice } from '../../../core/direct-vpn/openvpn-crypto.ts';
import type { OpenVpnSecrets, StoredDirectVpnConfig, StoredOpenVpn, WireGuardSecrets } from '../../../core/direct-vpn/stored-model.ts';
import type { AgentDirectVpn, AgentOpenVpnClientVpn } from '../../../core/wire/daemon.ts';
import type { AppContext } from '../../context.ts';
import { agentHostedVpns } from './agent-hosted.ts';
import { enabledDirectVpnsWithSecrets } from './store.ts';

/**
 * Issue 9: the part of an agent's state document that runs its plant's direct VPNs: enabled
 * outgoing WireGuard and OpenVPN ones (hosted: the hosted feature's). The agent side's
 * keys are unsealed here, for the plant's own authenticated agent only; this document is
 * never logged. AllowedIPs are the direct VPN's validated subnets, split over the peers as
 * renderWireGuardSetconf does: the uploaded AllowedIPs (default routes included) never reach the agent.
 */
export async function agentDirectVpns(ctx: AppContext, plantId: string): Promise<AgentDirectVpn[]> {
  // Read once per revision for every agent (every direct VPN write bumps it): an idle long-poll makes no query (issue 6).
  const byPlant = (await ctx.fleet.memo('direct-vpns', async () => Map.groupBy(await enabledDirectVpnsWithSecrets(ctx.store.db), (r) => r.plant_id))) as Map<
    string,
    Awaited<ReturnType<typeof enabledDirectVpnsWithSecrets>>
  >;
  const rows = byPlant.get(plantId) ?? [];
  const out: AgentDirectVpn[] = [];
  const hosted = rows.filter((row) => row.direction === 'hosted');
  if (hosted.length > 0) out.push(...(await agentHostedVpns(ctx, hosted)));
  for (const row of rows) {
    if (row.direction !== 'outgoing') continue;
    const stored = JSON.parse(row.config) as StoredDirectVpnConfig;
    if (stored.protocol === 'openvpn' && row.protocol === 'openvpn' && row.secrets !== null) {
      const secrets = JSON.parse(ctx.box.open(row.secrets, `direct-vpn:${row.id}`)) as OpenVpnSecrets;
      out.push(outgoingOpenVpn(row, stored, secrets));
      continue;
    }
    if (stored.protocol !== 'wireguard' || row.secrets === null) continue;
    const secrets = JSON.parse(ctx.box.open(row.secrets, `direct-vpn:${row.id}`)) as WireGuardSecrets;
    const subnets = JSON.parse(row.subnets) as string[];
    const model = stored.model;
    const perPeer = allowedIpsPerPeer(model.peers, subnets);
    out.push({
      id: row.id,
      name: row.name,
      protocol: 'wireguard',
      direction: 'outgoing',
      restartGeneration: Number(row.restart_generation),
      privateKey: secrets.privateKey,
      addresses: model.addresses,
      listenPort: model.listenPort,
      mtu: model.mtu,
      peers: model.peers.map((peer, index) => ({
        publicKey: peer.publicKey,
        presharedKey: secrets.presharedKeys[index] ?? null,
        endpoint: peer.endpoint,
        allowedIps: perPeer[index] ?? [],
        persistentKeepalive: peer.persistentKeepalive,
      })),
      subnets,
    });
  }
  return out;
}

/**
 * An outgoing OpenVPN direct VPN as the agent runs it: the stored model with its secrets put
 * back (client key, tls-auth/tls-crypt keys, credentials) and the advanced crypto settings
 * applied (withCryptoChoice); the agent renders the config itself (renderOpenVpnClientConfig).
 */
function outgoingOpenVpn(row: { id: string; name: string; subnets: string; restart_generation: number }, stored: StoredOpenVpn, secrets: OpenVpnSecrets): AgentOpenVpnClientVpn {
  const model = withCryptoChoice(
    { ...stored.model, key: secrets.key, tlsAuth: secrets.tlsAuth, tlsCrypt: secrets.tlsCrypt, tlsCryptV2: secrets.tlsCryptV2 },
    stored.crypto,
  );
  return {
    id: row.id,
    name: row.name,
    protocol: 'openvpn',
    direction: 'outgoing',
    model,
    credentials: secrets.credentials,
    subnets: JSON.parse(row.subnets) as string[],
    restartGeneration: Number(row.restart_generation),
  };
}
