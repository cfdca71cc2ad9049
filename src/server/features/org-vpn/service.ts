import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { FleetModel } from '../../../core/fleet-model.ts';
import type { OrgId, OrgVpnClientId, OrgVpnId, PlantId } from '../../../core/model.ts';
import { cidr, formatCidr, formatIpv4 } from '../../../core/net/ipv4.ts';
import { judgeOrgVpnPlant, orgVpnEligiblePlants, orgVpnRoutes } from '../../../core/org-vpn/routes.ts';
import { type NamedRange, checkOrgVpnName, orgVpnSiteNetworks, validateSiteNetworks } from '../../../core/org-vpn/site-networks.ts';
import type { OrgVpnClientCreateRequest, OrgVpnClientCredentials, OrgVpnClientView, OrgVpnCreateRequest, OrgVpnView } from '../../../core/wire/org-vpn.ts';
import { generateWireGuardKeyPair } from '../../../crypto/wireguard-keys.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/handle.ts';
import { ApiError, conflict, notFound } from '../../http/errors.ts';
import { type NewEvent, recordEvents } from '../events/store.ts';
import { type OrgAccess, requireAction } from '../organizations/org-access.ts';
import { regionByName } from '../regions/store.ts';
import { claimWireGuardKey } from '../vpn/key-registry.ts';
import { orgClientSessions } from '../sessions/service.ts';
import type { SessionPage, SessionsQuery } from '../../../core/wire/sessions.ts';
import { loadOrCreateUserCa, type SignedCertificate, signProfileCsr } from '../vpn/user-ca.ts';
import { openVpnPeerId, orgVpnClientCommonName } from '../../../core/openvpn/profile-certificate.ts';
import { OPENVPN_PROFILE_PORT } from '../../../core/render/profile-endpoints.ts';
import { allocateTunnelIp } from '../vpn/profiles.ts';
import {
  type OrgVpnClientRow,
  type OrgVpnWithRegion,
  activeClientRows,
  addVpnPlant,
  deleteOrgVpn,
  insertClient,
  insertClientCertificate,
  insertOrgVpn,
  markClientRemoved,
  orgVpnRows,
  removeVpnPlant,
  renameOrgVpn as renameRow,
  vpnPlantIds,
} from './store.ts';

/**
 * Organization VPNs (issue 12, SPEC O1). Every change is a fleet write (the gateways'
 * document moves with it) and an event (SPEC A4) in the same transaction; the private key of
 * a client is never stored (made on the client, or returned once).
 */

type Change = { ok: true; revision: number };

export async function listOrgVpns(ctx: AppContext, access: OrgAccess): Promise<OrgVpnView[]> {
  requireAction(access, 'org-vpns.view');
  const rows = await orgVpnRows(ctx.store.db, access.org.id);
  const clients = await activeClientRows(ctx.store.db, rows.map((r) => r.id));
  return rows.map((row) => vpnView(access.model, row, clients));
}

export async function showOrgVpn(ctx: AppContext, access: OrgAccess, ref: string): Promise<OrgVpnView> {
  requireAction(access, 'org-vpns.view');
  const row = await findVpn(ctx.store.db, access, ref);
  return vpnView(access.model, row, await activeClientRows(ctx.store.db, [row.id]));
}

export async function listClients(ctx: AppContext, access: OrgAccess, ref: string): Promise<OrgVpnClientView[]> {
  requireAction(access, 'org-vpns.view');
  const row = await findVpn(ctx.store.db, access, ref);
  return (await activeClientRows(ctx.store.db, [row.id])).map(clientView);
}

export async function createOrgVpn(ctx: AppContext, access: OrgAccess, body: z.output<typeof OrgVpnCreateRequest>): Promise<OrgVpnView> {
  requireAction(access, 'org-vpns.manage');
  refuseBadName('name', body.name);
  const region = await regionByName(ctx.store.db, body.region);
  if (!region) throw new ApiError(400, 'invalid', `region: no region named "${body.region.slice(0, 64)}" (plantgate regions lists them)`, { field: 'region' });
  const plantIds = [...new Set((body.plants ?? []).map((ref, i) => eligiblePlant(access.model, access.org.id, ref, `plants[${i}]`)))];
  const protocol = body.protocol ?? 'wireguard';
  const now = ctx.now().toISOString();
  const id = randomUUID();
  await ctx.fleet.write(
    async (trx) => {
      await refuseTakenName(trx, access, body.name, null);
      await insertOrgVpn(trx, { id, org_id: access.org.id, name: body.name, region_id: region.id, protocol, created_at: now, created_by: access.caller.userId }, plantIds);
      await recordEvents(trx, now, [event(access, 'org-vpn.created', { vpn: body.name, vpnId: id, region: region.name, protocol, plants: plantNames(access.model, plantIds) })]);
    },
    (model) => model.putOrgVpn({ id: id as OrgVpnId, orgId: access.org.id, name: body.name, region: region.name, plantIds: plantIds as PlantId[] }),
  );
  return showAfterWrite(ctx, access, id);
}

