import { serverTunnelIp } from '../../../core/direct-vpn/hosted-network.ts';
import type { AgentOpenVpnServerVpn, AgentWireGuardVpn } from '../../../core/wire/daemon.ts';
import type { AppContext } from '../../context.ts';
import type { HostedOpenVpnSecrets, HostedWireGuardSecrets, StoredHosted } from './hosted-model.ts';
import { SEAL_CONTEXT } from './hosted-model.ts';
import { type DirectVpnClientRow, type DirectVpnRow, allDirectVpnClients } from './store.ts';

type Row = DirectVpnRow & { secrets: string | null; restart_generation?: number };

/**
 * Issue 9 hosted servers in the agent's document: a WireGuard server is an AgentWireGuardVpn
 * (direction hosted, listenPort, the server's tunnel address; one endpoint-less peer per
 * client: a site client's AllowedIPs are its announced subnets and its tunnel /32, a user
 * client's its tunnel /32); an OpenVPN server is an AgentOpenVpnServerVpn (PKI, CRL, clients
 * with their fixed addresses and iroutes). A removed client is simply no longer listed — the
 * agent drops the peer / kills the session. The server's keys are unsealed here, for the
 * plant's own agent only.
 */
export async function agentHostedVpns(ctx: AppContext, rows: Row[]): Promise<Array<AgentWireGuardVpn | AgentOpenVpnServerVpn>> {
  // once per revision for every agent, like the servers themselves (every client change bumps it)
  const byVpn = (await ctx.fleet.memo('direct-vpn-clients', async () => Map.groupBy(await allDirectVpnClients(ctx.store.db), (c) => c.direct_vpn_id))) as Map<
    string,
    DirectVpnClientRow[]
  >;
  const out: Array<AgentWireGuardVpn | AgentOpenVpnServerVpn> = [];
  for (const row of rows) {
    if (row.secrets === null || row.tunnel_network === null || row.listen_port === null) continue;
    const stored = JSON.parse(row.config) as StoredHosted;
    const clients = byVpn.get(row.id) ?? [];
    const subnets = JSON.parse(row.subnets) as string[];
    const secrets = ctx.box.open(row.secrets, SEAL_CONTEXT(row.id));
    if (stored.protocol === 'wireguard') out.push(hostedWireGuard(row, subnets, clients, JSON.parse(secrets) as HostedWireGuardSecrets));
    else out.push(hostedOpenVpn(row, stored, subnets, clients, JSON.parse(secrets) as HostedOpenVpnSecrets));
  }
  return out;
}

function clientSubnets(client: DirectVpnClientRow, vpnSubnets: string[]): string[] {
  // a subnet the direct VPN no longer has is not announced any more
  return (JSON.parse(client.subnets) as string[]).filter((s) => vpnSubnets.includes(s));
}

export function hostedWireGuard(row: Row, subnets: string[], clients: DirectVpnClientRow[], secrets: HostedWireGuardSecrets): AgentWireGuardVpn {
  const network = row.tunnel_network as string;
  return {
    id: row.id,
    name: row.name,
    protocol: 'wireguard',
    direction: 'hosted',
    restartGeneration: Number(row.restart_generation ?? 0),
    privateKey: secrets.privateKey,
    addresses: [`${serverTunnelIp(network)}/${network.split('/')[1]}`],
    listenPort: row.listen_port,
    mtu: null,
    peers: clients.flatMap((client) =>
      client.public_key === null
        ? []
        : [
            {
              publicKey: client.public_key,
              presharedKey: null,
              endpoint: null,
              allowedIps: [...(client.kind === 'site' ? clientSubnets(client, subnets) : []), `${client.tunnel_ip}/32`],
              persistentKeepalive: null,
            },
          ],
    ),
    subnets,
  };
}

export function hostedOpenVpn(row: Row, stored: Extract<StoredHosted, { protocol: 'openvpn' }>, subnets: string[], clients: DirectVpnClientRow[], secrets: HostedOpenVpnSecrets): AgentOpenVpnServerVpn {
  return {
    id: row.id,
    name: row.name,
    protocol: 'openvpn',
    direction: 'hosted',
    transport: row.transport,
    port: row.listen_port as number,
    network: row.tunnel_network as string,
    ca: stored.ca,
    cert: stored.serverCert,
    key: secrets.serverKey,
    crl: stored.crl,
    tlsCrypt: secrets.tlsCrypt,
    crypto: stored.crypto ?? { cipher: null, auth: null, compression: null, tlsMin: null },
    clients: clients.map((client) => ({ commonName: client.name, kind: client.kind, tunnelIp: client.tunnel_ip, subnets: client.kind === 'site' ? clientSubnets(client, subnets) : [] })),
    subnets,
    restartGeneration: Number(row.restart_generation ?? 0),
  };
}
