import type { FleetFile, FleetFileJobRole } from './fleet-generator.ts';

/**
 * The generator can draw two active cooperations between one owner and one partner;
 * a fleet file allows one per pair. Merge them (plants, portfolios, job roles; the first
 * job role of a user on a target wins) so the file validates. Returns how many were merged.
 */
export function mergeCooperations(file: FleetFile): number {
  let merged = 0;
  for (const org of file.organizations) {
    const byPartner = new Map<string, FleetFile['organizations'][number]['cooperations'][number]>();
    for (const coop of org.cooperations) {
      const first = byPartner.get(coop.partner);
      if (!first) {
        byPartner.set(coop.partner, coop);
        continue;
      }
      merged++;
      first.plants = [...new Set([...first.plants, ...coop.plants])];
      first.portfolios = [...new Set([...first.portfolios, ...coop.portfolios])];
      const key = (jr: FleetFileJobRole) => `${jr.user}|${'plant' in jr ? jr.plant : ''}|${'portfolio' in jr ? jr.portfolio : ''}`;
      const seen = new Set(first.jobRoles.map(key));
      for (const jr of coop.jobRoles) {
        if (seen.has(key(jr))) continue;
        seen.add(key(jr));
        first.jobRoles.push(jr);
      }
    }
    org.cooperations = [...byPartner.values()];
  }
  return merged;
}
