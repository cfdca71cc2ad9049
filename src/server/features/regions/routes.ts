import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RegionCreateRequest, RegionInfo } from '../../../core/wire/api.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { recordEvents } from '../events/store.ts';

export const regionRoutes: RouteDef[] = [
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
    query: z.object({ force: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false') }),
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
];
