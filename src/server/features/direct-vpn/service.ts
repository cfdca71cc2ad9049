import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { parseOpenVpnConfig } from '../../../core/direct-vpn/openvpn-config.ts';
import { type ReviewResult, reviewOutgoingUpload } from '../../../core/direct-vpn/review.ts';
import { type StoredDirectVpnConfig, dialedEndpoints, splitOpenVpn, splitWireGuard } from '../../../core/direct-vpn/stored-model.ts';
import { parseWireGuardConfig } from '../../../core/direct-vpn/wireguard-config.ts';
import type { DirectVpnCreateRequest, DirectVpnCreated, DirectVpnViewWire } from '../../../core/wire/direct-vpn.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';
import { type PlantScope, plantScope } from './plant-scope.ts';
import { manualParseRefusal, outgoingSource } from './manual-source.ts';
import { wireGuardPublicKey } from '../../../crypto/wireguard-keys.ts';
import type { StoredHosted } from './hosted-model.ts';
import { createHostedDirectVpn } from './hosted-service.ts';
import { type DirectVpnRow, clientCounts, directVpnsOfPlant, insertDirectVpn } from './store.ts';
import { refuseNonIpv4, subnetContext, subnetRefusal, subnetsOf } from './subnet-rules.ts';
import { applyDirectVpnChange } from './subnet-change.ts';
import { viewsWithLive } from './live.ts';

/**
 * Direct plant VPNs, control plane (issue 9): list, show and create (outgoing, from an
 * uploaded config or endpoint and keys by hand: manual-source.ts). Edits, enable/disable and delete are in edit-service.ts. Every change
 * goes through the organization change path, so the VPN's subnets become plant subnets
 * (mapped prefixes, routes) exactly as an Admin adding them would.
 */
export async function listDirectVpns(ctx: AppContext, caller: Caller, plantRef: string): Promise<DirectVpnViewWire[]> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.view');
  const rows = await directVpnsOfPlant(ctx.store.db, scope.plant.id);
  const counts = await clientCounts(ctx.store.db, rows.filter((r) => r.direction === 'hosted').map((r) => r.id));
  return viewsWithLive(ctx, scope, rows, counts);
}

export async function showDirectVpn(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string): Promise<DirectVpnViewWire> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.view');
  const row = vpnOf(scope, await directVpnsOfPlant(ctx.store.db, scope.plant.id), vpnRef);
  const counts = row.direction === 'hosted' ? await clientCounts(ctx.store.db, [row.id]) : new Map<string, number>();
  const [view] = await viewsWithLive(ctx, scope, [row], counts);
  return view;
}

type CreateBody = z.output<typeof DirectVpnCreateRequest>;

