import type { FleetModel } from '../fleet-model.ts';
import type { PlantId, RoutePreference, SubnetId, UserId } from '../model.ts';
import { type Ipv4Prefix, prefixEnd } from '../net/ipv4.ts';
import { grantedPlants, type Via } from './access.ts';

export type RouteState = 'active' | 'priority' | 'shadowed' | 'conflict' | 'disabled';

export type RouteCandidate = {
  plantId: PlantId;
  subnetId: SubnetId;
  via: Via;
  prefix: Ipv4Prefix;
  mapped: Ipv4Prefix;
};

export type EffectiveRoute = RouteCandidate & {
  state: RouteState;
  /** Native addresses on for this user: exactly `active` and `priority` (SPEC P5). */
  native: boolean;
};

/** Every plant subnet the user's permissions open, with its state (SPEC P4–P6), ordered by native prefix. */
export function effectiveRoutes(model: FleetModel, userId: UserId): EffectiveRoute[] {
  const candidates: RouteCandidate[] = [];
  for (const [plantId, via] of grantedPlants(model, userId)) {
    for (const subnet of model.subnetsOf(plantId)) {
      candidates.push({ plantId, subnetId: subnet.id, via, prefix: subnet.prefix, mapped: subnet.mapped });
    }
  }
  return resolveRouteStates(candidates, model.preferencesOf(userId));
}

/**
 * Decides native reachability inside the user's own route set:
 * - disabled routes take no part (neither native nor mapped);
 * - a route that overlaps no other enabled route is `active`;
 * - chosen priorities win their overlaps, the most recent choice first, and never
 *   overlap each other, so the native map of one user never holds two entries for one address;
 * - a route overlapping a priority is `shadowed`; one whose overlaps are all unresolved is `conflict`.
 */
export function resolveRouteStates(candidates: readonly RouteCandidate[], preferences: ReadonlyMap<SubnetId, RoutePreference>): EffectiveRoute[] {
  const ordered = [...candidates].sort(byPrefix);
  const enabled: RouteCandidate[] = [];
  const disabled = new Set<SubnetId>();
  for (const route of ordered) {
    if (preferences.get(route.subnetId)?.kind === 'disabled') disabled.add(route.subnetId);
    else enabled.push(route);
  }
  const overlapping = markOverlapping(enabled);
  const chosen = choosePriorities(enabled, overlapping, preferences);
  return ordered.map((route) => {
    if (disabled.has(route.subnetId)) return { ...route, state: 'disabled', native: false };
    if (!overlapping.has(route.subnetId)) return { ...route, state: 'active', native: true };
    if (chosen.some((p) => p.subnetId === route.subnetId)) return { ...route, state: 'priority', native: true };
    if (overlapsAnyOf(route.prefix, chosen)) return { ...route, state: 'shadowed', native: false };
    return { ...route, state: 'conflict', native: false };
  });
}

/** The other routes each enabled route overlaps (for display; O(n·k) in the overlap count). */
export function conflictPartners(routes: readonly EffectiveRoute[]): Map<SubnetId, EffectiveRoute[]> {
  const enabled = routes.filter((r) => r.state !== 'disabled').sort(byPrefix);
  const partners = new Map<SubnetId, EffectiveRoute[]>();
  for (let i = 0; i < enabled.length; i++) {
    const a = enabled[i] as EffectiveRoute;
    const aEnd = prefixEnd(a.prefix);
    for (let j = i + 1; j < enabled.length; j++) {
      const b = enabled[j] as EffectiveRoute;
      if (b.prefix.start > aEnd) break;
      push(partners, a.subnetId, b);
      push(partners, b.subnetId, a);
    }
  }
  return partners;
}

function byPrefix(a: RouteCandidate, b: RouteCandidate): number {
  return a.prefix.start - b.prefix.start || a.prefix.length - b.prefix.length || (a.subnetId < b.subnetId ? -1 : a.subnetId > b.subnetId ? 1 : 0);
}

/** Sweep over routes sorted by start: a route overlaps another iff it starts before the running maximum end. */
function markOverlapping(sorted: readonly RouteCandidate[]): Set<SubnetId> {
  const out = new Set<SubnetId>();
  let maxEnd = -1;
  let maxEndOwner: RouteCandidate | null = null;
  for (const route of sorted) {
    const end = prefixEnd(route.prefix);
    if (maxEndOwner && route.prefix.start <= maxEnd) {
      out.add(route.subnetId);
      out.add(maxEndOwner.subnetId);
    }
    if (end > maxEnd) {
      maxEnd = end;
      maxEndOwner = route;
    }
  }
  return out;
}

function choosePriorities(
  enabled: readonly RouteCandidate[],
  overlapping: ReadonlySet<SubnetId>,
  preferences: ReadonlyMap<SubnetId, RoutePreference>,
): RouteCandidate[] {
  const wanted: Array<{ route: RouteCandidate; seq: number }> = [];
  for (const route of enabled) {
    const pref = preferences.get(route.subnetId);
    if (pref?.kind === 'priority' && overlapping.has(route.subnetId)) wanted.push({ route, seq: pref.seq });
  }
  wanted.sort((a, b) => b.seq - a.seq);
  const chosen: RouteCandidate[] = [];
  for (const { route } of wanted) if (!overlapsAnyOf(route.prefix, chosen)) chosen.push(route);
  return chosen;
}

function overlapsAnyOf(prefix: Ipv4Prefix, routes: readonly RouteCandidate[]): boolean {
  const end = prefixEnd(prefix);
  for (const r of routes) if (r.prefix.start <= end && prefix.start <= prefixEnd(r.prefix)) return true;
  return false;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
