import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { RegionInfo } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError } from '../../http/errors.ts';
import { type RegionHealthInfo, healthOfRegions } from './health.ts';
import { type RegionRow, deleteRegion, gatewaysOfRegion, insertRegion, listRegionRows, regionIdByName, setRegionDrained } from './store.ts';
import { orgVpnsInRegion } from '../org-vpn/store.ts';

type Region = z.infer<typeof RegionInfo>;

export async function listRegions(ctx: AppContext): Promise<Region[]> {
  const [rows, health] = await Promise.all([listRegionRows(ctx.store.db), healthOfRegions(ctx)]);
  return rows.map((r) => regionInfo(r, health.get(r.name)));
}

/**
 * Drain (or put back) a region: the service name stops (starts) answering with it at the
 * responders' next read (≤ 1 s). Gateways keep running; sessions already up stay up.
 * Idempotent: draining a drained region keeps its first drain time.
 */
export async function setDrained(ctx: AppContext, actorUserId: string, name: string, drained: boolean): Promise<Region> {
  const now = ctx.now().toISOString();
  const current = (await listRegionRows(ctx.store.db)).find((r) => r.name === name);
  if (!current) throw notFound('name', `no region "${name}"`);
  if ((current.drained_at !== null) !== drained) {
    await ctx.fleet.write(
      async (trx) => {
        if (!(await setRegionDrained(trx, name, drained ? now : null))) throw notFound('name', `no region "${name}"`);
        await recordEvents(trx, now, [{ kind: drained ? 'region.drained' : 'region.undrained', actorUserId, subjectUserId: null, details: { name } }]);
      },
      () => [],
    );
  }
  const regions = await listRegions(ctx);
  const region = regions.find((r) => r.name === name);
  if (!region) throw notFound('name', `no region "${name}"`);
  return region;
}

/** For external GSLB / load-balancer checks: 200 while healthy and not drained, else 503 naming why. */
export async function regionHealthCheck(ctx: AppContext, name: string): Promise<RegionHealthInfo> {
  const health = (await healthOfRegions(ctx)).get(name);
  if (!health) throw notFound('name', `no region "${name}"`);
  if (health.drained) throw new ApiError(503, 'region-drained', `region "${name}" is drained by an operator`);
  if (!health.healthy) throw new ApiError(503, 'region-unhealthy', `region "${name}": none of its ${health.gateways} gateway(s) reported within the status window`);
  return health;
}

/** A region: where users' clients dial in. Names are unique. */
export async function addRegion(ctx: AppContext, actorUserId: string, input: { name: string; endpoint: string }): Promise<Region> {
  const exists = await regionIdByName(ctx.store.db, input.name);
  if (exists) throw conflict('exists', `name: a region "${input.name}" exists already`, 'name');
  const row: RegionRow = { id: randomUUID(), name: input.name, endpoint: input.endpoint, created_at: ctx.now().toISOString(), drained_at: null };
  await ctx.fleet.write(
    async (trx) => {
      await insertRegion(trx, row);
      await recordEvents(trx, row.created_at, [{ kind: 'region.added', actorUserId, subjectUserId: null, details: { name: input.name, endpoint: input.endpoint } }]);
    },
    () => [],
  );
  return regionInfo(row, undefined);
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

function regionInfo(r: RegionRow, health: RegionHealthInfo | undefined): Region {
  return {
    id: r.id,
    name: r.name,
    endpoint: r.endpoint,
    createdAt: r.created_at,
    drainedAt: r.drained_at,
    healthy: health?.healthy ?? false,
    liveGateways: health?.liveGateways ?? 0,
    gateways: health?.gateways ?? 0,
  };
}
