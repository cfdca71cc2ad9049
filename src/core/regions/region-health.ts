/**
 * Which regions the service name answers with, and in which order (SPEC P8, issue 11).
 * Pure: the caller passes the clock, the gateways' last reports and the geo-IP
 * lookups it made.
 */

/** Gateways report every 10 s (DEFAULT_LOOP_OPTIONS.statusMs); two missed reports make a gateway silent. */
export const REGION_HEALTHY_WITHIN_SECONDS = 20;

export type GatewayReport = {
  /** The gateway's public address (host part of its registered endpoint), or null when it never registered. */
  address: string | null;
  /** Epoch ms of its last report or registration; null: never. */
  lastSeenMs: number | null;
};

/** Where an address is, from the offline geo-IP database; both null for private and unknown addresses. */
export type Place = { country: string | null; continent: string | null };

export type RegionCandidate = {
  name: string;
  drained: boolean;
  gateways: GatewayReport[];
  /** Where the region's gateways are (the first one the geo-IP database knows). */
  place: Place;
};

export type RegionHealth = { name: string; healthy: boolean; drained: boolean; liveGateways: number };

export function gatewayLive(g: GatewayReport, nowMs: number, withinMs: number): boolean {
  return g.lastSeenMs !== null && nowMs - g.lastSeenMs <= withinMs;
}

/** A region is healthy while at least one of its gateways reported within the window. */
export function regionHealth(region: RegionCandidate, nowMs: number, withinMs = REGION_HEALTHY_WITHIN_SECONDS * 1000): RegionHealth {
  const liveGateways = region.gateways.filter((g) => gatewayLive(g, nowMs, withinMs)).length;
  return { name: region.name, healthy: liveGateways > 0, drained: region.drained, liveGateways };
}

export type ServiceAnswer = {
  /** IPv4 and IPv6 addresses, nearest region first. */
  addresses: string[];
  /** The regions answered, in order. */
  regions: string[];
  /** True when no region is healthy and every known address is answered rather than none. */
  failOpen: boolean;
};

/**
 * The addresses the service name resolves to for a client at `client`:
 * - healthy regions that are not drained; when every healthy region is drained, those
 *   (a drained region is left out only while another healthy one exists);
 * - when no region is healthy at all (the control plane lost the reports, not
 *   necessarily the gateways), every region's registered gateways: an answer that might
 *   work beats one that certainly does not;
 * - nearest first: same country, then same continent, then the rest; ties by region name.
 * Within a region, only its live gateways' addresses (all of them when failing open).
 */
export function serviceAnswer(regions: RegionCandidate[], client: Place, nowMs: number, withinMs = REGION_HEALTHY_WITHIN_SECONDS * 1000): ServiceAnswer {
  const healthy = regions.filter((r) => regionHealth(r, nowMs, withinMs).healthy);
  const inService = healthy.filter((r) => !r.drained);
  const failOpen = healthy.length === 0;
  const chosen = failOpen ? regions.filter((r) => !r.drained).concat(regions.filter((r) => r.drained)) : inService.length > 0 ? inService : healthy;
  const ordered = [...chosen].sort((a, b) => Number(a.drained) - Number(b.drained) || distance(client, a.place) - distance(client, b.place) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const addresses: string[] = [];
  for (const region of ordered) {
    for (const g of region.gateways) {
      if (g.address === null || addresses.includes(g.address)) continue;
      if (failOpen || gatewayLive(g, nowMs, withinMs)) addresses.push(g.address);
    }
  }
  return { addresses, regions: ordered.map((r) => r.name), failOpen };
}

/** 0 same country, 1 same continent, 2 elsewhere or unknown. */
export function distance(client: Place, region: Place): number {
  if (client.country !== null && client.country === region.country) return 0;
  if (client.continent !== null && client.continent === region.continent) return 1;
  return 2;
}