export async function renameOrgVpn(ctx: AppContext, access: OrgAccess, ref: string, name: string): Promise<OrgVpnView> {
  requireAction(access, 'org-vpns.manage');
  refuseBadName('name', name);
  const row = await findVpn(ctx.store.db, access, ref);
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      await refuseTakenName(trx, access, name, row.id);
      await renameRow(trx, row.id, name);
      await recordEvents(trx, now, [event(access, 'org-vpn.renamed', { vpnId: row.id, from: row.name, to: name })]);
    },
    (model) => {
      const vpn = model.orgVpns.get(row.id as OrgVpnId);
      return vpn ? model.putOrgVpn({ ...vpn, name }) : new Set();
    },
  );
  return showAfterWrite(ctx, access, row.id);
}

export async function removeOrgVpn(ctx: AppContext, access: OrgAccess, ref: string): Promise<Change> {
  requireAction(access, 'org-vpns.manage');
  const row = await findVpn(ctx.store.db, access, ref);
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      const clients = await activeClientRows(trx, [row.id]);
      await deleteOrgVpn(trx, row.id, now);
      await recordEvents(trx, now, [event(access, 'org-vpn.removed', { vpn: row.name, vpnId: row.id, clients: clients.map((c) => c.name) })]);
    },
    (m) => m.removeOrgVpn(row.id as OrgVpnId),
  );
  return { ok: true, revision: ctx.fleet.currentRevision() };
}

export async function addPlant(ctx: AppContext, access: OrgAccess, ref: string, plantRef: string): Promise<OrgVpnView> {
  requireAction(access, 'org-vpns.manage');
  const row = await findVpn(ctx.store.db, access, ref);
  const plantId = eligiblePlant(access.model, access.org.id, plantRef, 'plant');
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      const current = await vpnPlantIds(trx, row.id);
      if (current.includes(plantId)) throw conflict('plant-in-vpn', `plant: "${plantName(access.model, plantId)}" is already routed through ${row.name}`, 'plant');
      await addVpnPlant(trx, row.id, plantId);
      await recordEvents(trx, now, [event(access, 'org-vpn.plant-added', { vpn: row.name, vpnId: row.id, plant: plantName(access.model, plantId), plantId })]);
      return [...current, plantId];
    },
    (model, plantIds) => setPlants(model, row.id, plantIds),
  );
  return showAfterWrite(ctx, access, row.id);
}

export async function removePlant(ctx: AppContext, access: OrgAccess, ref: string, plantRef: string): Promise<OrgVpnView> {
  requireAction(access, 'org-vpns.manage');
  const row = await findVpn(ctx.store.db, access, ref);
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      const current = await vpnPlantIds(trx, row.id);
      const plantId = current.find((id) => id === plantRef) ?? current.find((id) => access.model.plants.get(id as PlantId)?.name === plantRef);
      if (!plantId) throw notFound('plant', `plant: "${plantRef.slice(0, 64)}" is not routed through ${row.name}`);
      await removeVpnPlant(trx, row.id, plantId);
      await recordEvents(trx, now, [event(access, 'org-vpn.plant-removed', { vpn: row.name, vpnId: row.id, plant: plantName(access.model, plantId as PlantId), plantId })]);
      return current.filter((id) => id !== plantId);
    },
    (model, plantIds) => setPlants(model, row.id, plantIds),
  );
  return showAfterWrite(ctx, access, row.id);
}

