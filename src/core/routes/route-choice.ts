import type { RoutePreference, SubnetId, UserId } from '../model.ts';
import { type Ipv4Prefix, overlaps } from '../net/ipv4.ts';

export type RouteChoice = 'priority' | 'disable' | 'enable';

/** What one choice does to the user's stored preferences: rows to write and rows to delete. */
export type PreferenceChange = { set: RoutePreference[]; clear: SubnetId[] };

/**
 * SPEC P6, the user's choices on their own routes as a change of preferences:
 * - `priority` makes the route the priority of its conflict group and drops every other
 *   priority it overlaps, also one a disabled route keeps for later (one choice per group);
 *   on a disabled route it enables it;
 * - `disable` switches the route off and remembers a priority it had;
 * - `enable` switches it back on with that priority ("temporarily disable and re-enable"
 *   keeps the choice), and leaves an enabled route as it is.
 * `routes` are the user's routes (disabled ones included); `seq` orders choices, newest highest.
 */
export function routeChoiceChange(input: {
  userId: UserId;
  route: { subnetId: SubnetId; prefix: Ipv4Prefix };
  choice: RouteChoice;
  seq: number;
  preferences: ReadonlyMap<SubnetId, RoutePreference>;
  routes: ReadonlyArray<{ subnetId: SubnetId; prefix: Ipv4Prefix }>;
}): PreferenceChange {
  const { userId, route, choice, seq, preferences } = input;
  const current = preferences.get(route.subnetId);
  if (choice === 'enable') {
    if (current?.kind !== 'disabled') return { set: [], clear: [] };
    if (current.resumePrioritySeq === undefined) return { set: [], clear: [route.subnetId] };
    return { set: [{ userId, subnetId: route.subnetId, kind: 'priority', seq: current.resumePrioritySeq }], clear: [] };
  }
  if (choice === 'disable') {
    const resume = current?.kind === 'priority' ? current.seq : current?.resumePrioritySeq;
    return { set: [{ userId, subnetId: route.subnetId, kind: 'disabled', seq, ...(resume === undefined ? {} : { resumePrioritySeq: resume }) }], clear: [] };
  }
  const change: PreferenceChange = { set: [], clear: [] };
  for (const other of input.routes) {
    if (other.subnetId === route.subnetId || !overlaps(other.prefix, route.prefix)) continue;
    const pref = preferences.get(other.subnetId);
    if (pref?.kind === 'priority') change.clear.push(other.subnetId);
    else if (pref?.kind === 'disabled' && pref.resumePrioritySeq !== undefined)
      change.set.push({ userId, subnetId: other.subnetId, kind: 'disabled', seq: pref.seq });
  }
  change.set.push({ userId, subnetId: route.subnetId, kind: 'priority', seq });
  return change;
}
