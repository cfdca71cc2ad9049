import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { HOSTED_PORT_BASE, allocateClientIp, allocatePort, allocateTunnelNetwork, serverTunnelIp } from '../../../core/direct-vpn/hosted-network.ts';
import { compressionLine, endpointText, renderOpenVpnClientProfile, renderWireGuardClientProfile } from '../../../core/direct-vpn/hosted-profile.ts';
import type { StoredDirectVpnConfig } from '../../../core/direct-vpn/stored-model.ts';
import { validateDirectVpnSubnets } from '../../../core/direct-vpn/subnet-validation.ts';
import type { OpenVpnCrypto } from '../../../core/direct-vpn/upload-result.ts';
import { formatCidr } from '../../../core/net/ipv4.ts';
import type { DirectVpnClientViewWire, DirectVpnCreateRequest, DirectVpnCreated, DirectVpnReviewWire } from '../../../core/wire/direct-vpn.ts';
import { generateWireGuardKeyPair } from '../../../crypto/wireguard-keys.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';
import { publicAddressOfPlantAgent } from '../daemons/store.ts';
import { DEFAULT_SITE_CLIENT, type HostedOpenVpnSecrets, SEAL_CONTEXT, type StoredHosted, type StoredHostedOpenVpn } from './hosted-model.ts';
import { createHostedPki, issue, signCrl } from './hosted-pki.ts';
import type { PlantScope } from './plant-scope.ts';
import { type DirectVpnClientRow, type DirectVpnRow, insertDirectVpn, insertDirectVpnClient } from './store.ts';
import { refuseNonIpv4, subnetContext, subnetRefusal, subnetsOf } from './subnet-rules.ts';
import { applyDirectVpnChange } from './subnet-change.ts';

/**
 * Create a hosted direct VPN (issue 9, D1/D6/D9): the agent runs the server, the platform
 * provisions where clients dial (the agent's last registration address or `listen.host`,
 * a free port per transport), the server's keys (WireGuard) or PKI (OpenVPN), a tunnel
 * network of its own, and the first site client (the plant router) whose complete profile
 * is returned once — its private key is made here, put in the answer and kept nowhere.
 */

type CreateBody = z.output<typeof DirectVpnCreateRequest>;
type Created = z.input<typeof DirectVpnCreated>;
export type Listen = { host: string; port: number };
export type ClientCredentials = { client: DirectVpnClientViewWire; fileName: string; profile: string };