export async function addClient(ctx: AppContext, access: OrgAccess, ref: string, body: z.output<typeof OrgVpnClientCreateRequest>): Promise<OrgVpnClientCredentials> {
  requireAction(access, 'org-vpns.manage');
  refuseBadName('name', body.name);
  const row = await findVpn(ctx.store.db, access, ref);
  const networks = clientNetworks(ctx, access, row.id, body);
  const credential = clientCredential(row.protocol, body);
  const pair = credential.type === 'wireguard' && credential.publicKey === undefined ? generateWireGuardKeyPair() : null;
  const now = ctx.now().toISOString();
  const id = randomUUID();
  const { result, model } = await ctx.fleet.write(
    async (trx) => {
      const clients = await activeClientRows(trx, [row.id]);
      if (clients.some((c) => c.name === body.name)) throw conflict('name-taken', `name: ${row.name} already has a client named "${body.name}"`, 'name');
      let signed: (SignedCertificate & { ca: string; tlsCrypt: string }) | null = null;
      let publicKey: string;
      if (credential.type === 'wireguard') {
        publicKey = credential.publicKey ?? (pair?.publicKey as string);
        await claimWireGuardKey(trx, publicKey, { owner: 'org-vpn-client', clientId: id }, { field: 'publicKey', servicePublicKey: ctx.servicePublicKey, now });
      } else {
        // P9's user CA signs it, as it signs personal profiles: one CA, one CRL, the same gateway servers
        const ca = await loadOrCreateUserCa(ctx, trx);
        signed = { ...(await signProfileCsr(ca.ca, credential.csr, orgVpnClientCommonName(id), ctx.now())), ca: ca.ca.certificate, tlsCrypt: ca.tlsCrypt };
        publicKey = openVpnPeerId(signed.serial);
      }
      const tunnelIp = await allocateTunnelIp(ctx, trx);
      const clientRow: OrgVpnClientRow = {
        id,
        vpn_id: row.id,
        name: body.name,
        kind: body.kind,
        public_key: publicKey,
        tunnel_ip: formatIpv4(tunnelIp),
        tunnel_ip_num: tunnelIp,
        networks: JSON.stringify(networks),
        created_at: now,
        removed_at: null,
        cert_serial: signed?.serial ?? null,
        cert_fingerprint: signed?.fingerprint ?? null,
        cert_not_after: signed?.notAfter ?? null,
      };
      await insertClient(trx, clientRow);
      if (signed) await insertClientCertificate(trx, { serial: signed.serial, clientId: id, vpnId: row.id, fingerprint: signed.fingerprint, notAfter: signed.notAfter, issuedAt: now });
      const identity = signed ? { serial: signed.serial, fingerprint: signed.fingerprint } : { publicKey };
      await recordEvents(trx, now, [
        event(access, 'org-vpn.client-added', { vpn: row.name, vpnId: row.id, client: body.name, clientId: id, kind: body.kind, tunnelIp: clientRow.tunnel_ip, networks, protocol: row.protocol, ...identity }),
      ]);
      return { client: clientRow, signed };
    },
    (m, r) =>
      m.putOrgVpnClient({
        id: r.client.id as OrgVpnClientId,
        vpnId: row.id as OrgVpnId,
        name: r.client.name,
        kind: r.client.kind,
        publicKey: r.client.public_key,
        tunnelIp: r.client.tunnel_ip_num,
        networks: networks.map(cidr),
      }),
  );
  const vpn = model.orgVpns.get(row.id as OrgVpnId);
  const native = vpn ? orgVpnRoutes(model, vpn).filter((r) => r.native).map((r) => formatCidr(r.prefix)) : [];
  const { signed } = result;
  return {
    client: clientView(result.client),
    vpn: row.name,
    region: { name: row.region, endpoint: row.endpoint },
    servicePublicKey: ctx.servicePublicKey,
    allowedIps: [formatCidr(ctx.addressing.mappedSpace), ...native],
    privateKey: pair?.privateKey ?? null,
    ...(signed ? { openvpn: { certificate: signed.certificate, ca: signed.ca, tlsCrypt: signed.tlsCrypt, port: OPENVPN_PROFILE_PORT } } : {}),
  };
}

type ClientCredential = { type: 'wireguard'; publicKey: string | undefined } | { type: 'openvpn'; csr: string };

/** The key material the VPN's protocol takes; 400 naming the missing or misplaced field. */
function clientCredential(protocol: string, body: z.output<typeof OrgVpnClientCreateRequest>): ClientCredential {
  if (protocol !== 'openvpn') {
    if (body.csr !== undefined) throw new ApiError(400, 'invalid', 'csr: this is a WireGuard organization VPN; send a publicKey (or none: the server makes the pair)', { field: 'csr' });
    return { type: 'wireguard', publicKey: body.publicKey };
  }
  if (body.publicKey !== undefined) throw new ApiError(400, 'invalid', 'publicKey: this is an OpenVPN organization VPN; send a certificate signing request (csr), not a WireGuard key', { field: 'publicKey' });
  if (body.csr === undefined || body.csr.trim() === '') {
    throw new ApiError(400, 'invalid', 'csr: required for a client of an OpenVPN organization VPN (a PEM certificate signing request made where the key is)', { field: 'csr' });
  }
  return { type: 'openvpn', csr: body.csr };
}

