import type { FleetModel } from '../fleet-model.ts';
import type { Cooperation, JobRole, JobRoleName, OrgRole, PlantId, UserId } from '../model.ts';

export type Via = 'own' | 'cooperation';

/** Why one job role does or does not open one plant (SPEC P4). */
export type AccessRule = { granted: true; via: Via; rule: string } | { granted: false; via: Via | null; rule: string };

const OWN_ROUTE_ROLES: ReadonlySet<JobRoleName> = new Set(['operator', 'technical-manager']);
const OWN_ROUTE_ORG_ROLES: ReadonlySet<OrgRole> = new Set(['admin', 'moderator', 'member']);

/**
 * The plants a user's permissions open, and through which path. A plant open both
 * ways counts as `own`. This is the hot path of the route engine: no strings built.
 */
export function grantedPlants(model: FleetModel, userId: UserId): Map<PlantId, Via> {
  const granted = new Map<PlantId, Via>();
  for (const jobRole of model.jobRolesOf(userId)) {
    for (const plantId of plantsOfTarget(model, jobRole)) {
      if (granted.get(plantId) === 'own') continue;
      const rule = judgeJobRole(model, userId, jobRole, plantId);
      if (rule.granted) granted.set(plantId, rule.via);
    }
  }
  return granted;
}

/**
 * Whether the user's permissions open this one plant: `grantedPlants(model, userId).has(plantId)`,
 * judged with the same rule (judgeJobRole) but only over the job roles that cover the plant — the
 * browser proxy asks this once per open session and revision, where walking every plant of a
 * user's portfolios would not pay.
 */
export function reachesPlant(model: FleetModel, userId: UserId, plantId: PlantId): boolean {
  for (const jobRole of model.jobRolesOf(userId)) {
    if (jobRole.target.kind === 'plant' ? jobRole.target.plantId !== plantId : !plantsOfTarget(model, jobRole).includes(plantId)) continue;
    if (judgeJobRole(model, userId, jobRole, plantId).granted) return true;
  }
  return false;
}

export type PlantAccess = {
  plantId: PlantId;
  granted: boolean;
  via: Via | null;
  /** The rule that decided, e.g. "granted: operator" or "denied: guest". */
  rule: string;
  /** Every rule considered for this plant, one per job role (and membership). */
  rules: string[];
};

/**
 * For the admin's "why" view: every plant the user is related to (a plant of an
 * organization they belong to, or one a job role of theirs points at) and the rules
 * that granted or denied it.
 */
export function explainAccess(model: FleetModel, userId: UserId): PlantAccess[] {
  const byPlant = new Map<PlantId, AccessRule[]>();
  for (const jobRole of model.jobRolesOf(userId)) {
    for (const plantId of plantsOfTarget(model, jobRole)) {
      const rules = byPlant.get(plantId) ?? [];
      byPlant.set(plantId, rules);
      rules.push(judgeJobRole(model, userId, jobRole, plantId));
    }
  }
  for (const [orgId, role] of model.membershipsOf(userId)) {
    for (const plantId of model.plantsOf(orgId)) {
      if (byPlant.has(plantId)) continue;
      byPlant.set(plantId, [{ granted: false, via: 'own', rule: role === 'guest' ? 'denied: guest' : 'denied: no job role' }]);
    }
  }
  const out: PlantAccess[] = [];
  for (const [plantId, rules] of byPlant) {
    const decisive = rules.find((r) => r.granted && r.via === 'own') ?? rules.find((r) => r.granted) ?? rules[0];
    if (!decisive) continue;
    out.push({ plantId, granted: decisive.granted, via: decisive.via, rule: decisive.rule, rules: rules.map((r) => r.rule) });
  }
  return out;
}

export function judgeJobRole(model: FleetModel, userId: UserId, jobRole: JobRole, plantId: PlantId): AccessRule {
  const plant = model.plants.get(plantId);
  if (!plant) return { granted: false, via: null, rule: 'denied: plant does not exist' };
  if (jobRole.cooperationId === null) {
    const orgRole = model.membershipRole(userId, plant.orgId);
    if (orgRole === undefined) return { granted: false, via: 'own', rule: 'denied: not a member of the organization' };
    if (!OWN_ROUTE_ORG_ROLES.has(orgRole)) return { granted: false, via: 'own', rule: `denied: ${orgRole}` };
    if (!OWN_ROUTE_ROLES.has(jobRole.role)) return { granted: false, via: 'own', rule: `denied: job role ${jobRole.role}` };
    return { granted: true, via: 'own', rule: `granted: ${jobRole.role}` };
  }
  const cooperation = model.cooperations.get(jobRole.cooperationId);
  return judgeCooperationRole(model, userId, jobRole, plantId, cooperation);
}

function judgeCooperationRole(model: FleetModel, userId: UserId, jobRole: JobRole, plantId: PlantId, cooperation: Cooperation | undefined): AccessRule {
  if (!cooperation?.active) return { granted: false, via: 'cooperation', rule: 'denied: cooperation ended' };
  const orgRole = model.membershipRole(userId, cooperation.partnerOrgId);
  if (orgRole === undefined) return { granted: false, via: 'cooperation', rule: 'denied: not a member of the partner organization' };
  if (orgRole === 'guest') return { granted: false, via: 'cooperation', rule: 'denied: guest' };
  if (!model.cooperationCovers(cooperation, plantId)) return { granted: false, via: 'cooperation', rule: 'denied: plant not shared by the cooperation' };
  if (jobRole.role !== 'operator') return { granted: false, via: 'cooperation', rule: 'denied: cooperation requires operator' };
  return { granted: true, via: 'cooperation', rule: 'granted: cooperation operator' };
}

function plantsOfTarget(model: FleetModel, jobRole: JobRole): readonly PlantId[] {
  if (jobRole.target.kind === 'plant') return [jobRole.target.plantId];
  return model.portfolios.get(jobRole.target.portfolioId)?.plantIds ?? [];
}
