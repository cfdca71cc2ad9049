import type { FleetModel } from '../fleet-model.ts';
import type { JobRole, PlantId, UserId } from '../model.ts';
import { type AccessRule, type Via, judgeJobRole } from './access.ts';

export type ExplainStep = { ok: boolean; text: string };

/** "Why does Bob reach / not reach Park A": the checks of SPEC P4 in order, as sentences an admin can act on. */
export type PlantExplanation = { reaches: boolean; via: Via | null; decisive: string; steps: ExplainStep[] };

/**
 * For the admin's explain view of one user and one plant: membership in the plant's
 * organization, every job role that covers the plant (directly or through a portfolio,
 * own or within a cooperation) with the rule that judged it, and the rule that decided.
 * Uses the route engine's own judgement (`judgeJobRole`), so the answer cannot drift from
 * the routes the user gets.
 */
export function explainPlantAccess(model: FleetModel, userId: UserId, plantId: PlantId): PlantExplanation {
  const plant = model.plants.get(plantId);
  const user = model.users.get(userId);
  const who = user?.name || user?.email || userId;
  if (!plant) return { reaches: false, via: null, decisive: 'denied: plant does not exist', steps: [{ ok: false, text: 'The plant does not exist.' }] };
  const orgName = model.organizations.get(plant.orgId)?.name ?? plant.orgId;
  const steps: ExplainStep[] = [];
  const orgRole = model.membershipRole(userId, plant.orgId);
  steps.push(
    orgRole === undefined
      ? { ok: false, text: `${who} is not a member of ${orgName}, the plant's organization.` }
      : orgRole === 'guest'
        ? { ok: false, text: `${who} is a guest of ${orgName}: guests get no route to its plants.` }
        : { ok: true, text: `${who} is ${article(orgRole)} ${orgRole} of ${orgName}.` },
  );
  const judged: Array<{ jobRole: JobRole; rule: AccessRule }> = [];
  for (const jobRole of model.jobRolesOf(userId)) {
    if (!covers(model, jobRole, plantId)) continue;
    judged.push({ jobRole, rule: judgeJobRole(model, userId, jobRole, plantId) });
  }
  if (judged.length === 0) {
    steps.push({ ok: false, text: `${who} holds no job role on ${plant.name} or on a portfolio containing it: grant Operator or Technical Manager.` });
    const decisive = orgRole === undefined ? 'denied: not a member of the organization' : orgRole === 'guest' ? 'denied: guest' : 'denied: no job role';
    return { reaches: false, via: null, decisive, steps };
  }
  for (const { jobRole, rule } of judged) steps.push({ ok: rule.granted, text: `${describeJobRole(model, jobRole)}: ${rule.rule}.` });
  const decisive = judged.find((j) => j.rule.granted && j.rule.via === 'own') ?? judged.find((j) => j.rule.granted) ?? (judged[0] as (typeof judged)[number]);
  return { reaches: decisive.rule.granted, via: decisive.rule.granted ? decisive.rule.via : null, decisive: decisive.rule.rule, steps };
}

function covers(model: FleetModel, jobRole: JobRole, plantId: PlantId): boolean {
  if (jobRole.target.kind === 'plant') return jobRole.target.plantId === plantId;
  return model.portfolios.get(jobRole.target.portfolioId)?.plantIds.includes(plantId) ?? false;
}

function describeJobRole(model: FleetModel, jobRole: JobRole): string {
  const target =
    jobRole.target.kind === 'plant'
      ? `plant ${model.plants.get(jobRole.target.plantId)?.name ?? jobRole.target.plantId}`
      : `portfolio ${model.portfolios.get(jobRole.target.portfolioId)?.name ?? jobRole.target.portfolioId}`;
  if (jobRole.cooperationId === null) return `Job role ${jobRole.role} on ${target}`;
  const coop = model.cooperations.get(jobRole.cooperationId);
  const partner = coop ? (model.organizations.get(coop.partnerOrgId)?.name ?? coop.partnerOrgId) : 'an unknown organization';
  return `Job role ${jobRole.role} on ${target} within the cooperation with ${partner}`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
