import { FleetModel } from '../fleet-model.ts';
import type { CooperationId, JobRoleId, JobRoleName, OrgId, OrgRole, PlantId, PortfolioId, SubnetId, UserId } from '../model.ts';
import { cidr } from '../net/ipv4.ts';
import { MappedSpaceAllocator } from '../net/mapped-prefix.ts';

/**
 * A terse way to describe fleets in tests and benchmarks: names double as ids,
 * mapped prefixes come from a real allocator.
 */
export class FleetFixture {
  readonly model = new FleetModel();
  private readonly allocator = new MappedSpaceAllocator(cidr('100.80.0.0/12'), []);
  private seq = 0;

  constructor(mappedSpace?: string) {
    if (mappedSpace) this.allocator = new MappedSpaceAllocator(cidr(mappedSpace), []);
  }

  user(name: string): UserId {
    const id = name as UserId;
    this.model.putUser({ id, email: `${name}@example.test`, name, platformOperator: false });
    return id;
  }

  org(name: string): OrgId {
    const id = name as OrgId;
    this.model.putOrganization({ id, name });
    return id;
  }

  member(org: string, user: string, role: OrgRole): void {
    if (!this.model.users.has(user as UserId)) this.user(user);
    this.model.setMembership({ orgId: org as OrgId, userId: user as UserId, role });
  }

  plant(org: string, name: string, subnets: string[]): PlantId {
    const id = name as PlantId;
    this.model.putPlant({ id, orgId: org as OrgId, name });
    for (const text of subnets) this.subnet(name, text);
    return id;
  }

  subnet(plant: string, text: string): SubnetId {
    const prefix = cidr(text);
    const mapped = this.allocator.allocate(prefix.length);
    if (!mapped.ok) throw new Error(mapped.message);
    const id = `${plant}|${text}` as SubnetId;
    this.model.putSubnet({ id, plantId: plant as PlantId, prefix, mapped: mapped.prefix });
    return id;
  }

  portfolio(org: string, name: string, plants: string[]): PortfolioId {
    const id = name as PortfolioId;
    this.model.putPortfolio({ id, orgId: org as OrgId, name, plantIds: plants as PlantId[] });
    return id;
  }

  jobRole(user: string, on: { plant: string } | { portfolio: string }, role: JobRoleName, cooperation: string | null = null): JobRoleId {
    const id = `jr${++this.seq}` as JobRoleId;
    this.model.putJobRole({
      id,
      userId: user as UserId,
      target: 'plant' in on ? { kind: 'plant', plantId: on.plant as PlantId } : { kind: 'portfolio', portfolioId: on.portfolio as PortfolioId },
      role,
      cooperationId: cooperation as CooperationId | null,
    });
    return id;
  }

  cooperation(id: string, owner: string, partner: string, share: { plants?: string[]; portfolios?: string[] }, active = true): CooperationId {
    this.model.putCooperation({
      id: id as CooperationId,
      ownerOrgId: owner as OrgId,
      partnerOrgId: partner as OrgId,
      plantIds: (share.plants ?? []) as PlantId[],
      portfolioIds: (share.portfolios ?? []) as PortfolioId[],
      active,
    });
    return id as CooperationId;
  }

  prefer(user: string, subnetId: SubnetId): void {
    this.model.setPreference({ userId: user as UserId, subnetId, kind: 'priority', seq: ++this.seq });
  }

  disable(user: string, subnetId: SubnetId): void {
    this.model.setPreference({ userId: user as UserId, subnetId, kind: 'disabled', seq: ++this.seq });
  }
}
