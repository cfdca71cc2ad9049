import { z } from 'zod';
import type { PlantId } from '../../../core/model.ts';
import {
  AgentDesiredState,
  AgentRegistration,
  CONNECTED_WITHIN_SECONDS,
  DaemonInfo,
  DaemonStatusReport,
  EnrolRequest,
  EnrolResponse,
  EnrolmentCreateAgent,
  EnrolmentCreateGateway,
  EnrolmentCreated,
  GatewayRegistration,
  GatewaySecrets,
  PeerStatus,
  STATUS_LIMITS,
} from '../../../core/wire/daemon.ts';
import { GatewayStateMessage } from '../../../core/wire/gateway-delta.ts';
import { GatewayDesiredState } from '../../../core/wire/gateway-state.ts';
import type { AppContext } from '../../context.ts';
import { createEnrolment, redeemEnrolment } from '../../daemons/enrolment.ts';
import { recordEvents } from '../../events.ts';
import { claimWireGuardKey, releaseDaemonKeys } from '../../vpn/key-registry.ts';
import { notFound } from '../errors.ts';
import { JsonText, type RouteDef, route } from '../registry.ts';

const LongPoll = z.object({
  after: z.coerce.number().int().min(-1).optional(),
  wait: z.coerce.number().int().min(0).max(60, 'must be at most 60 seconds').default(25),
});

const GatewayLongPoll = LongPoll.extend({
  /** `1`: answer a GatewayStateMessage (a delta when `after` is recent enough); without it, the bare document (daemons before issue 6). */
  delta: z.enum(['0', '1']).default('0'),
});

