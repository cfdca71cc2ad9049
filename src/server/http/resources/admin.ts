import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { UserId } from '../../../core/model.ts';
import { explainAccess } from '../../../core/routes/access.ts';
import { FleetFileSchema } from '../../../core/fleet-file/schema.ts';
import { AdminRouteReport, EventInfo, FleetApplyRequest, FleetApplyResponse, RegionCreateRequest, RegionInfo } from '../../../core/wire/api.ts';
import { RegionRemoveQuery } from '../../../core/wire/platform.ts';
import { applyFleetRequest } from '../../admin/apply-fleet-request.ts';
import { recordEvents } from '../../events.ts';
import { exportFleetFile } from '../../fleet/export-fleet.ts';
import { routeViews } from '../../vpn/routes-view.ts';
import { conflict, notFound } from '../errors.ts';
import { type RouteDef, route } from '../registry.ts';

export const adminRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/admin/fleet',
    summary: 'Apply a fleet file (idempotent, one transaction); removes what it lacks only with `prune` or `complete: true`',
    tag: 'admin',
    auth: 'operator',
    body: FleetApplyRequest,
    response: FleetApplyResponse,
    // A 10,000-user fleet file is a few MiB of JSON; nothing else needs more than the default.
    maxBody: 64 * 1024 * 1024,
    handler: ({ ctx, caller, body }) => applyFleetRequest(ctx, caller.userId, body.document, { dryRun: body.dryRun, prune: body.prune, force: body.force }),
  }),
  route({
    method: 'get',
    path: '/admin/fleet',
    summary: 'The stored fleet as a fleet file that applies as "no changes" (users without passwords)',
    tag: 'admin',
    auth: 'operator',
    response: FleetFileSchema,
    handler: ({ ctx }) => exportFleetFile(ctx.store.db),
  }),
  route({
    method: 'get',
    path: '/admin/regions',
    summary: 'List regions',
    tag: 'admin',
    auth: 'operator',
    response: z.array(RegionInfo),
    handler: async ({ ctx }) => {
      const rows = await ctx.store.db.selectFrom('regions').selectAll().orderBy('name').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, endpoint: r.endpoint, createdAt: r.created_at }));
    },
  }),
  route({
    method: 'post',
    path: '/admin/regions',
    summary: 'Add a region: where users\u2019 clients dial in',
    tag: 'admin',
    auth: 'operator',
    body: RegionCreateRequest,
    response: RegionInfo,
    status: 201,
    handler: async ({ ctx, caller, body }) => {
      const exists = await ctx.store.db.selectFrom('regions').select('id').where('name', '=', body.name).executeTakeFirst();
      if (exists) throw conflict('exists', `name: a region "${body.name}" exists already`, 'name');
      const row = { id: randomUUID(), name: body.name, endpoint: body.endpoint, created_at: ctx.now().toISOString() };
      await ctx.fleet.write(
        async (trx) => {
          await trx.insertInto('regions').values(row).execute();
          await recordEvents(trx, row.created_at, [{ kind: 'region.added', actorUserId: caller.userId, subjectUserId: null, details: { name: body.name, endpoint: body.endpoint } }]);
        },
        () => [],
      );
      return { id: row.id, name: row.name, endpoint: row.endpoint, createdAt: row.created_at };
    },
  }),
  route({
    method: 'delete',
    path: '/admin/regions/:name',
    summary: 'Remove a region; refused while gateways are enrolled in it unless `force=true` (they are removed too)',
    tag: 'admin',
    auth: 'operator',
    query: RegionRemoveQuery,
    status: 204,
    handler: async ({ ctx, caller, params, query }) => {
      const name = params.name as string;
      await ctx.fleet.write(
        async (trx) => {
          const region = await trx.selectFrom('regions').select('id').where('name', '=', name).executeTakeFirst();
          if (!region) throw notFound('name', `no region "${name}"`);
          const gateways = await trx.selectFrom('daemons').select(['id', 'kind', 'name']).where('region_id', '=', region.id).orderBy('name').execute();
          if (gateways.length > 0 && query.force !== 'true') {
            const named = gateways.map((g) => `${g.name} (${g.id})`).join(', ');
            throw conflict('daemons-enrolled', `name: region "${name}" has enrolled gateways: ${named}; remove them first (plantgate admin gateway remove ID) or use --force`, 'name');
          }
          await trx.deleteFrom('regions').where('id', '=', region.id).execute();
          const now = ctx.now().toISOString();
          await recordEvents(trx, now, [
            { kind: 'region.removed', actorUserId: caller.userId, subjectUserId: null, details: { name, gatewaysRemoved: gateways.map((g) => g.name) } },
            ...gateways.map((g) => ({
              kind: 'daemon.removed' as const,
              actorUserId: caller.userId,
              subjectUserId: null,
              details: { kind: g.kind, id: g.id, name: g.name, region: name, cause: 'its region was removed (--force)' },
            })),
          ]);
        },
        () => ({ gateways: true }),
      );
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/admin/routes',
    summary: 'Any user\u2019s route overview, with the rule that granted or denied each related plant',
    tag: 'admin',
    auth: 'operator',
    query: z.object({ user: z.string().trim().min(1, 'is required (an email)').max(320, 'must be at most 320 characters') }),
    response: AdminRouteReport,
    handler: async ({ ctx, query }) => {
      const model = await ctx.fleet.current();
      const email = query.user.toLowerCase();
      const user = [...model.users.values()].find((u) => u.email === email);
      if (!user) throw notFound('user', `no user ${query.user}`);
      const plants = explainAccess(model, user.id as UserId).map((a) => {
        const plant = model.plants.get(a.plantId);
        return {
          plant: plant?.name ?? a.plantId,
          plantId: a.plantId,
          organization: plant ? (model.organizations.get(plant.orgId)?.name ?? '') : '',
          granted: a.granted,
          via: a.via,
          rule: a.rule,
          rules: a.rules,
        };
      });
      plants.sort((a, b) => a.organization.localeCompare(b.organization) || a.plant.localeCompare(b.plant));
      return { user: { id: user.id, email: user.email, name: user.name }, routes: routeViews(model, user.id as UserId), plants };
    },
  }),
  route({
    method: 'get',
    path: '/admin/events',
    summary: 'Events: profiles issued/rotated/revoked, permission changes that moved routes, fleet applies (SPEC A4)',
    tag: 'admin',
    auth: 'operator',
    query: z.object({
      user: z.string().max(320, 'must be at most 320 characters').optional(),
      kind: z.string().max(100, 'must be at most 100 characters').optional(),
      limit: z.coerce.number().int().min(1, 'must be at least 1').max(10000, 'must be at most 10000').default(200),
    }),
    response: z.array(EventInfo),
    handler: async ({ ctx, query }) => {
      let q = ctx.store.db
        .selectFrom('events')
        .leftJoin('users as actor', 'actor.id', 'events.actor_user_id')
        .leftJoin('users as subject', 'subject.id', 'events.subject_user_id')
        .select(['events.id', 'events.at', 'events.kind', 'events.details', 'actor.email as actor', 'subject.email as subject'])
        .orderBy('events.id', 'desc')
        .limit(query.limit);
      if (query.kind) q = q.where('events.kind', '=', query.kind);
      if (query.user) q = q.where('subject.email', '=', query.user.toLowerCase());
      const rows = await q.execute();
      return rows.map((r) => ({ id: Number(r.id), at: r.at, kind: r.kind, actor: r.actor ?? null, subject: r.subject ?? null, details: JSON.parse(r.details) }));
    },
  }),
];
