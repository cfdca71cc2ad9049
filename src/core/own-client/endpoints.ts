/**
 * Issue 11 item 3: where the own client dials. The file's Endpoint (usually the service
 * name) is resolved at every (re)connect; after a failed gateway the client moves to the
 * first candidate that is not the one that failed: the service name's answers in their
 * order (healthy regions, nearest first), then each region's own endpoint from the
 * profile, so a client still fails over while the DNS has not yet noticed the dead region.
 */

export type RegionEndpoint = { name: string; endpoint: string };

/** Candidates, unique, in order: resolved addresses of the file's endpoint, then region endpoints. */
export function dialCandidates(resolved: string[], regions: RegionEndpoint[]): string[] {
  return [...new Set([...resolved, ...regions.map((r) => r.endpoint)])];
}

/**
 * The endpoint to dial next. `failed`: endpoints that went silent recently (the newest
 * last). With every candidate failed, the one that failed longest ago is tried again.
 */
export function nextEndpoint(candidates: string[], failed: string[]): string | null {
  const fresh = candidates.find((c) => !failed.includes(c));
  if (fresh !== undefined) return fresh;
  return failed.find((f) => candidates.includes(f)) ?? null;
}

/** The region whose endpoint this is (an address the service name answered matches a region's host). */
export function regionOf(endpoint: string, regions: RegionEndpoint[]): string | null {
  return regions.find((r) => r.endpoint === endpoint)?.name ?? null;
}

/** "host:port" → [host, port]; IPv6 in brackets is not used by plantgate's endpoints. */
export function splitEndpoint(endpoint: string): { host: string; port: number } | null {
  const match = /^([^\s:]+):(\d{1,5})$/.exec(endpoint);
  if (!match) return null;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1] as string, port } : null;
}
