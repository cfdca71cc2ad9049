import type { ZodError } from 'zod';
import { containsAddress, formatCidr, type Ipv4Prefix, overlaps, parseCidr, parseIpv4 } from '../net/ipv4.ts';
import { type FleetFile, type FleetFileJobRole, FleetFileSchema } from './schema.ts';

export type Problem = { field: string; message: string };

export type ReservedRange = { name: string; prefix: Ipv4Prefix };

export type FleetValidation = { ok: true; fleet: FleetFile } | { ok: false; problems: Problem[]; zodError?: ZodError };

/**
 * Checks a fleet file completely before anything is applied: shape, canonical CIDRs,
 * reserved ranges, names unique where they must be, every reference resolvable.
 * Every problem names its path, e.g. `organizations[0].plants[2].subnets[1]`.
 */
export function validateFleetFile(
  input: unknown,
  context: {
    knownUserEmails: ReadonlySet<string>;
    reserved: ReservedRange[];
    /** Organizations the installation holds: a partial file may name one as a cooperation partner. */
    knownOrganizations?: ReadonlySet<string>;
  },
): FleetValidation {
  const parsed = FleetFileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: [], zodError: parsed.error };
  const fleet = normaliseEmails(parsed.data);
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });

  const emails = new Set(context.knownUserEmails);
  const seenUsers = new Map<string, number>();
  fleet.users.forEach((user, i) => {
    const first = seenUsers.get(user.email);
    if (first !== undefined) add(`users[${i}].email`, `duplicate user ${user.email} (also users[${first}])`);
    else seenUsers.set(user.email, i);
    emails.add(user.email);
  });

  const orgIndex = new Map<string, number>();
  fleet.organizations.forEach((org, o) => {
    const first = orgIndex.get(org.name);
    if (first !== undefined) add(`organizations[${o}].name`, `duplicate organization "${org.name}" (also organizations[${first}])`);
    else orgIndex.set(org.name, o);
  });

  fleet.organizations.forEach((org, o) => {
    const at = `organizations[${o}]`;
    const seenMembers = new Set<string>();
    org.members.forEach((m, i) => {
      if (!emails.has(m.email)) add(`${at}.members[${i}].email`, `unknown user ${m.email}: list it under users`);
      if (seenMembers.has(m.email)) add(`${at}.members[${i}].email`, `${m.email} is listed twice in ${org.name}`);
      seenMembers.add(m.email);
    });

    const plantNames = new Set<string>();
    org.plants.forEach((plant, p) => {
      const pAt = `${at}.plants[${p}]`;
      if (plantNames.has(plant.name)) add(`${pAt}.name`, `duplicate plant "${plant.name}" in ${org.name}`);
      plantNames.add(plant.name);
      const prefixes: Array<{ prefix: Ipv4Prefix; index: number }> = [];
      plant.subnets.forEach((text, s) => {
        const sAt = `${pAt}.subnets[${s}]`;
        const cidr = parseCidr(text.trim());
        if (!cidr.ok) {
          add(sAt, cidr.message);
          return;
        }
        for (const range of context.reserved) {
          if (overlaps(cidr.prefix, range.prefix)) add(sAt, `${text} overlaps the reserved ${range.name} ${formatCidr(range.prefix)}`);
        }
        for (const other of prefixes) {
          if (overlaps(other.prefix, cidr.prefix))
            add(sAt, `${text} overlaps ${plant.subnets[other.index]} (${pAt}.subnets[${other.index}]) of the same plant`);
        }
        prefixes.push({ prefix: cidr.prefix, index: s });
      });
      const deviceNames = new Set<string>();
      plant.devices.forEach((device, d) => {
        const dAt = `${pAt}.devices[${d}]`;
        if (deviceNames.has(device.name)) add(`${dAt}.name`, `duplicate device "${device.name}" in plant ${plant.name}`);
        deviceNames.add(device.name);
        const ip = parseIpv4(device.ip.trim());
        if (ip === null) add(`${dAt}.ip`, `"${device.ip}" is not an IPv4 address`);
        else if (!prefixes.some((p) => containsAddress(p.prefix, ip))) {
          add(`${dAt}.ip`, `${device.ip} lies in none of the subnets of plant ${plant.name}`);
        }
      });
    });

    const portfolioNames = new Set<string>();
    const portfolioPlants = new Map<string, Set<string>>();
    org.portfolios.forEach((portfolio, f) => {
      const fAt = `${at}.portfolios[${f}]`;
      if (portfolioNames.has(portfolio.name)) add(`${fAt}.name`, `duplicate portfolio "${portfolio.name}" in ${org.name}`);
      portfolioNames.add(portfolio.name);
      portfolioPlants.set(portfolio.name, new Set(portfolio.plants));
      portfolio.plants.forEach((plant, i) => {
        if (!plantNames.has(plant)) add(`${fAt}.plants[${i}]`, `unknown plant "${plant}" in ${org.name}`);
      });
    });

    checkJobRoles(org.jobRoles, `${at}.jobRoles`, org.name, emails, plantNames, portfolioNames, null, add);

    const partners = new Set<string>();
    org.cooperations.forEach((coop, c) => {
      const cAt = `${at}.cooperations[${c}]`;
      if (!orgIndex.has(coop.partner) && !context.knownOrganizations?.has(coop.partner)) add(`${cAt}.partner`, `unknown organization "${coop.partner}"`);
      else if (coop.partner === org.name) add(`${cAt}.partner`, `${org.name} cannot cooperate with itself`);
      if (partners.has(coop.partner)) add(`${cAt}.partner`, `a second cooperation of ${org.name} with ${coop.partner}`);
      partners.add(coop.partner);
      coop.plants.forEach((plant, i) => {
        if (!plantNames.has(plant)) add(`${cAt}.plants[${i}]`, `unknown plant "${plant}" in ${org.name}`);
      });
      coop.portfolios.forEach((portfolio, i) => {
        if (!portfolioNames.has(portfolio)) add(`${cAt}.portfolios[${i}]`, `unknown portfolio "${portfolio}" in ${org.name}`);
      });
      const shared = { plants: new Set(coop.plants), portfolios: new Set(coop.portfolios), portfolioPlants };
      checkJobRoles(coop.jobRoles, `${cAt}.jobRoles`, org.name, emails, plantNames, portfolioNames, shared, add);
    });
  });

  return problems.length > 0 ? { ok: false, problems } : { ok: true, fleet };
}

