import { setTimeout as sleepTimer } from 'node:timers/promises';

/**
 * Time as a port: the daemon loops read the time and wait only through a Clock, so
 * unit tests drive them with FakeClock (testing/fake-clock.ts) instead of real waits.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once (never rejects) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (signal?.aborted) return;
    try {
      await sleepTimer(ms, undefined, { signal });
    } catch {
      // aborted: the caller checks its own stop flag
    }
  },
};
