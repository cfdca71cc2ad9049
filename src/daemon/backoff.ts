/**
 * Capped exponential backoff for reconnecting to the control plane: initial, 2×, 4×, …
 * up to max. `jitter` in [0, 1) (a random number, passed in) spreads a fleet of daemons
 * that lost the control plane at the same moment by up to 20 % of the delay.
 */
export type BackoffOptions = { initialMs: number; maxMs: number };

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

export function backoffDelay(failures: number, options: BackoffOptions, jitter = 0): number {
  if (failures <= 0) return 0;
  const exponential = options.initialMs * 2 ** Math.min(failures - 1, 30);
  const capped = Math.min(options.maxMs, exponential);
  return Math.round(capped * (1 - 0.2 * jitter));
}