function checkJobRoles(
  jobRoles: FleetFileJobRole[],
  at: string,
  orgName: string,
  emails: ReadonlySet<string>,
  plantNames: ReadonlySet<string>,
  portfolioNames: ReadonlySet<string>,
  shared: { plants: Set<string>; portfolios: Set<string>; portfolioPlants: Map<string, Set<string>> } | null,
  add: (field: string, message: string) => void,
): void {
  const seen = new Set<string>();
  // Plants a cooperation shares through its portfolios, computed once: a cooperation may carry thousands of job roles.
  let viaPortfolios: Set<string> | null = null;
  const sharedViaPortfolio = (plant: string): boolean => {
    if (!shared) return true;
    if (viaPortfolios === null) {
      viaPortfolios = new Set<string>();
      for (const p of shared.portfolios) for (const name of shared.portfolioPlants.get(p) ?? []) viaPortfolios.add(name);
    }
    return viaPortfolios.has(plant);
  };
  jobRoles.forEach((jr, j) => {
    // The field path is built only for a problem: a 10,000-user fleet has ~100,000 job roles.
    const jAt = () => `${at}[${j}]`;
    if (!emails.has(jr.user)) add(`${jAt()}.user`, `unknown user ${jr.user}: list it under users`);
    if ((jr.plant === undefined) === (jr.portfolio === undefined)) {
      add(jAt(), 'name exactly one of plant or portfolio');
      return;
    }
    const key = `${jr.user}|${jr.plant ?? ''}|${jr.portfolio ?? ''}`;
    if (seen.has(key)) add(jAt(), `${jr.user} has a second job role on ${jr.plant ?? jr.portfolio}`);
    seen.add(key);
    if (jr.plant !== undefined) {
      if (!plantNames.has(jr.plant)) add(`${jAt()}.plant`, `unknown plant "${jr.plant}" in ${orgName}`);
      else if (shared && !shared.plants.has(jr.plant) && !sharedViaPortfolio(jr.plant)) {
        add(`${jAt()}.plant`, `plant "${jr.plant}" is not shared by this cooperation`);
      }
    } else if (jr.portfolio !== undefined) {
      if (!portfolioNames.has(jr.portfolio)) add(`${jAt()}.portfolio`, `unknown portfolio "${jr.portfolio}" in ${orgName}`);
      else if (shared && !shared.portfolios.has(jr.portfolio)) add(`${jAt()}.portfolio`, `portfolio "${jr.portfolio}" is not shared by this cooperation`);
    }
  });
}

/**
 * Lower-cases emails and trims addresses in place: the schema's output is already a fresh
 * copy of the input, and a second copy of a 10,000-user file is only garbage to collect.
 */
function normaliseEmails(fleet: FleetFile): FleetFile {
  const lower = (e: string) => e.trim().toLowerCase();
  const jobRoles = (list: FleetFile['organizations'][number]['jobRoles']) => {
    for (const jr of list) jr.user = lower(jr.user);
  };
  for (const u of fleet.users) u.email = lower(u.email);
  for (const org of fleet.organizations) {
    for (const m of org.members) m.email = lower(m.email);
    for (const p of org.plants) {
      p.subnets = p.subnets.map((s) => s.trim());
      for (const d of p.devices) d.ip = d.ip.trim();
    }
    jobRoles(org.jobRoles);
    for (const c of org.cooperations) jobRoles(c.jobRoles);
  }
  return fleet;
}