export const daemonRoutes: RouteDef[] = [
  // ---- operators: enrol, list, remove ---------------------------------------
  route({
    method: 'post',
    path: '/admin/gateways/enrolments',
    summary: 'Create a show-once, single-use enrolment token for a gateway of a region',
    tag: 'daemons',
    auth: 'operator',
    body: EnrolmentCreateGateway,
    response: EnrolmentCreated,
    status: 201,
    handler: ({ ctx, caller, body }) => createEnrolment(ctx, caller.userId, { kind: 'gateway', region: body.region }, body.expiresInMinutes),
  }),
  route({
    method: 'post',
    path: '/admin/agents/enrolments',
    summary: 'Create a show-once, single-use enrolment token for the agent of a plant',
    tag: 'daemons',
    auth: 'operator',
    body: EnrolmentCreateAgent,
    response: EnrolmentCreated,
    status: 201,
    handler: ({ ctx, caller, body }) => createEnrolment(ctx, caller.userId, { kind: 'agent', plant: body.plant }, body.expiresInMinutes),
  }),
  ...(['gateway', 'agent'] as const).flatMap((kind) => [
    route({
      method: 'get',
      path: `/admin/${kind}s`,
      summary: `List ${kind}s with their last status report`,
      tag: 'daemons',
      auth: 'operator',
      response: z.array(DaemonInfo),
      handler: ({ ctx }) => listDaemons(ctx, kind),
    }),
    route({
      method: 'delete',
      path: `/admin/${kind}s/:id`,
      summary: `Remove a ${kind}: its credential stops working at once`,
      tag: 'daemons',
      auth: 'operator',
      status: 204,
      handler: async ({ ctx, caller, params }) => {
        const id = params.id as string;
        await ctx.fleet.write(
          async (trx) => {
            const row = await trx.selectFrom('daemons').select(['id', 'name', 'plant_id']).where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
            if (!row) throw notFound('id', `no ${kind} ${id}`);
            await trx.deleteFrom('daemons').where('id', '=', id).execute();
            ctx.daemonStatus.forget(id);
            await recordEvents(trx, ctx.now().toISOString(), [{ kind: 'daemon.removed', actorUserId: caller.userId, subjectUserId: null, details: { kind, id, name: row.name } }]);
            return row.plant_id;
          },
          (model, plantId) => {
            if (plantId) model.setAgent(plantId as PlantId, null);
            return { plants: plantId ? [plantId as PlantId] : [], gateways: kind === 'gateway' };
          },
        );
        return undefined;
      },
    }),
  ]),
  route({
    method: 'get',
    path: '/admin/regions/:name/state',
    summary: 'The desired state a region\u2019s gateways receive (for inspection)',
    tag: 'daemons',
    auth: 'operator',
    response: GatewayDesiredState,
    handler: async ({ ctx, params }) => {
      await ctx.fleet.current();
      const names = await regionNames(ctx);
      if (![...names.values()].includes(params.name as string)) throw notFound('name', `no region "${params.name}"`);
      return new JsonText(ctx.fleet.documentJson(params.name as string, null));
    },
  }),

  // ---- daemons ----------------------------------------------------------------
  route({
    method: 'post',
    path: '/enrol',
    summary: 'A gateway or agent trades its enrolment token for a credential of its own (shown once)',
    tag: 'daemons',
    auth: 'none',
    body: EnrolRequest,
    response: EnrolResponse,
    status: 201,
    handler: ({ ctx, body }) => redeemEnrolment(ctx, body.token, body.name),
  }),
  route({
    method: 'post',
    path: '/gateways/:id/register',
    summary: 'A gateway announces its site key and where agents dial it (at every start)',
    tag: 'daemons',
    auth: 'gateway',
    body: GatewayRegistration,
    response: z.object({ siteTunnelIp: z.string() }),
    handler: async ({ ctx, daemon, body }) => {
      const gw = daemon as NonNullable<typeof daemon>;
      if (gw.public_key !== body.sitePublicKey || gw.endpoint !== body.siteEndpoint) {
        await ctx.fleet.write(
          async (trx) => {
            const now = ctx.now().toISOString();
            await claimWireGuardKey(trx, body.sitePublicKey, { owner: 'gateway', daemonId: gw.id }, { field: 'sitePublicKey', servicePublicKey: ctx.servicePublicKey, now });
            await releaseDaemonKeys(trx, gw.id, body.sitePublicKey);
            await trx.updateTable('daemons').set({ public_key: body.sitePublicKey, endpoint: body.siteEndpoint, last_seen_at: ctx.now().toISOString() }).where('id', '=', gw.id).execute();
            await recordEvents(trx, ctx.now().toISOString(), [{ kind: 'daemon.registered', actorUserId: null, subjectUserId: null, details: { kind: 'gateway', id: gw.id, publicKey: body.sitePublicKey, endpoint: body.siteEndpoint } }]);
          },
          () => ({ gateways: true }),
        );
      }
      return { siteTunnelIp: gw.tunnel_ip };
    },
  }),
  route({
    method: 'get',
    path: '/gateways/:id/secrets',
    summary: 'The personal-VPN service key pair the gateway serves on its users interface',
    tag: 'daemons',
    auth: 'gateway',
    response: GatewaySecrets,
    handler: async ({ ctx }) => {
      const row = await ctx.store.db.selectFrom('meta').select('value').where('key', '=', 'service_private_key').executeTakeFirstOrThrow();
      return { servicePrivateKey: ctx.box.open(row.value, 'service_private_key'), servicePublicKey: ctx.servicePublicKey };
    },
  }),
  route({
    method: 'get',
    path: '/gateways/:id/state',
    summary:
      'The gateway\u2019s desired state; long-polls up to `wait` s while `after` is current. With `delta=1` a GatewayStateMessage: only what changed since `after`, or the full document when `after` is absent, unknown or older than the kept history',
    tag: 'daemons',
    auth: 'gateway',
    query: GatewayLongPoll,
    response: z.union([GatewayStateMessage, GatewayDesiredState]),
    handler: async ({ ctx, daemon, query }) => {
      const gw = daemon as NonNullable<typeof daemon>;
      if (query.after !== undefined) await ctx.fleet.waitForRevision(query.after, query.wait * 1000);
      const region = (await regionNames(ctx)).get(gw.region_id as string);
      if (region === undefined) throw notFound('region', 'this gateway\u2019s region was removed');
      const self = { id: gw.id, name: gw.name, siteTunnelIp: gw.tunnel_ip };
      const answer = await ctx.fleet.gatewayState(region, self, query.after, query.delta === '1' ? 'message' : 'document');
      return new JsonText(answer.json, answer.gzipped);
    },
  }),
  route({
    method: 'post',
    path: '/agents/:id/register',
    summary: 'An agent announces its WireGuard public key (at every start)',
    tag: 'daemons',
    auth: 'agent',
    body: AgentRegistration,
    response: z.object({ tunnelIp: z.string() }),
    handler: async ({ ctx, daemon, body }) => {
      const agent = daemon as NonNullable<typeof daemon>;
      if (agent.public_key !== body.publicKey) {
        await ctx.fleet.write(
          async (trx) => {
            const now = ctx.now().toISOString();
            await claimWireGuardKey(trx, body.publicKey, { owner: 'agent', daemonId: agent.id }, { field: 'publicKey', servicePublicKey: ctx.servicePublicKey, now });
            await releaseDaemonKeys(trx, agent.id, body.publicKey);
            await trx.updateTable('daemons').set({ public_key: body.publicKey, last_seen_at: ctx.now().toISOString() }).where('id', '=', agent.id).execute();
            await recordEvents(trx, ctx.now().toISOString(), [{ kind: 'daemon.registered', actorUserId: null, subjectUserId: null, details: { kind: 'agent', id: agent.id, publicKey: body.publicKey } }]);
          },
          (model) => {
            model.setAgent(agent.plant_id as PlantId, { publicKey: body.publicKey, tunnelIp: agent.tunnel_ip_num });
            return { plants: [agent.plant_id as PlantId] };
          },
        );
      }
      return { tunnelIp: agent.tunnel_ip };
    },
  }),
  route({
    method: 'get',
    path: '/agents/:id/state',
    summary: 'The agent\u2019s desired state: its translations and every gateway to keep a tunnel to',
    tag: 'daemons',
    auth: 'agent',
    query: LongPoll,
    response: AgentDesiredState,
    handler: async ({ ctx, daemon, query }) => {
      const agent = daemon as NonNullable<typeof daemon>;
      const plantId = agent.plant_id as PlantId;
      if (query.after !== undefined) await ctx.fleet.waitForAgentRevision(plantId, query.after, query.wait * 1000);
      const model = await ctx.fleet.current();
      const revision = ctx.fleet.agentRevision(plantId);
      const plant = model.plants.get(agent.plant_id as PlantId);
      const gateways = (await ctx.fleet.memo('gateways', () =>
        ctx.store.db
          .selectFrom('daemons')
          .innerJoin('regions', 'regions.id', 'daemons.region_id')
          .select(['daemons.id', 'daemons.name', 'regions.name as region', 'daemons.public_key', 'daemons.endpoint', 'daemons.tunnel_ip'])
          .where('daemons.kind', '=', 'gateway')
          .where('daemons.public_key', 'is not', null)
          .where('daemons.endpoint', 'is not', null)
          .orderBy('daemons.id')
          .execute(),
      )) as { id: string; name: string; region: string; public_key: string | null; endpoint: string | null; tunnel_ip: string }[];
      const site = plant ? ctx.fleet.siteOf(plant.id) : undefined;
      return {
        revision,
        agent: { id: agent.id, name: agent.name, plantId: agent.plant_id as string, plantName: plant?.name ?? '', tunnelIp: agent.tunnel_ip },
        translations: site?.translations ?? [],
        gateways: gateways.map((g) => ({ id: g.id, name: g.name, region: g.region, publicKey: g.public_key as string, endpoint: g.endpoint as string, siteTunnelIp: g.tunnel_ip })),
      };
    },
  }),
  ...(['gateway', 'agent'] as const).map((kind) =>
    route({
      method: 'post',
      path: `/${kind}s/:id/status`,
      summary: `A ${kind} reports what it applied and its peers (handshakes, bytes)`,
      tag: 'daemons',
      auth: kind,
      body: DaemonStatusReport,
      // The largest report within the schema's bounds (1,000 peers) is about 250 KiB of JSON.
      maxBody: 1024 * 1024,
      status: 204,
      handler: async ({ ctx, daemon, body }) => {
        // The report is bounded by its schema (issue 7 #9), so the stored row is too; older daemons send no totals.
        const now = Math.floor(ctx.now().getTime() / 1000);
        const stored = {
          ...body,
          peerCount: body.peerCount ?? body.peers.length,
          peersWithRecentHandshake: body.peersWithRecentHandshake ?? body.peers.filter((p) => p.latestHandshake > now - 180).length,
        };
        // Idle cost: kept in memory and written in batches, not one query per report.
        ctx.daemonStatus.record((daemon as NonNullable<typeof daemon>).id, JSON.stringify(stored), ctx.now().toISOString());
        return undefined;
      },
    }),
  ),
];

/** Region id → name, read once per revision (every region write bumps it). */
async function regionNames(ctx: AppContext): Promise<Map<string, string>> {
  const names = await ctx.fleet.memo('regions', async () => {
    const rows = await ctx.store.db.selectFrom('regions').select(['id', 'name']).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  });
  return names as Map<string, string>;
}

async function listDaemons(ctx: AppContext, kind: 'gateway' | 'agent') {
  const model = await ctx.fleet.current();
  const rows = await ctx.store.db
    .selectFrom('daemons')
    .leftJoin('regions', 'regions.id', 'daemons.region_id')
    .selectAll('daemons')
    .select('regions.name as region')
    .where('daemons.kind', '=', kind)
    .orderBy('daemons.enrolled_at')
    .execute();
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
