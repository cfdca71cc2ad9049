import type { ObservedNftChain, ObservedNftSet } from './nft-table-json.ts';

/** A table's sets and chains as parseNftTableJson reads them, and how two of them differ. */

export type TableStructure = { sets: ObservedNftSet[]; chains: ObservedNftChain[] };

/** nft-names.ts's inputChain (gateway's and agent's) as parseNftTableJson reads it back. */
export function expectedInputChain(interfaces: string[], echo: boolean): ObservedNftChain {
  return {
    name: 'input',
    type: 'filter',
    hook: 'input',
    prio: 0,
    policy: 'accept',
    rules: [
      'ct state in { established, related } accept',
      ...(echo ? ['fib daddr . iif type == local icmp type == echo-request accept'] : []),
      ...interfaces.map((iface) => `iifname == ${iface} drop`),
    ],
  };
}

/**
 * Why an observed table's sets and chains are not the expected ones (empty: they are).
 * Chains named in `unorderedRules` are compared as multisets of rules (chains whose rules
 * all end in the same verdict, where order only changes speed).
 */
export function structureDifferences(
  expected: TableStructure,
  observed: TableStructure,
  { unorderedRules = [] }: { unorderedRules?: string[] } = {},
): string[] {
  const reasons: string[] = [];
  const normalise = (chains: ObservedNftChain[]) =>
    chains.map((chain) => (unorderedRules.includes(chain.name) ? { ...chain, rules: [...chain.rules].sort() } : chain));
  compareNamed('set', expected.sets, observed.sets, reasons);
  compareNamed('chain', normalise(expected.chains), normalise(observed.chains), reasons);
  return reasons;
}

function compareNamed<T extends { name: string }>(what: string, expected: T[], observed: T[], reasons: string[]) {
  const observedByName = new Map(observed.map((item) => [item.name, item]));
  for (const item of expected) {
    const found = observedByName.get(item.name);
    if (!found) reasons.push(`${what} ${item.name} missing`);
    else if (JSON.stringify(found) !== JSON.stringify(item)) {
      reasons.push(`${what} ${item.name} differs: expected ${JSON.stringify(item)}, found ${JSON.stringify(found)}`);
    }
  }
  const expectedNames = new Set(expected.map((item) => item.name));
  for (const item of observed) {
    if (!expectedNames.has(item.name)) reasons.push(`unexpected ${what} ${item.name}`);
  }
}