export async function removeClient(ctx: AppContext, access: OrgAccess, ref: string, clientRef: string): Promise<Change> {
  requireAction(access, 'org-vpns.manage');
  const row = await findVpn(ctx.store.db, access, ref);
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      const clients = await activeClientRows(trx, [row.id]);
      const client = clients.find((c) => c.id === clientRef) ?? clients.find((c) => c.name === clientRef);
      if (!client) throw notFound('client', `client: ${row.name} has no client "${clientRef.slice(0, 64)}"`);
      await markClientRemoved(trx, client.id, now);
      const certificate = client.cert_serial ? { serial: client.cert_serial } : {};
      await recordEvents(trx, now, [event(access, 'org-vpn.client-removed', { vpn: row.name, vpnId: row.id, client: client.name, clientId: client.id, tunnelIp: client.tunnel_ip, ...certificate })]);
      return client;
    },
    (m, client) => m.removeOrgVpnClient(client.id as OrgVpnClientId),
  );
  return { ok: true, revision: ctx.fleet.currentRevision() };
}

/** A client's sessions (P7's view, org VPN clients: 0022a); whoever may see the VPN sees them. */
export async function clientSessions(ctx: AppContext, access: OrgAccess, ref: string, clientRef: string, query: SessionsQuery): Promise<SessionPage> {
  requireAction(access, 'org-vpns.view');
  const row = await findVpn(ctx.store.db, access, ref);
  const clients = await activeClientRows(ctx.store.db, [row.id]);
  const client = clients.find((c) => c.id === clientRef) ?? clients.find((c) => c.name === clientRef);
  if (!client) throw notFound('client', `client: ${row.name} has no client "${clientRef.slice(0, 64)}"`);
  return orgClientSessions(ctx, client.id, query);
}

// ---- helpers ------------------------------------------------------------------------------

async function findVpn(db: Db, access: OrgAccess, ref: string): Promise<OrgVpnWithRegion> {
  const rows = await orgVpnRows(db, access.org.id);
  const row = rows.find((r) => r.id === ref) ?? rows.find((r) => r.name === ref);
  if (!row) throw notFound('vpn', `vpn: ${access.org.name} has no organization VPN "${ref.slice(0, 64)}"`);
  return row;
}

async function showAfterWrite(ctx: AppContext, access: OrgAccess, id: string): Promise<OrgVpnView> {
  const model = await ctx.fleet.current();
  const row = await findVpn(ctx.store.db, { ...access, model }, id);
  return vpnView(model, row, await activeClientRows(ctx.store.db, [row.id]));
}

