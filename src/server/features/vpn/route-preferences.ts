import type { FleetModel } from '../../../core/fleet-model.ts';
import type { UserId } from '../../../core/model.ts';
import { formatCidr, parseCidr } from '../../../core/net/ipv4.ts';
import { type EffectiveRoute, effectiveRoutes } from '../../../core/routes/effective.ts';
import { type RouteChoice, routeChoiceChange } from '../../../core/routes/route-choice.ts';
import type { RouteView } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, notFound } from '../../http/errors.ts';
import { devicesByPlant } from './route-devices.ts';
import { routeViews } from './routes-view.ts';
import { replacePreferences, topPreferenceSeq } from './store.ts';

export type { RouteChoice };

/** SPEC P6: the user picks the priority of a conflict group, or switches a route off and on (keeping a priority it had). */
export async function chooseRoute(ctx: AppContext, userId: string, selector: { plant: string; subnet: string }, choice: RouteChoice): Promise<RouteView[]> {
  const uid = userId as UserId;
  const model = await ctx.fleet.current();
  const route = findRoute(model, uid, selector);
  const { model: after } = await ctx.fleet.write(
    async (trx) => {
      const seq = (await topPreferenceSeq(trx)) + 1;
      const change = routeChoiceChange({ userId: uid, route, choice, seq, preferences: model.preferencesOf(uid), routes: effectiveRoutes(model, uid) });
      const touched = [...change.clear, ...change.set.map((p) => p.subnetId)];
      await replacePreferences(trx, userId, touched, change.set);
      return change;
    },
    (m, change) => {
      const affected = new Set<UserId>();
      for (const subnetId of change.clear) for (const u of m.clearPreference(uid, subnetId)) affected.add(u);
      for (const preference of change.set) for (const u of m.setPreference(preference)) affected.add(u);
      return affected;
    },
  );
  return routeViews(after, uid, await devicesByPlant(ctx));
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
