import type { FleetModel } from '../src/core/fleet-model.ts';
import { JOB_ROLES, type JobRole, type JobRoleId, type JobRoleName, ORG_ROLES, type OrgId, type PlantId, type PortfolioId, type UserId } from '../src/core/model.ts';
import type { GeneratedFleet } from './fleet-generator.ts';
import type { Rng } from './rng.ts';

export type ChangeKind = 'grant' | 'remove' | 'change-role' | 'membership';

/** One permission change, ready to apply: `apply` mutates the model and returns the affected users. */
export type Change = { kind: ChangeKind; userId: UserId; apply: (model: FleetModel) => Set<UserId> };

/**
 * Random permission changes against a live model, as an admin would make them:
 * grant a job role (own plant or portfolio of the user's organization), remove one,
 * change a role, or change an org role. Keeps its own list of existing job roles so
 * removals and role changes always hit a real one.
 */
export class RandomChanges {
  private readonly jobRoleIds: JobRoleId[];
  private readonly homeOrg = new Map<UserId, OrgId>();
  private readonly plantsByOrg = new Map<OrgId, PlantId[]>();
  private readonly portfoliosByOrg = new Map<OrgId, PortfolioId[]>();
  private readonly userIds: UserId[];
  private readonly rng: Rng;
  private readonly model: FleetModel;
  private seq = 0;

  constructor(rng: Rng, model: FleetModel, fleet: GeneratedFleet) {
    this.rng = rng;
    this.model = model;
    this.jobRoleIds = fleet.jobRoles.map((jr) => jr.id);
    for (const m of fleet.memberships) if (!this.homeOrg.has(m.userId)) this.homeOrg.set(m.userId, m.orgId);
    for (const p of fleet.plants) push(this.plantsByOrg, p.orgId, p.id);
    for (const p of fleet.portfolios) push(this.portfoliosByOrg, p.orgId, p.id);
    this.userIds = [...this.homeOrg.keys()];
  }

  next(): Change {
    const kind = this.rng.weighted({ grant: 30, remove: 30, 'change-role': 30, membership: 10 } as const);
    if (kind === 'grant' || this.jobRoleIds.length === 0) return this.grant();
    if (kind === 'remove') return this.remove();
    if (kind === 'change-role') return this.changeRole();
    return this.membership();
  }

  private grant(): Change {
    const rng = this.rng;
    const userId = rng.pick(this.userIds);
    const orgId = this.homeOrg.get(userId) as OrgId;
    const onPlant = rng.chance(0.65);
    const jobRole: JobRole = {
      id: `bench-${++this.seq}` as JobRoleId,
      userId,
      target: onPlant
        ? { kind: 'plant', plantId: rng.pick(this.plantsByOrg.get(orgId) ?? []) }
        : { kind: 'portfolio', portfolioId: rng.pick(this.portfoliosByOrg.get(orgId) ?? []) },
      role: rng.pick(JOB_ROLES),
      cooperationId: null,
    };
    this.jobRoleIds.push(jobRole.id);
    return { kind: 'grant', userId, apply: (model) => model.putJobRole(jobRole) };
  }

  private remove(): Change {
    const at = Math.floor(this.rng.next() * this.jobRoleIds.length);
    const id = this.jobRoleIds[at] as JobRoleId;
    this.jobRoleIds[at] = this.jobRoleIds[this.jobRoleIds.length - 1] as JobRoleId;
    this.jobRoleIds.pop();
    const userId = (this.model.jobRoles.get(id) as JobRole).userId;
    return { kind: 'remove', userId, apply: (model) => model.removeJobRole(id) };
  }

  private changeRole(): Change {
    const id = this.rng.pick(this.jobRoleIds);
    const current = this.model.jobRoles.get(id) as JobRole;
    let role: JobRoleName = this.rng.pick(JOB_ROLES);
    while (role === current.role) role = this.rng.pick(JOB_ROLES);
    return { kind: 'change-role', userId: current.userId, apply: (model) => model.putJobRole({ ...current, role }) };
  }

  private membership(): Change {
    const userId = this.rng.pick(this.userIds);
    const orgId = this.homeOrg.get(userId) as OrgId;
    const current = this.model.membershipRole(userId, orgId);
    let role = this.rng.pick(ORG_ROLES);
    while (role === current) role = this.rng.pick(ORG_ROLES);
    return { kind: 'membership', userId, apply: (model) => model.setMembership({ orgId, userId, role }) };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
