import type { z } from 'zod';
import { allocateClientIp, serverTunnelIp } from '../../../core/direct-vpn/hosted-network.ts';
import { renderOpenVpnClientProfile, renderWireGuardClientProfile } from '../../../core/direct-vpn/hosted-profile.ts';
import { formatPrefix, parsePrefix, prefixContains, prefixesOverlap } from '../../../core/direct-vpn/ip-prefix.ts';
import type { DirectVpnChange, DirectVpnClientCreateRequest, DirectVpnClientViewWire } from '../../../core/wire/direct-vpn.ts';
import { generateWireGuardKeyPair } from '../../../crypto/wireguard-keys.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';
import { recordEvents } from '../events/store.ts';
import type { HostedOpenVpnSecrets, StoredHosted } from './hosted-model.ts';
import { SEAL_CONTEXT } from './hosted-model.ts';
import { issue, signCrl } from './hosted-pki.ts';
import { type ClientCredentials, clientRow, clientView, profileFileName, refuseOpenVpnClientName, refuseUnlessHosted } from './hosted-service.ts';
import { type PlantScope, plantScope } from './plant-scope.ts';
import { viewOf, vpnOf } from './service.ts';
import { clientViewsWithLive } from './live.ts';
import {
  type DirectVpnClientRow,
  type DirectVpnRow,
  clientsOfDirectVpn,
  deleteDirectVpnClient,
  directVpnsOfPlant,
  insertDirectVpnClient,
  sealedSecretsOf,
  updateDirectVpnConfig,
} from './store.ts';
import { subnetsOf } from './subnet-rules.ts';

/**
 * A hosted server's site and user clients (issue 9, D9): list (no key in it), add (the
 * show-once profile is the answer; the client's private key is made here and kept nowhere)
 * and remove (the agent's next document leaves the WireGuard peer out, or puts the OpenVPN
 * certificate on the re-signed CRL and drops the client so the agent kills its session).
 * Every change moves the plant's agent revision and is an event of the plant's organization.
 */

type Change = z.input<typeof DirectVpnChange>;

async function hostedScope(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string, action: 'direct-vpn.view' | 'direct-vpn.manage') {
  const scope = await plantScope(ctx, caller, plantRef, action);
  const row = vpnOf(scope, await directVpnsOfPlant(ctx.store.db, scope.plant.id), vpnRef);
  refuseUnlessHosted(scope, row);
  return { scope, row };
}

/** Each client with what the agent last reported of it (WireGuard peer by public key, OpenVPN session by common name). */
export async function listClients(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string): Promise<DirectVpnClientViewWire[]> {
  const { row } = await hostedScope(ctx, caller, plantRef, vpnRef, 'direct-vpn.view');
  return clientViewsWithLive(ctx, row, await clientsOfDirectVpn(ctx.store.db, row.id), clientView);
}

export async function addClient(
  ctx: AppContext,
  caller: Caller,
  plantRef: string,
  vpnRef: string,
  body: z.output<typeof DirectVpnClientCreateRequest>,
): Promise<ClientCredentials> {
  const { scope, row } = await hostedScope(ctx, caller, plantRef, vpnRef, 'direct-vpn.manage');
  const clients = await clientsOfDirectVpn(ctx.store.db, row.id);
  if (clients.some((c) => c.name === body.name)) throw conflict('client-exists', `name: direct VPN "${row.name}" has a client "${body.name}" already`, 'name');
  if (row.protocol === 'openvpn') refuseOpenVpnClientName(body.name, 'name');
  const subnets = body.kind === 'site' ? siteSubnets(row, clients, body.subnets ?? []) : userSubnets(body.subnets);
  const network = row.tunnel_network as string;
  const tunnelIp = allocateClientIp(network, clients.map((c) => c.tunnel_ip));
  if (tunnelIp === null) throw conflict('tunnel-network-full', `name: the tunnel network ${network} of direct VPN "${row.name}" has no free address: remove a client first`, 'name');
  const stored = JSON.parse(row.config) as StoredHosted;
  const now = ctx.now();
  const at = now.toISOString();
  const endpoint = { host: row.listen_host as string, port: row.listen_port as number };
  let client: DirectVpnClientRow;
  let profile: string;
  if (stored.protocol === 'wireguard') {
    const keys = generateWireGuardKeyPair();
    client = clientRow(row.id, body.name, body.kind, tunnelIp, subnets, { public_key: keys.publicKey }, ctx, caller, at);
    profile = renderWireGuardClientProfile({ name: body.name, kind: body.kind, privateKey: keys.privateKey, tunnelIp, serverPublicKey: stored.serverPublicKey, serverIp: serverTunnelIp(network), endpoint, subnets: subnetsOf(row) });
  } else {
    const secrets = await openSecrets(ctx, row);
    const cert = await issue({ certificate: stored.ca, key: secrets.caKey }, body.name, 'client', now);
    client = clientRow(row.id, body.name, body.kind, tunnelIp, subnets, { certificate: cert.certificate, serial: cert.serial }, ctx, caller, at);
    profile = renderOpenVpnClientProfile({
      name: body.name, kind: body.kind, transport: row.transport, endpoint, serverIp: serverTunnelIp(network), subnets: subnetsOf(row),
      serverCommonName: stored.serverCommonName, ca: stored.ca, cert: cert.certificate, key: cert.key, tlsCrypt: secrets.tlsCrypt, crypto: stored.crypto,
    });
  }
  await ctx.fleet.write(
    async (trx) => {
      await insertDirectVpnClient(trx, client);
      await recordEvents(trx, at, [event(scope, 'direct-vpn.client-added', { directVpn: row.name, client: body.name, kind: body.kind, tunnelIp, subnets })]);
    },
    () => ({ touchPlants: [scope.plant.id] }),
  );
  return { client: clientView(client), fileName: profileFileName(row.name, body.name, row.protocol), profile };
}

