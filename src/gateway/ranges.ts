import { canonicalPrefix, ipv4ToInt, prefixLength } from '../core/net/ipv4.ts';
import { strictCidrV4 } from '../core/wire/formats.ts';
import type { StateStore } from '../daemon/state-store.ts';

/**
 * The two address ranges a gateway routes into its interfaces (`ip route replace RANGE dev
 * pgu0|pgs0`) come from the control plane. A document naming `0.0.0.0/0` there would
 * route the host's whole traffic into a tunnel; so they are bounded (no shorter than /8,
 * no longer than /28, written as a network, apart from each other) and pinned: the ranges
 * of the first document applied are kept in the state dir, and a later document with
 * other ranges is refused (reported, not applied) until an operator removes the pin.
 */

export const RANGE_MIN_LENGTH = 8;
export const RANGE_MAX_LENGTH = 28;
const PIN = 'pinned-ranges';

export type GatewayRanges = { tunnelRange: string; mappedSpace: string };

/** A desired state the daemon will not apply; the reason names the field. */
export class RefusedDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedDocumentError';
  }
}

/** What is wrong with the ranges (empty: nothing). */
export function rangeProblems(ranges: GatewayRanges): string[] {
  const problems: string[] = [];
  for (const field of ['tunnelRange', 'mappedSpace'] as const) {
    const value = ranges[field];
    if (!strictCidrV4.safeParse(value).success) {
      problems.push(`${field}: ${JSON.stringify(value)} is not an IPv4 network (a.b.c.d/n without host bits)`);
      continue;
    }
    let canonical: string;
    try {
      canonical = canonicalPrefix(value);
    } catch {
      problems.push(`${field}: ${JSON.stringify(value)} is not an IPv4 prefix`);
      continue;
    }
    if (!value.includes('/')) problems.push(`${field}: ${value} has no prefix length`);
    else if (canonical !== value) problems.push(`${field}: ${value} is not a network address (expected ${canonical})`);
    const length = prefixLength(canonical as never);
    if (length < RANGE_MIN_LENGTH || length > RANGE_MAX_LENGTH) {
      problems.push(`${field}: ${value} must be between /${RANGE_MIN_LENGTH} and /${RANGE_MAX_LENGTH}`);
    }
  }
  if (problems.length === 0 && overlap(ranges.tunnelRange, ranges.mappedSpace)) {
    problems.push(`tunnelRange ${ranges.tunnelRange} and mappedSpace ${ranges.mappedSpace} overlap`);
  }
  return problems;
}

/**
 * Checks a document's ranges against the bounds and the pin; pins them when nothing is
 * pinned yet. Throws RefusedDocumentError.
 */
export async function checkAndPinRanges(store: StateStore, ranges: GatewayRanges): Promise<void> {
  const problems = rangeProblems(ranges);
  if (problems.length > 0) throw new RefusedDocumentError(`desired state refused: ${problems.join('; ')}`);
  const pinned = (await store.read(PIN)) as Partial<GatewayRanges> | null;
  if (pinned === null) {
    await store.write(PIN, { tunnelRange: ranges.tunnelRange, mappedSpace: ranges.mappedSpace });
    return;
  }
  const moved = (['tunnelRange', 'mappedSpace'] as const).filter((field) => pinned[field] !== ranges[field]);
  if (moved.length > 0) {
    throw new RefusedDocumentError(
      `desired state refused: ${moved.map((field) => `${field} ${ranges[field]} differs from the pinned ${pinned[field]}`).join('; ')} (remove ${PIN}.json from the state dir to accept new ranges)`,
    );
  }
}

function overlap(a: string, b: string): boolean {
  const [na, la] = bounds(a);
  const [nb, lb] = bounds(b);
  return na <= lb && nb <= la;
}

function bounds(prefix: string): [number, number] {
  const length = prefixLength(prefix as never);
  const network = ipv4ToInt(prefix.slice(0, prefix.indexOf('/')));
  return [network, network + 2 ** (32 - length) - 1];
}
