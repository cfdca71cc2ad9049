import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { RegionInfo } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { recordEvents } from '../events/store.ts';
import { type RegionRow, deleteRegion, gatewaysOfRegion, insertRegion, listRegionRows, regionIdByName } from './store.ts';
import { orgVpnsInRegion } from '../org-vpn/store.ts';

type Region = z.infer<typeof RegionInfo>;

export async function listRegions(ctx: AppContext): Promise<Region[]> {
  return (await listRegionRows(ctx.store.db)).map(regionInfo);
}

/** A region: where users' clients dial in. Names are unique. */
export async function addRegion(ctx: AppContext, actorUserId: string, input: { name: string; endpoint: string }): Promise<Region> {
  const exists = await regionIdByName(ctx.store.db, input.name);
  if (exists) throw conflict('exists', `name: a region "${input.name}" exists already`, 'name');
  const row: RegionRow = { id: randomUUID(), name: input.name, endpoint: input.endpoint, created_at: ctx.now().toISOString() };
  await ctx.fleet.write(
    async (trx) => {
      await insertRegion(trx, row);
      await recordEvents(trx, row.created_at, [{ kind: 'region.added', actorUserId, subjectUserId: null, details: { name: input.name, endpoint: input.endpoint } }]);
    },
    () => [],
  );
  return regionInfo(row);
}

/** Refused while gateways are enrolled in the region unless forced; then they go too, each with its event. */
export async function removeRegion(ctx: AppContext, actorUserId: string, name: string, force: boolean): Promise<void> {
  await ctx.fleet.write(
    async (trx) => {
      const region = await regionIdByName(trx, name);
      if (!region) throw notFound('name', `no region "${name}"`);
      // Organizations' VPNs are theirs to delete: a region holding some is never removed, not even with --force.
      const vpns = await orgVpnsInRegion(trx, region.id);
      if (vpns.length > 0) {
        throw conflict('org-vpns-in-region', `name: region "${name}" has organization VPNs: ${vpns.join(', ')}; their organizations must delete them first (plantgate org-vpn delete)`, 'name');
      }
      const gateways = await gatewaysOfRegion(trx, region.id);
      if (gateways.length > 0 && !force) {
        const named = gateways.map((g) => `${g.name} (${g.id})`).join(', ');
        throw conflict('daemons-enrolled', `name: region "${name}" has enrolled gateways: ${named}; remove them first (plantgate admin gateway remove ID) or use --force`, 'name');
      }
      await deleteRegion(trx, region.id);
      const now = ctx.now().toISOString();
      await recordEvents(trx, now, [
        { kind: 'region.removed', actorUserId, subjectUserId: null, details: { name, gatewaysRemoved: gateways.map((g) => g.name) } },
        ...gateways.map((g) => ({
          kind: 'daemon.removed' as const,
          actorUserId,
          subjectUserId: null,
          details: { kind: g.kind, id: g.id, name: g.name, region: name, cause: 'its region was removed (--force)' },
        })),
      ]);
    },
    () => ({ gateways: true }),
  );
}

function regionInfo(r: RegionRow): Region {
  return { id: r.id, name: r.name, endpoint: r.endpoint, createdAt: r.created_at };
}
