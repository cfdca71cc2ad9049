import type { FleetModel } from './fleet-model.ts';
import type { PlantId, PortfolioId, UserId } from './model.ts';

export type ModelDiff = {
  /** Users whose routes (or peer) may differ between the two models. */
  users: Set<UserId>;
  /** Plants whose site entry (name, agent, subnets) may differ, including plants that went or came. */
  plants: Set<PlantId>;
};

/**
 * What moved between two models of the same fleet (e.g. before and after a fleet apply
 * that was reloaded from the database), as the change fan-out: the users whose routes may
 * have moved and the plants whose site entry may have. A superset is safe (those are
 * recomputed); a miss is not, so every input of `effectiveRoutes` is compared: profiles,
 * memberships, job roles, preferences, plants, subnets, portfolios and cooperations.
 * Costs one pass over both models, far less than recomputing every user's routes.
 */
export function fleetModelDiff(before: FleetModel, after: FleetModel): ModelDiff {
  const users = new Set<UserId>();
  const plants = new Set<PlantId>();
  // Built on first use: which users hold a job role on a portfolio, or within a cooperation (in either model).
  let byPortfolio: Map<string, UserId[]> | null = null;
  let byCooperation: Map<string, UserId[]> | null = null;
  const holdersBy = (key: (jr: { target: { kind: string; portfolioId?: string }; cooperationId: string | null }) => string | null) => {
    const out = new Map<string, UserId[]>();
    for (const model of [before, after]) {
      for (const jr of model.jobRoles.values()) {
        const k = key(jr as never);
        if (k === null) continue;
        const list = out.get(k);
        if (list) list.push(jr.userId);
        else out.set(k, [jr.userId]);
      }
    }
    return out;
  };
  const plantMoved = (plantId: PlantId) => {
    plants.add(plantId);
    for (const u of before.holdersOfPlant(plantId)) users.add(u);
    for (const u of after.holdersOfPlant(plantId)) users.add(u);
  };

  eachDifference(
    before.profiles,
    after.profiles,
    (a, b) => a.id === b.id && a.publicKey === b.publicKey && a.tunnelIp === b.tunnelIp,
    (userId) => users.add(userId),
  );
  eachDifference(
    before.jobRoles,
    after.jobRoles,
    (a, b) => a.userId === b.userId && a.role === b.role && a.cooperationId === b.cooperationId && sameTarget(a.target, b.target),
    (id) => {
      const a = before.jobRoles.get(id);
      const b = after.jobRoles.get(id);
      if (a) users.add(a.userId);
      if (b) users.add(b.userId);
    },
  );
  for (const userId of union(before.users.keys(), after.users.keys())) {
    if (!sameMap(before.membershipsOf(userId), after.membershipsOf(userId), (a, b) => a === b)) users.add(userId);
    if (!sameMap(before.preferencesOf(userId), after.preferencesOf(userId), (a, b) => a.kind === b.kind && a.seq === b.seq)) users.add(userId);
  }
  eachDifference(before.plants, after.plants, (a, b) => a.orgId === b.orgId && a.name === b.name, plantMoved);
  eachDifference(
    before.subnets,
    after.subnets,
    (a, b) => a.plantId === b.plantId && samePrefix(a.prefix, b.prefix) && samePrefix(a.mapped, b.mapped),
    (id) => {
      const a = before.subnets.get(id);
      const b = after.subnets.get(id);
      if (a) plantMoved(a.plantId);
      if (b) plantMoved(b.plantId);
    },
  );
  eachDifference(
    before.agents,
    after.agents,
    (a, b) => a.publicKey === b.publicKey && a.tunnelIp === b.tunnelIp,
    (plantId) => plants.add(plantId),
  );
  eachDifference(
    before.portfolios,
    after.portfolios,
    (a, b) => a.orgId === b.orgId && sameList(a.plantIds, b.plantIds),
    (id) => {
      // Holders of the portfolio, and (through cooperations that share it) of the plants moving in or out.
      byPortfolio ??= holdersBy((jr) => (jr.target.kind === 'portfolio' ? (jr.target.portfolioId as string) : null));
      for (const u of byPortfolio.get(id) ?? []) users.add(u);
      const was = new Set(before.portfolios.get(id)?.plantIds ?? []);
      const is = new Set(after.portfolios.get(id)?.plantIds ?? []);
      for (const p of union(was, is)) if (was.has(p) !== is.has(p)) holdersOf(p);
    },
  );
  eachDifference(
    before.cooperations,
    after.cooperations,
    (a, b) =>
      a.active === b.active &&
      a.ownerOrgId === b.ownerOrgId &&
      a.partnerOrgId === b.partnerOrgId &&
      sameList(a.plantIds, b.plantIds) &&
      sameList(a.portfolioIds, b.portfolioIds),
    (id) => {
      byCooperation ??= holdersBy((jr) => jr.cooperationId);
      for (const u of byCooperation.get(id) ?? []) users.add(u);
    },
  );
  return { users, plants };

  function holdersOf(plantId: PlantId): void {
    for (const u of before.holdersOfPlant(plantId)) users.add(u);
    for (const u of after.holdersOfPlant(plantId)) users.add(u);
  }
}

function eachDifference<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>, same: (x: V, y: V) => boolean, moved: (key: K) => void): void {
  for (const [key, x] of a) {
    const y = b.get(key);
    if (y === undefined || (x !== y && !same(x, y))) moved(key);
  }
  for (const key of b.keys()) if (!a.has(key)) moved(key);
}

function sameMap<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>, same: (x: V, y: V) => boolean): boolean {
  if (a.size !== b.size) return false;
  for (const [key, x] of a) {
    const y = b.get(key);
    if (y === undefined || !same(x, y)) return false;
  }
  return true;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}

function samePrefix(a: { start: number; length: number }, b: { start: number; length: number }): boolean {
  return a.start === b.start && a.length === b.length;
}

function sameTarget(a: { kind: 'plant'; plantId: PlantId } | { kind: 'portfolio'; portfolioId: PortfolioId }, b: typeof a): boolean {
  return a.kind === 'plant' ? b.kind === 'plant' && a.plantId === b.plantId : b.kind === 'portfolio' && a.portfolioId === b.portfolioId;
}

function* union<T>(a: Iterable<T>, b: Iterable<T>): Iterable<T> {
  const seen = new Set<T>();
  for (const x of a) {
    seen.add(x);
    yield x;
  }
  for (const x of b) if (!seen.has(x)) yield x;
}
