import { type Place, type RegionCandidate, regionHealth } from '../../../core/regions/region-health.ts';
import type { AppContext } from '../../context.ts';
import { hostOf, placeOf } from '../sessions/geo.ts';
import { regionGatewayRows } from './store.ts';

/**
 * The regions as the DNS responder and the health endpoint see them: each with its
 * gateways' public addresses and last reports. A report this replica holds in its status
 * buffer counts even before it reaches the database; another replica's shows once that
 * replica flushes (DaemonStatusBuffer, 15 s), so every replica agrees within the flush.
 */
export async function regionCandidates(ctx: AppContext): Promise<RegionCandidate[]> {
  const rows = await regionGatewayRows(ctx.store.db);
  const byName = new Map<string, RegionCandidate>();
  for (const row of rows) {
    let region = byName.get(row.region);
    if (!region) {
      region = { name: row.region, drained: row.drained_at !== null, gateways: [], place: { country: null, continent: null } };
      byName.set(row.region, region);
    }
    if (row.gateway_id === null) continue;
    const buffered = ctx.daemonStatus.latestOf(row.gateway_id)?.seenAt ?? null;
    const seen = [row.last_seen_at, buffered].filter((s): s is string => s !== null).map((s) => Date.parse(s));
    const address = hostOf(row.endpoint);
    region.gateways.push({ address, lastSeenMs: seen.length > 0 ? Math.max(...seen) : null });
    if (address !== null && region.place.country === null) region.place = placeOf(address);
  }
  return [...byName.values()];
}

/**
 * Candidates cached for `maxAgeMs` (default 1 s): the DNS responder answers thousands of
 * queries a second from one read, and a region's health moves on a 10 s report cadence.
 */
export class RegionDirectory {
  private cached: { atMs: number; value: Promise<RegionCandidate[]> } | null = null;
  private readonly ctx: AppContext;
  private readonly maxAgeMs: number;

  constructor(ctx: AppContext, maxAgeMs = 1000) {
    this.ctx = ctx;
    this.maxAgeMs = maxAgeMs;
  }

  candidates(): Promise<RegionCandidate[]> {
    const nowMs = this.ctx.now().getTime();
    if (!this.cached || nowMs - this.cached.atMs > this.maxAgeMs) {
      const value = regionCandidates(this.ctx);
      this.cached = { atMs: nowMs, value };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = null;
      });
    }
    return this.cached.value;
  }
}

export type RegionHealthInfo = { region: string; healthy: boolean; drained: boolean; liveGateways: number; gateways: number };

export async function healthOfRegions(ctx: AppContext): Promise<Map<string, RegionHealthInfo>> {
  const nowMs = ctx.now().getTime();
  const result = new Map<string, RegionHealthInfo>();
  for (const region of await regionCandidates(ctx)) {
    const health = regionHealth(region, nowMs);
    result.set(region.name, { region: region.name, healthy: health.healthy, drained: region.drained, liveGateways: health.liveGateways, gateways: region.gateways.length });
  }
  return result;
}

export function clientPlace(address: string | null): Place {
  return address === null ? { country: null, continent: null } : placeOf(address);
}
