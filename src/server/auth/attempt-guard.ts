/**
 * Slows down and then locks password and TOTP guessing (issue 7 item 2; SPEC S1).
 *
 * Every failure is counted per key: per account (the email as typed, so an unknown
 * email is throttled exactly like a known one and nothing tells them apart) and per
 * source address. After `freeFailures` each further failure blocks the key for an
 * exponentially growing delay (base, 2×base, … up to `maxDelayMs`); from `lockAfter`
 * failures on, each failure locks it for `lockMs`. A success clears the account key,
 * never the source key (one valid account must not reset a guesser's budget). Keys
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

type Entry = { failures: number; blockedUntil: number; lastFailure: number };

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

  fail(keys: GuardKey[]): FailureOutcome {
    const now = this.clock();
    const locked: GuardKey[] = [];
    let retryAfterMs = 0;
    for (const k of keys) {
      const limits = this.limits[k.scope];
      const id = entryId(k);
      const entry = this.live(k, now) ?? { failures: 0, blockedUntil: 0, lastFailure: now };
      entry.failures += 1;
      entry.lastFailure = now;
      if (entry.failures >= limits.lockAfter) {
        entry.blockedUntil = now + limits.lockMs;
        if (entry.failures === limits.lockAfter) locked.push(k);
      } else if (entry.failures > limits.freeFailures) {
        const step = entry.failures - limits.freeFailures - 1;
        entry.blockedUntil = now + Math.min(limits.baseDelayMs * 2 ** Math.min(step, 30), limits.maxDelayMs);
      }
      retryAfterMs = Math.max(retryAfterMs, entry.blockedUntil - now);
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    this.prune(now);
    return { locked, retryAfterMs };
  }

  succeed(key: GuardKey): void {
    this.entries.delete(entryId(key));
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
