import { agentDirectVpns } from '../direct-vpn/agent-document.ts';
import { agentDiscoveries } from '../discovery/service.ts';
import { directVpnPlantsMemo } from '../direct-vpn/live.ts';
import type { PlantId } from '../../../core/model.ts';
import { type AgentDesiredState, CONNECTED_WITHIN_SECONDS, type DaemonInfo, DaemonStatusReport, type GatewaySecrets, PeerStatus, STATUS_LIMITS } from '../../../core/wire/daemon.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../http/errors.ts';
import { JsonText } from '../../http/registry.ts';
import { recordEvents } from '../events/store.ts';
import { regionNamesById } from '../regions/store.ts';
import { claimWireGuardKey, releaseDaemonKeys } from '../vpn/key-registry.ts';
import {
  type DaemonRow,
  type ReachableGateway,
  daemonOfKind,
  daemonsWithRegion,
  deleteDaemon,
  reachableGateways,
  PROXY_COOKIE_KEY,
  sealedProxyCookieKey,
  sealedServicePrivateKey,
  setAgentKey,
  setAgentPublicAddress,
  setGatewaySite,
  touchDaemon,
} from './store.ts';

type DaemonKind = 'gateway' | 'agent';

// ---- operators ---------------------------------------------------------------------

/** Gateways or agents with their last status report (the buffered one when it is newer than the stored one). */
export async function listDaemons(ctx: AppContext, kind: DaemonKind): Promise<DaemonInfo[]> {
  const model = await ctx.fleet.current();
  const rows = await daemonsWithRegion(ctx.store.db, kind);
  const nowMs = ctx.now().getTime();
  return rows.map((r) => {
    const plant = r.plant_id ? model.plants.get(r.plant_id as PlantId) : undefined;
    const buffered = ctx.daemonStatus.latestOf(r.id);
    const status = buffered?.status ?? r.status;
    const lastSeenAt = buffered && (r.last_seen_at === null || buffered.seenAt > r.last_seen_at) ? buffered.seenAt : r.last_seen_at;
    return {
      kind,
      id: r.id,
      name: r.name,
      region: r.region ?? null,
      plant: plant ? `${model.organizations.get(plant.orgId)?.name}/${plant.name}` : null,
      publicKey: r.public_key,
      endpoint: r.endpoint,
      tunnelIp: r.tunnel_ip,
      enrolledAt: r.enrolled_at,
      lastSeenAt,
      status: status ? storedStatus(status) : null,
      connected: lastSeenAt !== null && nowMs - Date.parse(lastSeenAt) <= CONNECTED_WITHIN_SECONDS * 1000,
      desiredRevision: kind === 'gateway' ? ctx.fleet.currentRevision() : r.plant_id ? ctx.fleet.agentRevision(r.plant_id as PlantId) : undefined,
    };
  });
}

/** The daemon's credential stops working at once (the revision moves); an agent's plant loses its tunnel. */
export async function removeDaemon(ctx: AppContext, actorUserId: string, kind: DaemonKind, id: string): Promise<void> {
  await ctx.fleet.write(
    async (trx) => {
      const row = await daemonOfKind(trx, id, kind);
      if (!row) throw notFound('id', `no ${kind} ${id}`);
      await deleteDaemon(trx, id);
      ctx.daemonStatus.forget(id);
      await recordEvents(trx, ctx.now().toISOString(), [{ kind: 'daemon.removed', actorUserId, subjectUserId: null, details: { kind, id, name: row.name } }]);
      return row.plant_id;
    },
    (model, plantId) => {
      if (plantId) model.setAgent(plantId as PlantId, null);
      return { plants: plantId ? [plantId as PlantId] : [], gateways: kind === 'gateway' };
    },
  );
}

/** The desired state a region's gateways receive (for inspection). */
export async function regionState(ctx: AppContext, name: string): Promise<JsonText> {
  await ctx.fleet.current();
  const names = await regionNames(ctx);
  if (![...names.values()].includes(name)) throw notFound('name', `no region "${name}"`);
  return new JsonText(ctx.fleet.documentJson(name, null));
}

// ---- gateways ----------------------------------------------------------------------