export async function removeClient(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string, clientRef: string): Promise<Change> {
  const { scope, row } = await hostedScope(ctx, caller, plantRef, vpnRef, 'direct-vpn.manage');
  const clients = await clientsOfDirectVpn(ctx.store.db, row.id);
  const client = clients.find((c) => c.id === clientRef) ?? clients.find((c) => c.name === clientRef);
  if (!client) throw new ApiError(404, 'not-found', `client: direct VPN "${row.name}" has no client "${clientRef}"`, { field: 'client' });
  const stored = JSON.parse(row.config) as StoredHosted;
  const at = ctx.now().toISOString();
  let config: string | null = null;
  if (stored.protocol === 'openvpn' && client.serial !== null) {
    const secrets = await openSecrets(ctx, row);
    const revoked = [...stored.revoked, { serial: client.serial, at }];
    const crl = await signCrl({ certificate: stored.ca, key: secrets.caKey }, revoked, ctx.now());
    config = JSON.stringify({ ...stored, revoked, crl });
  }
  await ctx.fleet.write(
    async (trx) => {
      await deleteDirectVpnClient(trx, client.id);
      if (config !== null) await updateDirectVpnConfig(trx, row.id, config, at);
      await recordEvents(trx, at, [event(scope, 'direct-vpn.client-removed', { directVpn: row.name, client: client.name, kind: client.kind, ...(client.serial ? { revokedSerial: client.serial } : {}) })]);
    },
    () => ({ touchPlants: [scope.plant.id] }),
  );
  const updated = config === null ? row : { ...row, config, updated_at: at };
  return {
    vpn: viewOf(scope, updated, clients.length - 1),
    changes: [`- client ${client.name} (${client.kind}, ${client.tunnel_ip}) of direct VPN ${row.name}${client.serial ? ': certificate revoked' : ''}`],
    revision: ctx.fleet.currentRevision(),
  };
}

function event(scope: PlantScope, kind: 'direct-vpn.client-added' | 'direct-vpn.client-removed', details: Record<string, unknown>) {
  return { kind, actorUserId: scope.caller.userId, subjectUserId: null, orgId: scope.plant.orgId, details: { plant: scope.plant.name, plantId: scope.plant.id, ...details } };
}

async function openSecrets(ctx: AppContext, row: DirectVpnRow): Promise<HostedOpenVpnSecrets> {
  const sealed = await sealedSecretsOf(ctx.store.db, row.id);
  if (sealed === null) throw new Error(`hosted direct VPN ${row.id} has no sealed PKI`);
  return JSON.parse(ctx.box.open(sealed, SEAL_CONTEXT(row.id))) as HostedOpenVpnSecrets;
}

/** A site client's subnets: canonical, each within the direct VPN's subnets, none announced by another site client (D4, the field named). */
function siteSubnets(row: DirectVpnRow, clients: DirectVpnClientRow[], asked: string[]): string[] {
  if (asked.length === 0) throw badRequest('subnets', `a site client announces the plant subnets behind it: name them (within ${subnetsOf(row).join(', ')})`);
  const own = subnetsOf(row).flatMap((s) => {
    const p = parsePrefix(s);
    return p.ok ? [p.prefix] : [];
  });
  const out: string[] = [];
  asked.forEach((text, index) => {
    const field = `subnets[${index}]`;
    const parsed = parsePrefix(text);
    if (!parsed.ok || parsed.hostBits) throw badRequest(field, `"${text}" is not a canonical CIDR`);
    const canonical = formatPrefix(parsed.prefix);
    if (canonical !== text) throw badRequest(field, `"${text}" is not canonical: write ${canonical}`);
    if (!own.some((p) => prefixContains(p, parsed.prefix))) {
      throw badRequest(field, `${text} is not within the subnets of direct VPN "${row.name}" (${subnetsOf(row).join(', ')}): add it to the direct VPN first`);
    }
    for (const other of clients.filter((c) => c.kind === 'site')) {
      for (const theirs of JSON.parse(other.subnets) as string[]) {
        const p = parsePrefix(theirs);
        if (p.ok && prefixesOverlap(p.prefix, parsed.prefix)) throw conflict('subnet-overlap', `${field}: ${text} overlaps ${theirs}, announced by site client "${other.name}"`, field);
      }
    }
    if (out.includes(canonical)) throw badRequest(field, `${text} is listed twice`);
    out.push(canonical);
  });
  return out;
}

function userSubnets(asked: string[] | undefined): string[] {
  if (asked !== undefined && asked.length > 0) throw badRequest('subnets', 'a user client announces no subnets (it reaches the direct VPN\u2019s subnets); give subnets only for a site client');
  return [];
}