export async function createDirectVpn(ctx: AppContext, caller: Caller, plantRef: string, body: CreateBody): Promise<z.input<typeof DirectVpnCreated>> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.manage');
  if (body.direction === 'hosted' && body.manual !== undefined) {
    throw badRequest('manual', 'only an outgoing direct VPN takes endpoint and keys; a hosted server gets its own from the platform');
  }
  // settings WireGuard does not have are refused, not silently dropped (bad input names its field)
  if (body.protocol === 'wireguard' && body.advanced !== undefined) {
    throw badRequest('advanced', 'data cipher, auth digest, compression and minimum TLS version are OpenVPN settings; WireGuard has none');
  }
  if (body.protocol === 'wireguard' && body.direction === 'outgoing' && body.credentials !== undefined) {
    throw badRequest('credentials', 'WireGuard takes no username and password (only an OpenVPN upload with auth-user-pass does)');
  }
  if (body.direction === 'hosted') {
    const existing = await directVpnsOfPlant(ctx.store.db, scope.plant.id);
    refuseDuplicateName(scope, existing, body.name);
    return createHostedDirectVpn(ctx, scope, existing, body, (row, count) => viewOf(scope, row, count));
  }
  if (body.listen !== undefined) throw badRequest('listen', 'only a hosted server listens; an outgoing direct VPN dials the endpoint of its upload');
  if (body.siteClientName !== undefined) throw badRequest('siteClientName', 'only a hosted server has site clients');
  if (body.protocol === 'wireguard' && body.transport === 'tcp') throw badRequest('transport', 'WireGuard runs over UDP only');
  const source = outgoingSource({ ...body, transport: body.transport ?? 'udp', subnetsRequired: true });
  const rows = await directVpnsOfPlant(ctx.store.db, scope.plant.id);
  refuseDuplicateName(scope, rows, body.name);
  const reviewed = reviewOutgoingUpload({
    protocol: body.protocol,
    configText: source.configText,
    subnets: body.subnets ?? null,
    advanced: body.advanced,
    context: subnetContext(ctx, scope, rows, null),
  });
  if (!reviewed.ok) throw reviewed.field === 'config' && source.rendered ? manualParseRefusal(source.rendered, reviewed.problems) : reviewRefusal(reviewed);
  const review = reviewed.review;
  // as edit does: credentials for an upload without auth-user-pass would be stored and never used
  if (body.credentials !== undefined && !review.needsCredentials) throw badRequest('credentials', 'the upload asks for no username and password (no auth-user-pass): leave credentials out');
  refuseNonIpv4(review.subnets);
  const stored = storedConfig(body, source.configText, review.crypto);
  // What the router needs to accept the agent: its public key (not on a dry run with a key not made yet).
  const agentPublicKey = stored.secrets && 'privateKey' in stored.secrets && !(body.dryRun && source.generatedKey) ? wireGuardPublicKey(stored.secrets.privateKey) : null;
  if (stored.stored.protocol === 'wireguard' && agentPublicKey !== null) {
    stored.stored.agentPublicKey = agentPublicKey;
    // A swapped key pair (the router's config uploaded as the agent's) would never handshake: say so now, not at diagnose.
    const own = stored.stored.model.peers.find((peer) => peer.publicKey === agentPublicKey);
    if (own) {
      throw badRequest(
        source.rendered ? 'manual.peerPublicKey' : 'config',
        `${source.rendered ? '' : `line ${own.line}: `}the peer's PublicKey is the agent's own key (the public half of the PrivateKey given); it must be the plant router's public key`,
      );
    }
  }
  const transport = transportOf(body, stored.stored);
  if (review.needsCredentials && body.credentials === undefined && !body.dryRun) {
    throw badRequest('credentials', 'the upload asks for a username and password (auth-user-pass): enter them as credentials.username and credentials.password');
  }
  if (body.dryRun) return { dryRun: true, review, vpn: null, agentPublicKey, changes: [], revision: ctx.fleet.currentRevision() };

  const now = ctx.now().toISOString();
  const id = randomUUID();
  const row = {
    id,
    plant_id: scope.plant.id,
    name: body.name,
    description: body.description,
    direction: 'outgoing' as const,
    protocol: body.protocol,
    transport,
    config: JSON.stringify(stored.stored),
    secrets: ctx.box.seal(JSON.stringify(stored.secrets), `direct-vpn:${id}`),
    subnets: JSON.stringify(review.subnets),
    enabled: 1,
    created_by: caller.userId,
    created_at: now,
    updated_at: now,
    listen_host: null,
    listen_port: null,
    tunnel_network: null,
  };
  const change = await applyDirectVpnChange(ctx, scope, {
    kind: 'direct-vpn.created',
    details: { directVpn: body.name, direction: 'outgoing', protocol: body.protocol, subnets: review.subnets, stripped: review.stripped, ignored: review.ignored },
    add: review.subnets,
    remove: [],
    devicesRemoved: [],
    write: async (trx) => {
      await insertDirectVpn(trx, row);
      return [`+ direct VPN ${body.name} of plant ${scope.plant.name} (outgoing ${body.protocol}): ${review.subnets.join(', ')}`];
    },
  });
  const { secrets: _sealed, ...publicRow } = row;
  return { dryRun: false, review, vpn: viewOf(scope, publicRow), agentPublicKey, ...change };
}

// ---- helpers ---------------------------------------------------------------------------