/** A gateway's site key and endpoint; written only when they change (every start announces them). */
export async function registerGateway(ctx: AppContext, gw: DaemonRow, site: { sitePublicKey: string; siteEndpoint: string }): Promise<{ siteTunnelIp: string }> {
  if (gw.public_key !== site.sitePublicKey || gw.endpoint !== site.siteEndpoint) {
    await ctx.fleet.write(
      async (trx) => {
        const now = ctx.now().toISOString();
        await claimWireGuardKey(trx, site.sitePublicKey, { owner: 'gateway', daemonId: gw.id }, { field: 'sitePublicKey', servicePublicKey: ctx.servicePublicKey, now });
        await releaseDaemonKeys(trx, gw.id, site.sitePublicKey);
        await setGatewaySite(trx, gw.id, { publicKey: site.sitePublicKey, endpoint: site.siteEndpoint, seenAt: ctx.now().toISOString() });
        await recordEvents(trx, ctx.now().toISOString(), [
          { kind: 'daemon.registered', actorUserId: null, subjectUserId: null, details: { kind: 'gateway', id: gw.id, publicKey: site.sitePublicKey, endpoint: site.siteEndpoint } },
        ]);
      },
      () => ({ gateways: true }),
    );
  } else {
    // Issue 11: a restarted gateway's region is healthy for the service name's DNS at once, not at its first status report 10 s later.
    await touchDaemon(ctx.store.db, gw.id, ctx.now().toISOString());
  }
  return { siteTunnelIp: gw.tunnel_ip };
}

/** The personal-VPN service key pair the gateway serves on its users interface, and the browser proxy's cookie key while the proxy is on. */
export async function gatewaySecrets(ctx: AppContext): Promise<GatewaySecrets> {
  const sealed = await sealedServicePrivateKey(ctx.store.db);
  const secrets: GatewaySecrets = { servicePrivateKey: ctx.box.open(sealed, 'service_private_key'), servicePublicKey: ctx.servicePublicKey };
  const cookieKey = ctx.proxy ? await sealedProxyCookieKey(ctx.store.db) : undefined;
  if (cookieKey !== undefined) secrets.proxyCookieKey = ctx.box.open(cookieKey, PROXY_COOKIE_KEY);
  return secrets;
}

/** Long-polls while `after` is current, then the gateway's state: a delta message or the whole document. */
export async function gatewayState(ctx: AppContext, gw: DaemonRow, poll: { after?: number | undefined; wait: number; delta: '0' | '1' }): Promise<JsonText> {
  if (poll.after !== undefined) await ctx.fleet.waitForRevision(poll.after, poll.wait * 1000);
  const region = (await regionNames(ctx)).get(gw.region_id as string);
  if (region === undefined) throw notFound('region', 'this gateway\u2019s region was removed');
  const self = { id: gw.id, name: gw.name, siteTunnelIp: gw.tunnel_ip };
  const answer = await ctx.fleet.gatewayState(region, self, poll.after, poll.delta === '1' ? 'message' : 'document');
  return new JsonText(answer.json, answer.gzipped);
}

// ---- agents ------------------------------------------------------------------------

/**
 * An agent's WireGuard public key; written only when it changes. Its source address is kept
 * too (issue 9: where site and user clients dial its hosted direct VPNs by default).
 */
export async function registerAgent(ctx: AppContext, agent: DaemonRow, publicKey: string, address: string | null = null): Promise<{ tunnelIp: string }> {
  if (agent.public_key !== publicKey) {
    await ctx.fleet.write(
      async (trx) => {
        const now = ctx.now().toISOString();
        await claimWireGuardKey(trx, publicKey, { owner: 'agent', daemonId: agent.id }, { field: 'publicKey', servicePublicKey: ctx.servicePublicKey, now });
        await releaseDaemonKeys(trx, agent.id, publicKey);
        await setAgentKey(trx, agent.id, publicKey, ctx.now().toISOString());
        await recordEvents(trx, ctx.now().toISOString(), [{ kind: 'daemon.registered', actorUserId: null, subjectUserId: null, details: { kind: 'agent', id: agent.id, publicKey } }]);
      },
      (model) => {
        model.setAgent(agent.plant_id as PlantId, { publicKey, tunnelIp: agent.tunnel_ip_num });
        return { plants: [agent.plant_id as PlantId] };
      },
    );
  }
  // Not part of any daemon's document (hosted VPNs copy it at create): no revision moves.
  if (address !== null) await setAgentPublicAddress(ctx.store.db, agent.id, address);
  return { tunnelIp: agent.tunnel_ip };
}

