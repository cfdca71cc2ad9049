import type { FleetModel } from '../fleet-model.ts';
import type { OrgId, OrgVpn, PlantId, RoutePreference, SubnetId } from '../model.ts';
import type { Via } from '../routes/access.ts';
import { type EffectiveRoute, type RouteCandidate, resolveRouteStates } from '../routes/effective.ts';

/** Why a plant may or may not be routed through an organization's VPN (SPEC O1). */
export type OrgVpnPlantRule = { eligible: true; via: Via } | { eligible: false; reason: 'no-such-plant' | 'not-shared' | 'cooperation-ended' | 'no-operator' };

const NO_PREFERENCES: ReadonlyMap<SubnetId, RoutePreference> = new Map();

/**
 * The plants an organization may route through its VPNs: its own plants, and plants an
 * active cooperation shares with it where the organization holds the Operator job role —
 * one of its members (not a Guest) is Operator on the plant within that cooperation, the
 * same rule that opens the plant to that member's personal profile (SPEC P4).
 */
export function orgVpnEligiblePlants(model: FleetModel, orgId: OrgId): Map<PlantId, Via> {
  const out = new Map<PlantId, Via>();
  for (const plantId of model.plantsOf(orgId)) out.set(plantId, 'own');
  for (const userId of model.membersOf(orgId)) {
    const role = model.membershipRole(userId, orgId);
    if (role === undefined || role === 'guest') continue;
    for (const jobRole of model.jobRolesOf(userId)) {
      if (jobRole.role !== 'operator' || jobRole.cooperationId === null) continue;
      const cooperation = model.cooperations.get(jobRole.cooperationId);
      if (!cooperation?.active || cooperation.partnerOrgId !== orgId) continue;
      const plantIds = jobRole.target.kind === 'plant' ? [jobRole.target.plantId] : (model.portfolios.get(jobRole.target.portfolioId)?.plantIds ?? []);
      for (const plantId of plantIds) {
        if (out.has(plantId) || !model.plants.has(plantId)) continue;
        if (model.cooperationCovers(cooperation, plantId)) out.set(plantId, 'cooperation');
      }
    }
  }
  return out;
}

/** One plant's standing for an organization's VPN, for a refusal that says why. */
export function judgeOrgVpnPlant(model: FleetModel, orgId: OrgId, plantId: PlantId): OrgVpnPlantRule {
  const plant = model.plants.get(plantId);
  if (!plant) return { eligible: false, reason: 'no-such-plant' };
  const via = orgVpnEligiblePlants(model, orgId).get(plantId);
  if (via) return { eligible: true, via };
  const shared = [...model.cooperations.values()].filter((c) => c.partnerOrgId === orgId && model.cooperationCovers(c, plantId));
  if (shared.length === 0) return { eligible: false, reason: 'not-shared' };
  if (!shared.some((c) => c.active)) return { eligible: false, reason: 'cooperation-ended' };
  return { eligible: false, reason: 'no-operator' };
}

/**
 * The routes of an organization VPN: every subnet of its chosen plants that are still
 * eligible, mapped always, native where unambiguous among this VPN's routes — the personal
 * profile's P5 rule (resolveRouteStates) without preferences, so a conflict group stays
 * mapped-only. A plant that left the VPN or whose cooperation ended contributes nothing.
 */
export function orgVpnRoutes(model: FleetModel, vpn: OrgVpn, eligible: ReadonlyMap<PlantId, Via> = orgVpnEligiblePlants(model, vpn.orgId)): EffectiveRoute[] {
  const candidates: RouteCandidate[] = [];
  for (const plantId of vpn.plantIds) {
    const via = eligible.get(plantId);
    if (via === undefined) continue;
    for (const subnet of model.subnetsOf(plantId)) candidates.push({ plantId, subnetId: subnet.id, via, prefix: subnet.prefix, mapped: subnet.mapped });
  }
  return resolveRouteStates(candidates, NO_PREFERENCES);
}
