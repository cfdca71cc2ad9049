import type { FleetModel } from '../../../core/fleet-model.ts';
import type { UserId } from '../../../core/model.ts';
import { formatCidr } from '../../../core/net/ipv4.ts';
import { type EffectiveRoute, conflictPartners, effectiveRoutes } from '../../../core/routes/effective.ts';
import type { RouteView } from '../../../core/wire/api.ts';
import { type DevicesByPlant, devicesInRoute } from './route-devices.ts';

/**
 * The route overview of SPEC P6 in the JSON shape users and scripts rely on; with
 * `devices`, each route lists the plant's devices in its subnet and their mapped addresses.
 */
export function routeViews(model: FleetModel, userId: UserId, devices?: DevicesByPlant, routes: EffectiveRoute[] = effectiveRoutes(model, userId)): RouteView[] {
  const partners = conflictPartners(routes);
  const names = new PlantNames(model);
  const views = routes.map((route): RouteView => {
    const partnersOf = partners.get(route.subnetId);
    return {
      plant: names.plant(route.plantId),
      plantId: route.plantId,
      organization: names.organization(route.plantId),
      via: route.via,
      subnet: formatCidr(route.prefix),
      mapped: formatCidr(route.mapped),
      native: route.native,
      state: route.state,
      conflictsWith: partnersOf ? partnersOf.map((other) => ({ plant: names.plant(other.plantId), subnet: formatCidr(other.prefix) })) : [],
      ...(devices ? { devices: devicesInRoute(devices, route.plantId, route.prefix, route.mapped) } : {}),
    };
  });
  return views.sort((a, b) => compareText(a.organization, b.organization) || compareText(a.plant, b.plant) || compareText(a.subnet, b.subnet));
}

/**
 * The serialised route overview per user, valid for one revision of the fleet: the
 * overview changes only when the revision moves, and reading it is the hottest request.
 */
export class RouteViewCache {
  private revision = -1;
  /** Per user; the answer with devices (the web UI's) under a second key. */
  private readonly entries = new Map<string, string>();
  private readonly maxEntries: number;
  constructor(maxEntries = 50_000) {
    this.maxEntries = maxEntries;
  }
  json(model: FleetModel, revision: number, userId: UserId, devices?: DevicesByPlant): string {
    if (revision !== this.revision) {
      this.entries.clear();
      this.revision = revision;
    }
    const key = devices ? `${userId} devices` : userId;
    let text = this.entries.get(key);
    if (text === undefined) {
      text = JSON.stringify(routeViews(model, userId, devices));
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, text);
    }
    return text;
  }
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

/**
 * `a.localeCompare(b)` in the default locale, which is what `new Intl.Collator().compare`
 * is defined to be, with the collator made once; equal strings (most organizations in
 * one user's list) skip the collator.
 */
const collator = new Intl.Collator();
function compareText(a: string, b: string): number {
  return a === b ? 0 : collator.compare(a, b);
}

/** Plant and organization names by plant id, looked up once per plant within one call. */
class PlantNames {
  private readonly model: FleetModel;
  private readonly plants = new Map<string, { plant: string; organization: string }>();
  constructor(model: FleetModel) {
    this.model = model;
  }
  plant(plantId: string): string {
    return this.get(plantId).plant;
  }
  organization(plantId: string): string {
    return this.get(plantId).organization;
  }
  private get(plantId: string): { plant: string; organization: string } {
    let names = this.plants.get(plantId);
    if (!names) {
      const plant = this.model.plants.get(plantId as never);
      names = { plant: plant?.name ?? plantId, organization: plant ? (this.model.organizations.get(plant.orgId)?.name ?? '') : '' };
      this.plants.set(plantId, names);
    }
    return names;
  }
}
