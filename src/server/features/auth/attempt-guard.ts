/**
 * Slows down and then locks password and TOTP guessing (issue 7 item 2; SPEC S1).
 *
 * Every failure is counted per key: per account (the email as typed, so an unknown
 * email is throttled exactly like a known one and nothing tells them apart) and per
 * source address. After `freeFailures` each further failure blocks the key for an
 * exponentially growing delay (base, 2×base, … up to `maxDelayMs`); from `lockAfter`
 * failures on, each failure locks it for `lockMs`. An attempt counts from the moment it
 * is let through (`begin`), so parallel guesses are limited like sequential ones. A
 * success clears the account key, but gives the source only that attempt back (one
 * valid account must not reset a guesser's budget). Keys
 * are forgotten `forgetAfterMs` after their last failure. State is per process and
 * bounded to `maxEntries` keys.
 */
export type AttemptLimits = {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number;
  lockMs: number;
  forgetAfterMs: number;
};

export type GuardLimits = { account: AttemptLimits; source: AttemptLimits; maxEntries: number };

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
  account: { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 5 * 60_000, lockAfter: 20, lockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
  // Several people may share one address (an office NAT): more room before a source is slowed.
  source: { freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 5 * 60_000, lockAfter: 100, lockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
  maxEntries: 100_000,
};

export type GuardKey = { scope: 'account' | 'source'; key: string };

type Entry = { failures: number; blockedUntil: number; lastFailure: number; lockReported: boolean };

export type FailureOutcome = {
  /** Keys that this failure locked (reached `lockAfter`), for the event log. */
  locked: GuardKey[];
  /** Milliseconds until the next attempt is allowed (0: at once). */
  retryAfterMs: number;
};

export class AttemptGuard {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: GuardLimits;
  private readonly clock: () => number;

  constructor(limits: GuardLimits, clock: () => number) {
    this.limits = limits;
    this.clock = clock;
  }

  /** Milliseconds until these keys may try again; 0 when none is blocked. */
  retryAfterMs(keys: GuardKey[]): number {
    const now = this.clock();
    let wait = 0;
    for (const k of keys) {
      const entry = this.live(k, now);
      if (entry && entry.blockedUntil > now) wait = Math.max(wait, entry.blockedUntil - now);
    }
    return wait;
  }

  /**
   * Starts an attempt. 0: allowed, and it counts as a failure from now on until
   * `succeeded` gives it back — so a burst of parallel guesses cannot all pass this
   * check before the first of them has failed. Otherwise the milliseconds to wait
   * (and nothing is counted).
   */
  begin(keys: GuardKey[]): number {
    const wait = this.retryAfterMs(keys);
    if (wait > 0) return wait;
    this.count(keys);
    return 0;
  }

  /** The attempt `begin` let through failed: reports each key's lock once, when reached. */
  failed(keys: GuardKey[]): FailureOutcome {
    const now = this.clock();
    const locked: GuardKey[] = [];
    let retryAfterMs = 0;
    for (const k of keys) {
      const entry = this.live(k, now);
      if (!entry) continue;
      if (entry.failures >= this.limits[k.scope].lockAfter && !entry.lockReported) {
        entry.lockReported = true;
        locked.push(k);
      }
      retryAfterMs = Math.max(retryAfterMs, entry.blockedUntil - now);
    }
    return { locked, retryAfterMs };
  }

  /** The attempt succeeded: an account starts over; a source only gets this attempt back. */
  succeeded(keys: GuardKey[]): void {
    for (const k of keys) if (k.scope === 'account') this.entries.delete(entryId(k));
    this.refund(keys.filter((k) => k.scope === 'source'));
  }

  /** The attempt was no guess (the server failed): it no longer counts. */
  refund(keys: GuardKey[]): void {
    for (const k of keys) {
      const entry = this.entries.get(entryId(k));
      if (!entry) continue;
      entry.failures = Math.max(0, entry.failures - 1);
      if (entry.failures <= this.limits[k.scope].freeFailures) entry.blockedUntil = 0;
    }
  }

  /** An attempt known to have failed (begin + failed, without the check). */
  fail(keys: GuardKey[]): FailureOutcome {
    this.count(keys);
    return this.failed(keys);
  }

  private count(keys: GuardKey[]): void {
    const now = this.clock();
    for (const k of keys) {
      const limits = this.limits[k.scope];
      const id = entryId(k);
      const entry = this.live(k, now) ?? { failures: 0, blockedUntil: 0, lastFailure: now, lockReported: false };
      entry.failures += 1;
      entry.lastFailure = now;
      if (entry.failures >= limits.lockAfter) entry.blockedUntil = now + limits.lockMs;
      else if (entry.failures > limits.freeFailures) {
        const step = entry.failures - limits.freeFailures - 1;
        entry.blockedUntil = now + Math.min(limits.baseDelayMs * 2 ** Math.min(step, 30), limits.maxDelayMs);
      }
      // Most recently failed last: pruning drops from the front.
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    this.prune(now);
  }

  /** How many keys are held (for tests and metrics). */
  size(): number {
    return this.entries.size;
  }

  private live(k: GuardKey, now: number): Entry | undefined {
    const entry = this.entries.get(entryId(k));
    if (!entry) return undefined;
    if (entry.blockedUntil <= now && now - entry.lastFailure > this.limits[k.scope].forgetAfterMs) {
      this.entries.delete(entryId(k));
      return undefined;
    }
    return entry;
  }

  /** Over the bound: drop forgettable keys, then the least recently failed ones (Map order). */
  private prune(now: number): void {
    if (this.entries.size <= this.limits.maxEntries) return;
    for (const [id, entry] of this.entries) {
      const scope = id.startsWith('s:') ? 'source' : 'account';
      if (entry.blockedUntil <= now && now - entry.lastFailure > this.limits[scope].forgetAfterMs) this.entries.delete(id);
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries) break;
      this.entries.delete(id);
    }
  }
}

function entryId(k: GuardKey): string {
  return `${k.scope === 'source' ? 's' : 'a'}:${k.key}`;
}

/** Limits from the environment (PLANTGATE_AUTH_FREE_FAILURES, …_LOCK_AFTER, …_LOCK_MINUTES); the source scope scales with them. */
export function guardLimitsFromEnv(env: NodeJS.ProcessEnv): GuardLimits {
  const number = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}: "${raw}" must be a whole number ≥ ${min}`);
    return n;
  };
  const d = DEFAULT_GUARD_LIMITS;
  const free = number('PLANTGATE_AUTH_FREE_FAILURES', d.account.freeFailures, 1);
  const lockAfter = number('PLANTGATE_AUTH_LOCK_AFTER', d.account.lockAfter, free + 1);
  const lockMs = number('PLANTGATE_AUTH_LOCK_MINUTES', d.account.lockMs / 60_000, 1) * 60_000;
  return {
    account: { ...d.account, freeFailures: free, lockAfter, lockMs },
    source: { ...d.source, freeFailures: free * 4, lockAfter: lockAfter * 5, lockMs },
    maxEntries: d.maxEntries,
  };
}