export async function createHostedDirectVpn(ctx: AppContext, scope: PlantScope, rows: DirectVpnRow[], body: CreateBody, viewOf: (row: DirectVpnRow, clientCount: number) => Created['vpn']): Promise<Created> {
  if (body.config !== undefined) throw badRequest('config', 'a hosted server has no upload: plantgate provisions its endpoint and keys (leave config out)');
  if (body.credentials !== undefined) throw badRequest('credentials', 'a hosted server takes no username and password');
  if (body.protocol === 'wireguard' && body.transport === 'tcp') throw badRequest('transport', 'WireGuard runs over UDP only');
  const validation = validateDirectVpnSubnets(body.subnets ?? [], subnetContext(ctx, scope, rows, null));
  if (!validation.ok) throw subnetRefusal(validation.problems);
  refuseNonIpv4(validation.subnets);
  const subnets = validation.subnets;
  const transport = body.protocol === 'wireguard' ? 'udp' : (body.transport ?? 'udp');
  const crypto = body.protocol === 'openvpn' ? hostedCrypto(body.advanced) : null;
  // OpenVPN: the review always carries the crypto object (null fields = openvpn's defaults), as for an upload
  const reviewCrypto = body.protocol === 'openvpn' ? (crypto ?? { cipher: null, auth: null, compression: null, tlsMin: null }) : null;
  const review: DirectVpnReviewWire = { direction: 'hosted', protocol: body.protocol, subnets, subnetsFromConfig: [], stripped: [], ignored: [], needsCredentials: false, crypto: reviewCrypto };
  const listen = await listenFor(ctx, scope, rows, { protocol: body.protocol, transport }, body.listen, null);
  const network = allocateTunnelNetwork([
    formatCidr(ctx.addressing.tunnelRange),
    formatCidr(ctx.addressing.mappedSpace),
    ...scope.model.subnetsOf(scope.plant.id).map((s) => formatCidr(s.prefix)),
    ...subnets,
    ...rows.flatMap((r) => [...subnetsOf(r), ...(r.tunnel_network ? [r.tunnel_network] : [])]),
  ]);
  if (network === null) throw conflict('no-tunnel-network', 'subnets: no free /24 is left for the server\u2019s tunnel network on this plant', 'subnets');
  const siteName = body.siteClientName ?? DEFAULT_SITE_CLIENT;
  if (body.protocol === 'openvpn') refuseOpenVpnClientName(siteName, 'siteClientName');
  if (body.dryRun) return { dryRun: true, review, vpn: null, credentials: null, changes: [], revision: ctx.fleet.currentRevision() };

  const now = ctx.now();
  const at = now.toISOString();
  const id = randomUUID();
  const clientIp = allocateClientIp(network, []) as string;
  let stored: StoredHosted;
  let secrets: string;
  let client: DirectVpnClientRow;
  let profile: string;
  if (body.protocol === 'wireguard') {
    const server = generateWireGuardKeyPair();
    const site = generateWireGuardKeyPair();
    stored = { protocol: 'wireguard', hosted: true, needsCredentials: false, crypto: null, serverPublicKey: server.publicKey };
    secrets = JSON.stringify({ privateKey: server.privateKey });
    client = clientRow(id, siteName, 'site', clientIp, subnets, { public_key: site.publicKey }, ctx, scope.caller, at);
    profile = renderWireGuardClientProfile({ name: siteName, kind: 'site', privateKey: site.privateKey, tunnelIp: clientIp, serverPublicKey: server.publicKey, serverIp: serverTunnelIp(network), endpoint: listen, subnets });
  } else {
    const pki = await createHostedPki(body.name, now);
    const serverCommonName = `plantgate server ${body.name}`;
    stored = { protocol: 'openvpn', hosted: true, needsCredentials: false, crypto, serverCommonName, ca: pki.ca.certificate, serverCert: pki.server.certificate, crl: await signCrl(pki.ca, [], now), revoked: [] };
    const openSecrets: HostedOpenVpnSecrets = { caKey: pki.ca.key, serverKey: pki.server.key, tlsCrypt: pki.tlsCrypt };
    secrets = JSON.stringify(openSecrets);
    const cert = await issue(pki.ca, siteName, 'client', now);
    client = clientRow(id, siteName, 'site', clientIp, subnets, { certificate: cert.certificate, serial: cert.serial }, ctx, scope.caller, at);
    profile = renderOpenVpnClientProfile({
      name: siteName, kind: 'site', transport, endpoint: listen, serverIp: serverTunnelIp(network), subnets, serverCommonName,
      ca: pki.ca.certificate, cert: cert.certificate, key: cert.key, tlsCrypt: pki.tlsCrypt, crypto,
    });
  }
  const row = {
    id,
    plant_id: scope.plant.id,
    name: body.name,
    description: body.description,
    direction: 'hosted' as const,
    protocol: body.protocol,
    transport,
    config: JSON.stringify(stored),
    secrets: ctx.box.seal(secrets, SEAL_CONTEXT(id)),
    subnets: JSON.stringify(subnets),
    enabled: 1,
    created_by: scope.caller.userId,
    created_at: at,
    updated_at: at,
    listen_host: listen.host,
    listen_port: listen.port,
    tunnel_network: network,
  };
  const change = await applyDirectVpnChange(ctx, scope, {
    kind: 'direct-vpn.created',
    details: { directVpn: body.name, direction: 'hosted', protocol: body.protocol, transport, subnets, listen: endpointText(listen), tunnelNetwork: network, siteClient: siteName },
    add: subnets,
    remove: [],
    devicesRemoved: [],
    write: async (trx) => {
      await insertDirectVpn(trx, row);
      await insertDirectVpnClient(trx, client);
      return [`+ direct VPN ${body.name} of plant ${scope.plant.name} (hosted ${body.protocol} on ${endpointText(listen)}/${transport}): ${subnets.join(', ')}; site client ${siteName}`];
    },
  });
  const { secrets: _sealed, ...publicRow } = row;
  return {
    dryRun: false,
    review,
    vpn: viewOf(publicRow, 1),
    credentials: { client: clientView(client), fileName: profileFileName(body.name, siteName, body.protocol), profile },
    ...change,
  };
}

export function clientRow(
  vpnId: string,
  name: string,
  kind: 'site' | 'user',
  tunnelIp: string,
  subnets: string[],
  material: { public_key?: string; certificate?: string; serial?: string },
  _ctx: AppContext,
  caller: Caller,
  at: string,
): DirectVpnClientRow {
  return {
    id: randomUUID(),
    direct_vpn_id: vpnId,
    name,
    kind,
    tunnel_ip: tunnelIp,
    subnets: JSON.stringify(subnets),
    public_key: material.public_key ?? null,
    certificate: material.certificate ?? null,
    serial: material.serial ?? null,
    created_by: caller.userId,
    created_at: at,
  };
}

export function clientView(row: DirectVpnClientRow): DirectVpnClientViewWire {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    tunnelIp: row.tunnel_ip,
    subnets: JSON.parse(row.subnets) as string[],
    createdAt: row.created_at,
    connected: false,
    lastSeen: null,
    bytesIn: 0,
    bytesOut: 0,
  };
}

