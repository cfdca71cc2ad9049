/**
 * The browser proxy's gateway section (issue 12, docs/browser-proxy.md): how long deriving
 * it takes for a whole installation, once per revision (src/core/proxy/proxy-section.ts, the
 * function FleetState calls through src/server/features/proxy/section.ts; the two database
 * reads before it are not part of this figure). Fleet: the B1 generator (10,000 users, 5,000
 * plants at scale 1), one web target per plant, `sessions` proxy sessions of random users —
 * 80% on a plant they may reach (they stay open), 20% on one they may not (permission lost:
 * left out and reported ended). Medians over `runs`.
 *
 *   npx node bench/proxy-section.ts [--scale 1] [--sessions 20000] [--runs 7] [--seed 1]
 */
import { formatIpv4 } from '../src/core/net/ipv4.ts';
import { type SessionRow, type TargetRow, buildProxySection } from '../src/core/proxy/proxy-section.ts';
import { grantedPlants } from '../src/core/routes/access.ts';
import type { UserId } from '../src/core/model.ts';
import { buildModel, generateFleet } from './fleet-generator.ts';
import { createRng } from './rng.ts';

export type ProxySectionFigures = {
  users: number;
  plants: number;
  targets: number;
  sessions: number;
  open: number;
  ended: number;
  deriveMsMedian: number;
  serializeMsMedian: number;
  sectionBytes: number;
};

export function proxySectionBench(o: { scale: number; users?: number; plants?: number; sessions: number; runs: number; seed: number }): ProxySectionFigures {
  const fleet = generateFleet({ seed: o.seed, scale: o.scale, ...(o.users ? { users: o.users } : {}), ...(o.plants ? { plants: o.plants } : {}) });
  const model = buildModel(fleet);
  const rng = createRng(o.seed + 1);
  const targets: TargetRow[] = [];
  for (const plant of fleet.plants) {
    const subnet = model.subnetsOf(plant.id)[0];
    if (!subnet) continue;
    targets.push({ id: `t-${plant.id}`, plantId: plant.id, host: `t-${targets.length.toString(36).padStart(12, '0')}`, scheme: 'https', port: 443, path: '/', deviceIp: formatIpv4(subnet.prefix.start + 1) });
  }
  const targetOf = new Map(targets.map((t) => [t.plantId, t]));
  const now = '2026-11-30T12:00:00.000Z';
  const sessions: SessionRow[] = [];
  for (let i = 0; sessions.length < o.sessions && i < o.sessions * 20; i++) {
    const user = rng.pick(fleet.users);
    const reach = [...grantedPlants(model, user.id as UserId).keys()].filter((p) => targetOf.has(p));
    const keep = rng.chance(0.8);
    if (keep && reach.length === 0) continue;
    const plantId = keep ? rng.pick(reach) : (rng.pick(targets) as TargetRow).plantId;
    sessions.push({
      id: `s${sessions.length}`,
      targetId: (targetOf.get(plantId) as TargetRow).id,
      userId: user.id,
      userEmail: user.email,
      grantHash: 'ab'.repeat(32),
      grantExpiresAt: '2026-11-30T12:00:30.000Z',
      expiresAt: '2026-11-30T20:00:00.000Z',
      closedAt: null,
      tokenRevokedAt: null,
      tokenExpiresAt: '2026-12-30T12:00:00.000Z',
      userDisabledAt: null,
    });
  }
  const derive: number[] = [];
  const serialize: number[] = [];
  let last = buildProxySection(model, { domain: 'proxy.example.net', port: 443 }, targets, sessions, now);
  let bytes = 0;
  for (let run = 0; run < o.runs; run++) {
    const started = performance.now();
    last = buildProxySection(model, { domain: 'proxy.example.net', port: 443 }, targets, sessions, now);
    derive.push(performance.now() - started);
    const s2 = performance.now();
    bytes = JSON.stringify(last.section).length;
    serialize.push(performance.now() - s2);
  }
  return {
    users: fleet.users.length,
    plants: fleet.plants.length,
    targets: last.section.targets.length,
    sessions: sessions.length,
    open: last.section.sessions.length,
    ended: last.ended.length,
    deriveMsMedian: round(median(derive)),
    serializeMsMedian: round(median(serialize)),
    sectionBytes: bytes,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] as string) : fallback;
  };
  const figures = proxySectionBench({ scale: Number(arg('scale', '1')), sessions: Number(arg('sessions', '20000')), runs: Number(arg('runs', '7')), seed: Number(arg('seed', '1')) });
  console.log(`RESULT ${JSON.stringify(figures)}`);
}
