import type {
  AllowedPair,
  GatewayDesiredState,
  GatewayPeer,
  GatewaySite,
  NativeMapping,
} from '../src/core/wire/gateway-state.ts';
import { formatIpv4, ipv4ToInt } from '../src/core/net/ipv4.ts';
import { createRng, type Rng } from './rng.ts';

/**
 * A deterministic, realistic gateway desired state for the data-plane benchmarks (B4, B5),
 * written directly as a GatewayDesiredState (no control plane involved):
 *
 * - `plants` plants with 2 subnets each; a third of the subnets on the common ranges
 *   (192.168.1.0/24, 192.168.0.0/24, 10.0.0.0/24, 192.168.178.0/24), the rest unique,
 *   /24 (40%) to /28, from 10.1.0.0 up; mapped prefixes of the same length, allocated
 *   aligned from 100.96.0.0/11 (as the fleet generator does at scale 1); 90% of the
 *   plants have an enrolled agent (a site peer with its mapped prefixes).
 * - `users` profiles (peers), tunnel IPs from 100.64.0.2 up; each holds 1–16 routes
 *   (mean ≈ 8.5, a run of neighbouring plants' subnets — an area portfolio — plus an
 *   occasional stray plant), exactly `allowed` pairs in total.
 * - exactly `native` native entries, on routes whose real subnet is unique for that user
 *   (a conflict group without a priority has none), same length as the mapped prefix.
 */

export type FillOptions = {
  seed?: number;
  users?: number;
  allowed?: number;
  native?: number;
  plants?: number;
};

export type Fill = {
  state: GatewayDesiredState;
  /** Every subnet: mapped and real prefix, and the plant it belongs to. */
  subnets: Array<{
    plant: number;
    mapped: string;
    real: string;
    length: number;
  }>;
  rng: Rng;
  /** Next free user tunnel IP (for added peers). */
  nextUserIp: () => string;
  /** A random valid WireGuard public key (32 random bytes, base64). */
  randomKey: () => string;
};

const COMMON = ['192.168.1.0', '192.168.0.0', '10.0.0.0', '192.168.178.0'];
export const USER_BASE = ipv4ToInt('100.64.0.2');
const AGENT_BASE = ipv4ToInt('100.72.0.1');
const MAPPED_BASE = ipv4ToInt('100.96.0.0');
const SMALL_BASE = ipv4ToInt('100.122.0.0');
const REAL_BASE = ipv4ToInt('10.1.0.0');