/** `router-c-plant-router.conf`: lower-case letters, digits and dashes of both names. */
export function profileFileName(vpnName: string, clientName: string, protocol: 'wireguard' | 'openvpn'): string {
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'client';
  return `${slug(vpnName)}-${slug(clientName)}.${protocol === 'wireguard' ? 'conf' : 'ovpn'}`;
}

/** OpenVPN advanced settings of a hosted server (D2): each checked as it will be rendered, the field named. */
export function hostedCrypto(advanced: CreateBody['advanced']): OpenVpnCrypto | null {
  const token = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
  const check = (field: 'cipher' | 'auth' | 'tlsMin'): string | null => {
    const value = advanced?.[field];
    if (value === undefined) return null;
    if (!token.test(value)) throw badRequest(`advanced.${field}`, `"${value}" is not an OpenVPN ${field === 'tlsMin' ? 'TLS version' : field} name (letters, digits, - _ . :)`);
    return value;
  };
  let compression: string | null = null;
  // stored as the directive both sides render (compressionLine): the server config and the profiles say the same
  if (advanced?.compression !== undefined) {
    try {
      compression = compressionLine(advanced.compression);
    } catch {
      throw badRequest('advanced.compression', `"${advanced.compression}" is not an OpenVPN compression (lzo, lz4, lz4-v2, stub, comp-lzo)`);
    }
  }
  const crypto = { cipher: check('cipher'), auth: check('auth'), compression, tlsMin: check('tlsMin') };
  return Object.values(crypto).every((v) => v === null) ? null : crypto;
}

/**
 * Where clients dial: `listen.host` or the address the plant's agent last registered from;
 * `listen.port` or the lowest free port from the protocol's customary one. A port another
 * direct VPN of the plant listens on with the same transport is a 409 naming it.
 */
export async function listenFor(
  ctx: AppContext,
  scope: PlantScope,
  rows: DirectVpnRow[],
  vpn: { protocol: 'wireguard' | 'openvpn'; transport: 'udp' | 'tcp' },
  asked: { host?: string | undefined; port?: number | undefined } | undefined,
  editing: DirectVpnRow | null,
): Promise<Listen> {
  const host = asked?.host ?? editing?.listen_host ?? (await publicAddressOfPlantAgent(ctx.store.db, scope.plant.id));
  if (host === null) {
    throw conflict('listen-host-unknown', `listen.host: the agent of plant ${scope.plant.name} has not connected yet, so its public address is unknown: give listen.host (the address or name clients dial)`, 'listen.host');
  }
  const taken = rows
    .filter((r) => r.id !== editing?.id && r.transport === vpn.transport)
    .flatMap((r) => {
      const port = r.listen_port ?? outgoingListenPort(r);
      return port === null ? [] : [{ port, name: r.name }];
    });
  let port = asked?.port ?? editing?.listen_port ?? null;
  if (port !== null) {
    const clash = taken.find((t) => t.port === port);
    if (clash) throw conflict('listen-port-taken', `listen.port: ${vpn.transport} port ${port} of plant ${scope.plant.name}'s agent is taken by direct VPN "${clash.name}"`, 'listen.port');
  } else {
    port = allocatePort(HOSTED_PORT_BASE[vpn.protocol], taken.map((t) => t.port));
    if (port === null) throw conflict('listen-port-taken', 'listen.port: no free port near the protocol\u2019s customary one: give listen.port', 'listen.port');
  }
  try {
    endpointText({ host, port });
  } catch {
    throw badRequest('listen.host', `"${host}" is not an address or DNS name clients can dial`);
  }
  return { host, port };
}

/** An outgoing WireGuard upload's own ListenPort (the agent binds it too). */
function outgoingListenPort(row: DirectVpnRow): number | null {
  if (row.direction !== 'outgoing') return null;
  const stored = JSON.parse(row.config) as StoredDirectVpnConfig;
  return stored.protocol === 'wireguard' ? stored.model.listenPort : null;
}

/** An OpenVPN client's name is its certificate's common name and the name of its client-config-dir file on the agent. */
export function refuseOpenVpnClientName(name: string, field: string): void {
  if (name.includes('/') || name === '.' || name === '..') {
    throw badRequest(field, `"${name}" cannot name an OpenVPN client (it is the client's certificate name and a file name on the agent): no "/", not "." or ".."`);
  }
}

export function isOpenVpnHosted(stored: StoredHosted): stored is StoredHostedOpenVpn {
  return stored.protocol === 'openvpn';
}

export function refuseUnlessHosted(scope: PlantScope, row: DirectVpnRow): void {
  if (row.direction !== 'hosted') {
    throw new ApiError(409, 'not-hosted', `vpn: direct VPN "${row.name}" of plant ${scope.plant.name} is outgoing (the agent dials the plant router): it has no clients`, { field: 'vpn' });
  }
}