/** Long-polls on the agent's own revision, then its translations and every gateway to keep a tunnel to. */
export async function agentState(ctx: AppContext, agent: DaemonRow, poll: { after?: number | undefined; wait: number }): Promise<AgentDesiredState> {
  const plantId = agent.plant_id as PlantId;
  if (poll.after !== undefined) await ctx.fleet.waitForAgentRevision(plantId, poll.after, poll.wait * 1000);
  const model = await ctx.fleet.current();
  const revision = ctx.fleet.agentRevision(plantId);
  const plant = model.plants.get(agent.plant_id as PlantId);
  const gateways = (await ctx.fleet.memo('gateways', () => reachableGateways(ctx.store.db))) as ReachableGateway[];
  const site = plant ? ctx.fleet.siteOf(plant.id) : undefined;
  return {
    revision,
    agent: { id: agent.id, name: agent.name, plantId: agent.plant_id as string, plantName: plant?.name ?? '', tunnelIp: agent.tunnel_ip },
    translations: site?.translations ?? [],
    gateways: gateways.map((g) => ({ id: g.id, name: g.name, region: g.region, publicKey: g.public_key as string, endpoint: g.endpoint as string, siteTunnelIp: g.tunnel_ip })),
    directVpns: plant ? await agentDirectVpns(ctx, plant.id) : [],
    discoveries: plant ? await agentDiscoveries(ctx, plant.id) : [],
  };
}

// ---- both --------------------------------------------------------------------------

/** Kept in memory and written in batches (idle cost: not one query per report). */
export async function recordStatus(ctx: AppContext, daemon: DaemonRow, report: DaemonStatusReport): Promise<void> {
  if (daemon.kind === 'agent' && report.directVpns && report.directVpns.length > 0) {
    // D7: an agent reports only its own plant's direct VPNs (the map is read once per revision)
    const plants = await directVpnPlantsMemo(ctx);
    const own = report.directVpns.filter((vpn) => plants.get(vpn.id) === daemon.plant_id);
    ctx.daemonStatus.directVpns.record(own, ctx.now().toISOString());
    // the agent's own row keeps the summary; logs, checks and clients live with each direct VPN
    report = { ...report, directVpns: report.directVpns.map(({ id, state, since, bytesIn, bytesOut }) => ({ id, state, since, bytesIn, bytesOut })) };
  }
  // The report is bounded by its schema (issue 7 #9), so the stored row is too; older daemons send no totals.
  const now = Math.floor(ctx.now().getTime() / 1000);
  const stored = {
    ...report,
    peerCount: report.peerCount ?? report.peers.length,
    peersWithRecentHandshake: report.peersWithRecentHandshake ?? report.peers.filter((p) => p.latestHandshake > now - 180).length,
  };
  ctx.daemonStatus.record(daemon.id, JSON.stringify(stored), ctx.now().toISOString(), daemon.kind === 'gateway' ? report.peers : undefined);
}

/** Region id → name, read once per revision (every region write bumps it). */
async function regionNames(ctx: AppContext): Promise<Map<string, string>> {
  const names = await ctx.fleet.memo('regions', () => regionNamesById(ctx.store.db));
  return names as Map<string, string>;
}

/** A report stored before the bounds existed is cut to them on the way out, so listings stay within the wire schema. */
function storedStatus(text: string): DaemonStatusReport {
  const report = JSON.parse(text) as DaemonStatusReport;
  if (DaemonStatusReport.safeParse(report).success) return report;
  const peers = Array.isArray(report.peers) ? report.peers : [];
  return {
    appliedRevision: Number.isSafeInteger(report.appliedRevision) ? report.appliedRevision : -1,
    version: String(report.version ?? '').slice(0, STATUS_LIMITS.version),
    peers: peers.filter((p) => PeerStatus.safeParse(p).success).slice(0, STATUS_LIMITS.peers),
    peerCount: Math.min(Number(report.peerCount ?? peers.length) || 0, STATUS_LIMITS.peerCount),
    peersWithRecentHandshake: Math.min(Number(report.peersWithRecentHandshake ?? 0) || 0, STATUS_LIMITS.peerCount),
    lastError: report.lastError == null ? null : String(report.lastError).slice(0, STATUS_LIMITS.lastError),
  };
}