export function generateGatewayFill(options: FillOptions = {}): Fill {
  const seed = options.seed ?? 1;
  const userCount = options.users ?? 10_000;
  const allowedTotal = options.allowed ?? 85_000;
  const nativeTotal = options.native ?? 15_000;
  const plantCount = options.plants ?? 5_000;
  const rng = createRng(seed);
  const randomKey = () => {
    const bytes = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 4) bytes.writeUInt32BE(Math.floor(rng.next() * 2 ** 32), i);
    return bytes.toString('base64');
  };

  // Subnets: mapped and real, aligned, sequential.
  let mappedCursor = MAPPED_BASE;
  let smallCursor = SMALL_BASE;
  let realCursor = REAL_BASE;
  const aligned = (cursor: number, length: number) => {
    const size = 2 ** (32 - length);
    return Math.ceil(cursor / size) * size;
  };
  const subnets: Fill['subnets'] = [];
  for (let plant = 0; plant < plantCount; plant++) {
    const commonOnPlant = new Set<string>();
    for (let s = 0; s < 2; s++) {
      let length: number;
      let real: string;
      if (rng.chance(1 / 3)) {
        length = 24;
        let base = rng.pick(COMMON);
        while (commonOnPlant.has(base)) base = rng.pick(COMMON);
        commonOnPlant.add(base);
        real = `${base}/24`;
      } else {
        length = rng.chance(0.4) ? 24 : rng.int(25, 28);
        realCursor = aligned(realCursor, length);
        real = `${formatIpv4(realCursor)}/${length}`;
        realCursor += 2 ** (32 - length);
      }
      // /24s from the bottom of the space, smaller prefixes from 100.122.0.0 up, so
      // alignment wastes nothing.
      let mapped: string;
      if (length === 24) {
        mapped = `${formatIpv4(mappedCursor)}/24`;
        mappedCursor += 256;
      } else {
        smallCursor = aligned(smallCursor, length);
        mapped = `${formatIpv4(smallCursor)}/${length}`;
        smallCursor += 2 ** (32 - length);
      }
      subnets.push({ plant, mapped, real, length });
    }
  }
  if (mappedCursor > SMALL_BASE || smallCursor > MAPPED_BASE + 2 ** 21)
    throw new Error('mapped space 100.96.0.0/11 exhausted');

  const sites: GatewaySite[] = [];
  for (let plant = 0; plant < plantCount; plant++) {
    const enrolled = rng.chance(0.9);
    sites.push({
      plantId: `p${plant}`,
      plantName: `plant-${plant}`,
      agentPublicKey: enrolled ? randomKey() : null,
      agentTunnelIp: enrolled ? formatIpv4(AGENT_BASE + plant) : null,
      translations: subnets.slice(plant * 2, plant * 2 + 2).map(({ mapped, real }) => ({ mapped, real })),
    });
  }

  // Route counts per user: 1–16, then nudged to the exact total.
  const counts = Array.from({ length: userCount }, () => rng.int(1, 16));
  let sum = counts.reduce((a, b) => a + b, 0);
  while (sum !== allowedTotal) {
    const i = rng.int(0, userCount - 1);
    if (sum < allowedTotal && counts[i] < 20) {
      counts[i]++;
      sum++;
    } else if (sum > allowedTotal && counts[i] > 1) {
      counts[i]--;
      sum--;
    }
  }

  const peers: GatewayPeer[] = [];
  const allowed: AllowedPair[] = [];
  const nativeCandidates: Array<{ userIp: string; subnet: number }> = [];
  for (let u = 0; u < userCount; u++) {
    const userIp = formatIpv4(USER_BASE + u);
    peers.push({
      publicKey: randomKey(),
      tunnelIp: userIp,
      profileId: `profile-${u}`,
    });
    const chosen = new Set<number>();
    let cursor = rng.int(0, subnets.length - 1);
    while (chosen.size < counts[u]) {
      if (rng.chance(0.15)) chosen.add(rng.int(0, subnets.length - 1));
      else {
        chosen.add(cursor);
        cursor = (cursor + 1) % subnets.length;
      }
    }
    const realCount = new Map<string, number>();
    for (const index of chosen) realCount.set(subnets[index].real, (realCount.get(subnets[index].real) ?? 0) + 1);
    for (const index of [...chosen].sort((a, b) => a - b)) {
      allowed.push({ userIp, mapped: subnets[index].mapped });
      if (realCount.get(subnets[index].real) === 1) nativeCandidates.push({ userIp, subnet: index });
    }
  }
  if (nativeCandidates.length < nativeTotal) throw new Error(`only ${nativeCandidates.length} native candidates`);
  const native: NativeMapping[] = rng
    .shuffle(nativeCandidates)
    .slice(0, nativeTotal)
    .map(({ userIp, subnet }) => ({
      userIp,
      native: subnets[subnet].real,
      mapped: subnets[subnet].mapped,
    }));

  let nextUser = USER_BASE + userCount;
  return {
    state: {
      revision: 1,
      region: 'bench',
      gateway: null,
      servicePublicKey: '', // set by the caller from the key it creates the interface with
      serviceTunnelIp: '100.64.0.1',
      tunnelRange: '100.64.0.0/12',
      mappedSpace: '100.96.0.0/11',
      peers,
      allowed,
      native,
      sites,
    },
    subnets,
    rng,
    nextUserIp: () => formatIpv4(nextUser++),
    randomKey,
  };
}
