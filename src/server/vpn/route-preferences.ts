import type { FleetModel } from '../../core/fleet-model.ts';
import type { SubnetId, UserId } from '../../core/model.ts';
import { formatCidr, overlaps, parseCidr } from '../../core/net/ipv4.ts';
import { type EffectiveRoute, effectiveRoutes } from '../../core/routes/effective.ts';
import type { RouteView } from '../../core/wire/api.ts';
import type { AppContext } from '../context.ts';
import { ApiError, badRequest, notFound } from '../http/errors.ts';
import { routeViews } from './routes-view.ts';

export type RouteChoice = 'priority' | 'disable' | 'enable';

/** SPEC P6: the user picks the priority of a conflict group, or switches a route off and on. */
export async function chooseRoute(ctx: AppContext, userId: string, selector: { plant: string; subnet: string }, choice: RouteChoice): Promise<RouteView[]> {
  const model = await ctx.fleet.current();
  const route = findRoute(model, userId as UserId, selector);
  const uid = userId as UserId;
  const { model: after } = await ctx.fleet.write(
    async (trx) => {
      if (choice === 'enable') {
        await trx.deleteFrom('route_prefs').where('user_id', '=', userId).where('subnet_id', '=', route.subnetId).execute();
        return { seq: 0, cleared: [] as SubnetId[] };
      }
      const top = await trx.selectFrom('route_prefs').select((eb) => eb.fn.max('seq').as('top')).executeTakeFirst();
      const seq = Number(top?.top ?? 0) + 1;
      // A new priority replaces the priorities it overlaps: one choice per conflict group.
      const cleared =
        choice === 'priority'
          ? effectiveRoutes(model, uid)
              .filter((r) => r.subnetId !== route.subnetId && overlaps(r.prefix, route.prefix) && model.preferencesOf(uid).get(r.subnetId)?.kind === 'priority')
              .map((r) => r.subnetId)
          : [];
      if (cleared.length > 0) await trx.deleteFrom('route_prefs').where('user_id', '=', userId).where('subnet_id', 'in', cleared).execute();
      const kind = choice === 'priority' ? 'priority' : 'disabled';
      await trx.deleteFrom('route_prefs').where('user_id', '=', userId).where('subnet_id', '=', route.subnetId).execute();
      await trx.insertInto('route_prefs').values({ user_id: userId, subnet_id: route.subnetId, kind, seq }).execute();
      return { seq, cleared };
    },
    (m, { seq, cleared }) => {
      for (const subnetId of cleared) m.clearPreference(uid, subnetId);
      if (choice === 'enable') return m.clearPreference(uid, route.subnetId);
      return m.setPreference({ userId: uid, subnetId: route.subnetId, kind: choice === 'priority' ? 'priority' : 'disabled', seq });
    },
  );
  return routeViews(after, uid);
}

/** `--plant` takes a plant's name, `Org/Plant` where names repeat, or its id; `--subnet` its native CIDR. */
export function findRoute(model: FleetModel, userId: UserId, selector: { plant: string; subnet: string }): EffectiveRoute {
  const parsed = parseCidr(selector.subnet);
  if (!parsed.ok) throw badRequest('subnet', parsed.message);
  const subnet = formatCidr(parsed.prefix);
  const routes = effectiveRoutes(model, userId);
  const label = (r: EffectiveRoute) => {
    const plant = model.plants.get(r.plantId);
    return `${plant ? model.organizations.get(plant.orgId)?.name : '?'}/${plant?.name ?? r.plantId}`;
  };
  const plantMatches = routes.filter((r) => {
    const plant = model.plants.get(r.plantId);
    return r.plantId === selector.plant || plant?.name === selector.plant || label(r) === selector.plant;
  });
  if (plantMatches.length === 0) throw notFound('plant', `you have no route to a plant "${selector.plant}"`);
  const plants = [...new Set(plantMatches.map((r) => r.plantId))];
  if (plants.length > 1) {
    const names = [...new Set(plantMatches.map(label))].sort();
    throw new ApiError(409, 'ambiguous', `plant: "${selector.plant}" names several plants: ${names.join(', ')}; use Org/Plant or the plant id`, { field: 'plant' });
  }
  const match = plantMatches.find((r) => formatCidr(r.prefix) === subnet);
  if (!match) {
    const known = plantMatches.map((r) => formatCidr(r.prefix)).join(', ');
    throw notFound('subnet', `plant "${selector.plant}" has no subnet ${subnet} among your routes (it has ${known})`);
  }
  return match;
}
