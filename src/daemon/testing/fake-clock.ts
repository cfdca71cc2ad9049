import type { Clock } from '../clock.ts';

/**
 * A Clock for unit tests: time moves only in advance(), which wakes the sleepers in
 * time order and lets the promise chains they start settle before moving on.
 */
export class FakeClock implements Clock {
  private time: number;
  private timers: Array<{ at: number; wake: () => void }> = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = {
        at: this.time + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', timer.wake);
          this.timers = this.timers.filter((other) => other !== timer);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', timer.wake, { once: true });
    });
  }

  /** Number of pending sleeps (tests). */
  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      due.wake();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O-free async chains run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