export function viewOf(scope: PlantScope, row: DirectVpnRow, clientCount = 0): DirectVpnViewWire {
  const stored = JSON.parse(row.config) as StoredDirectVpnConfig | StoredHosted;
  const hosted = row.direction === 'hosted' && row.listen_host !== null && row.listen_port !== null;
  return {
    id: row.id,
    plantId: row.plant_id,
    plant: scope.plant.name,
    name: row.name,
    description: row.description,
    direction: row.direction,
    protocol: row.protocol,
    transport: row.transport,
    endpoints: 'hosted' in stored ? [] : dialedEndpoints(stored),
    ...(row.direction === 'outgoing' && stored.protocol === 'wireguard' && !('hosted' in stored) ? { agentPublicKey: stored.agentPublicKey ?? null } : {}),
    subnets: subnetsOf(row),
    enabled: row.enabled === 1,
    needsCredentials: stored.needsCredentials,
    // an OpenVPN view always has the crypto object (null fields = openvpn's defaults), hosted or outgoing
    crypto: row.protocol === 'openvpn' ? (stored.crypto ?? { cipher: null, auth: null, compression: null, tlsMin: null }) : stored.crypto,
    listen: hosted ? { host: row.listen_host as string, port: row.listen_port as number } : null,
    ...(row.direction === 'hosted' ? { clientCount } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `:vpn` (an id or the exact name) among the plant's direct VPNs. */
export function vpnOf(scope: PlantScope, rows: DirectVpnRow[], ref: string): DirectVpnRow {
  const row = rows.find((r) => r.id === ref) ?? rows.find((r) => r.name === ref);
  if (!row) throw new ApiError(404, 'not-found', `vpn: plant ${scope.plant.name} has no direct VPN "${ref}"`, { field: 'vpn' });
  return row;
}

export function refuseDuplicateName(scope: PlantScope, rows: DirectVpnRow[], name: string, except: string | null = null): void {
  if (rows.some((r) => r.name === name && r.id !== except)) throw conflict('direct-vpn-exists', `name: plant ${scope.plant.name} has a direct VPN "${name}" already`, 'name');
}

/** A refused upload names the directive and its line (D5); a refused subnet the clashing range and its owner (D4). */
export function reviewRefusal(result: Exclude<ReviewResult, { ok: true }>): ApiError {
  if (result.field === 'subnets') return subnetRefusal(result.problems);
  const first = result.problems[0];
  const where = (p: { line: number; directive: string }) => (p.line > 0 ? `line ${p.line} (${p.directive})` : 'the file');
  return new ApiError(400, 'invalid-config', first ? `config: ${where(first)}: ${first.message}` : 'config: is not a valid upload', {
    field: 'config',
    problems: result.problems.map((p) => ({ field: 'config', message: p.message, line: p.line, directive: p.directive })),
  });
}

function storedConfig(body: CreateBody, text: string, crypto: StoredDirectVpnConfig['crypto']) {
  if (body.protocol === 'wireguard') {
    const parsed = parseWireGuardConfig(text);
    if (!parsed.ok) throw new Error('the reviewed WireGuard upload does not parse again');
    return splitWireGuard(parsed.config);
  }
  const parsed = parseOpenVpnConfig(text);
  if (!parsed.ok) throw new Error('the reviewed OpenVPN upload does not parse again');
  return splitOpenVpn(parsed.config, crypto, body.credentials ?? null);
}

/** WireGuard is UDP; OpenVPN dials its remotes with their own transport, and a chosen one must match them. */
function transportOf(body: CreateBody, stored: StoredDirectVpnConfig): 'udp' | 'tcp' {
  if (stored.protocol === 'wireguard') return 'udp';
  const remotes = stored.model.remotes;
  const chosen = body.transport ?? remotes[0]?.transport ?? 'udp';
  const other = remotes.find((r) => r.transport !== chosen);
  if (other) {
    const why = body.transport !== undefined ? `transport ${chosen} was chosen` : `the upload's first remote (line ${remotes[0]?.line}) uses ${chosen}`;
    throw badRequest('transport', `${why}, but the remote on line ${other.line} uses ${other.transport}: one direct VPN dials over one transport — keep the remotes of one transport in the upload`);
  }
  return chosen;
}