function vpnView(model: FleetModel, row: OrgVpnWithRegion, clients: OrgVpnClientRow[]): OrgVpnView {
  const vpn = model.orgVpns.get(row.id as OrgVpnId);
  const eligible = orgVpnEligiblePlants(model, row.org_id as OrgId);
  const routes = vpn ? orgVpnRoutes(model, vpn, eligible) : [];
  return {
    id: row.id,
    name: row.name,
    organization: model.organizations.get(row.org_id as OrgId)?.name ?? row.org_id,
    region: row.region,
    protocol: row.protocol,
    createdAt: row.created_at,
    plants: (vpn?.plantIds ?? [])
      .filter((id) => model.plants.has(id))
      .map((id) => {
        const plant = model.plants.get(id);
        const via = eligible.get(id) ?? null;
        return { id, name: plant?.name ?? id, organization: model.organizations.get(plant?.orgId as OrgId)?.name ?? '', via, routed: via !== null };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
    clients: clients.filter((c) => c.vpn_id === row.id).map(clientView),
    routes: routes.map((r) => ({
      plant: model.plants.get(r.plantId)?.name ?? r.plantId,
      plantId: r.plantId,
      via: r.via,
      subnet: formatCidr(r.prefix),
      mapped: formatCidr(r.mapped),
      native: r.native,
    })),
  };
}

function clientView(row: OrgVpnClientRow): OrgVpnClientView {
  const certificate = row.cert_serial && row.cert_fingerprint && row.cert_not_after ? { serial: row.cert_serial, fingerprint: row.cert_fingerprint, notAfter: row.cert_not_after } : null;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    publicKey: certificate ? null : row.public_key,
    certificate,
    tunnelIp: row.tunnel_ip,
    networks: JSON.parse(row.networks) as string[],
    createdAt: row.created_at,
  };
}

function refuseBadName(field: string, name: string): void {
  const problem = checkOrgVpnName(field, name);
  if (problem) throw new ApiError(400, 'invalid', problem, { field });
}

async function refuseTakenName(db: Db, access: OrgAccess, name: string, except: string | null): Promise<void> {
  const rows = await orgVpnRows(db, access.org.id);
  if (rows.some((r) => r.name === name && r.id !== except)) throw conflict('name-taken', `name: ${access.org.name} already has an organization VPN named "${name}"`, 'name');
}

const REFUSALS: Record<string, string> = {
  'no-such-plant': 'no such plant of the organization or shared with it',
  'not-shared': 'no such plant of the organization or shared with it',
  'cooperation-ended': 'its cooperation has ended',
  'no-operator': 'the organization holds no Operator job role on it within the cooperation (SPEC O1)',
};

/** A plant ref (id or name) among the organization's own plants and its cooperation plants; refusals say why without leaking other organizations' plants. */
function eligiblePlant(model: FleetModel, orgId: OrgId, ref: string, field: string): PlantId {
  const eligible = orgVpnEligiblePlants(model, orgId);
  for (const id of eligible.keys()) if (id === ref) return id;
  const byName = [...eligible.keys()].filter((id) => model.plants.get(id)?.name === ref);
  if (byName.length === 1) return byName[0] as PlantId;
  if (byName.length > 1) throw new ApiError(400, 'invalid', `${field}: several plants are named "${ref.slice(0, 64)}"; use the plant's id`, { field });
  // A shared plant the organization may see but not route: say why; anything else reads as unknown.
  const shared = [...model.plants.values()].find((p) => (p.id === ref || p.name === ref) && [...model.cooperations.values()].some((c) => c.partnerOrgId === orgId && model.cooperationCovers(c, p.id)));
  const reason = shared ? judgeOrgVpnPlant(model, orgId, shared.id) : { eligible: false as const, reason: 'no-such-plant' as const };
  const why = reason.eligible ? 'not eligible' : REFUSALS[reason.reason];
  throw new ApiError(shared ? 409 : 404, shared ? 'plant-not-eligible' : 'not-found', `${field}: "${ref.slice(0, 64)}": ${why}`, { field });
}

/** A site's networks, checked against the platform's ranges, the organization's and the VPN's plant subnets, and the organization's other sites (D4). */
function clientNetworks(ctx: AppContext, access: OrgAccess, vpnId: string, body: z.output<typeof OrgVpnClientCreateRequest>): string[] {
  const texts = body.networks ?? [];
  if (body.kind === 'device') {
    if (texts.length > 0) throw new ApiError(400, 'invalid', 'networks: a device announces no networks; add a site for an office or control-room router', { field: 'networks' });
    return [];
  }
  if (texts.length === 0) throw new ApiError(400, 'invalid', 'networks: a site announces at least one network (CIDR) behind its router', { field: 'networks' });
  const model = access.model;
  const taken: NamedRange[] = [
    { prefix: ctx.addressing.tunnelRange, owner: "plantgate's reserved tunnel range" },
    { prefix: ctx.addressing.mappedSpace, owner: "plantgate's mapped space" },
  ];
  const plants = new Set<PlantId>(model.plantsOf(access.org.id));
  for (const id of model.orgVpns.get(vpnId as OrgVpnId)?.plantIds ?? []) plants.add(id);
  for (const plantId of plants) {
    for (const s of model.subnetsOf(plantId)) taken.push({ prefix: s.prefix, owner: `plant subnet of "${plantName(model, plantId)}"` });
  }
  taken.push(...orgVpnSiteNetworks(model, access.org.id));
  const result = validateSiteNetworks(texts, taken);
  if (!result.ok) {
    const first = result.problems[0] as { field: string; message: string; conflict: boolean };
    throw new ApiError(first.conflict ? 409 : 400, first.conflict ? 'subnet-overlap' : 'invalid', first.message, {
      field: first.field,
      problems: result.problems.map((p) => ({ field: p.field, message: p.message })),
    });
  }
  return result.networks.map(formatCidr);
}

function setPlants(model: FleetModel, vpnId: string, plantIds: string[]) {
  const vpn = model.orgVpns.get(vpnId as OrgVpnId);
  return vpn ? model.putOrgVpn({ ...vpn, plantIds: plantIds as PlantId[] }) : new Set<never>();
}

function plantName(model: FleetModel, plantId: PlantId): string {
  return model.plants.get(plantId)?.name ?? plantId;
}

function plantNames(model: FleetModel, plantIds: string[]): string[] {
  return plantIds.map((id) => plantName(model, id as PlantId));
}

function event(access: OrgAccess, kind: NewEvent['kind'], details: Record<string, unknown>): NewEvent {
  return { kind, actorUserId: access.caller.userId, subjectUserId: null, details, orgId: access.org.id };
}
