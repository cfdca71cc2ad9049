import type { FleetModel } from '../../core/fleet-model.ts';
import type { UserId } from '../../core/model.ts';
import { formatCidr } from '../../core/net/ipv4.ts';
import { type EffectiveRoute, conflictPartners, effectiveRoutes } from '../../core/routes/effective.ts';
import type { RouteView } from '../../core/wire/api.ts';

/** The route overview of SPEC P6 in the JSON shape users and scripts rely on. */
export function routeViews(model: FleetModel, userId: UserId, routes: EffectiveRoute[] = effectiveRoutes(model, userId)): RouteView[] {
  const partners = conflictPartners(routes);
  const views = routes.map((route): RouteView => {
    const plant = model.plants.get(route.plantId);
    return {
      plant: plant?.name ?? route.plantId,
      plantId: route.plantId,
      organization: plant ? (model.organizations.get(plant.orgId)?.name ?? '') : '',
      via: route.via,
      subnet: formatCidr(route.prefix),
      mapped: formatCidr(route.mapped),
      native: route.native,
      state: route.state,
      conflictsWith: (partners.get(route.subnetId) ?? []).map((other) => ({
        plant: model.plants.get(other.plantId)?.name ?? other.plantId,
        subnet: formatCidr(other.prefix),
      })),
    };
  });
  return views.sort((a, b) => a.organization.localeCompare(b.organization) || a.plant.localeCompare(b.plant) || a.subnet.localeCompare(b.subnet));
}

/** Route set as comparable keys, for "did this change move routes" (SPEC A4). */
export function routeKeys(model: FleetModel, userId: UserId): Set<string> {
  const out = new Set<string>();
  for (const r of effectiveRoutes(model, userId)) {
    const plant = model.plants.get(r.plantId);
    out.add(`${plant ? model.organizations.get(plant.orgId)?.name : ''}/${plant?.name ?? r.plantId} ${formatCidr(r.prefix)}`);
  }
  return out;
}
