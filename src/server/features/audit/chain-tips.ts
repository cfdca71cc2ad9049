import type { HeadRow } from './ingest-store.ts';

/**
 * The PostgreSQL ingest's prediction of chain heads (B6), per audit store: each plant's head
 * as the latest batch this process has chained will leave it, and the batches in flight.
 * A batch chained on a tip copies its records in before it locks the heads; under the locks
 * the prediction is checked against the stored heads, so a wrong tip costs a retry, never a
 * wrong chain.
 */
export type ChainTips = {
  heads: Map<string, HeadRow>;
  flights: Set<Promise<void>>;
  /** Batches that predicted wrong and ran again locking first (a replica's appends; within one process, a fault). */
  fallbacks: number;
};

const tipsByStore = new WeakMap<object, ChainTips>();

export function chainTipsOf(store: object): ChainTips {
  let tips = tipsByStore.get(store);
  if (!tips) {
    tips = { heads: new Map(), flights: new Set(), fallbacks: 0 };
    tipsByStore.set(store, tips);
  }
  return tips;
}

/** A batch in flight: `ahead` are the batches that were in flight when it started; `land` ends it. */
export type Flight = { ahead: Array<Promise<void>>; land: () => void };

export function takeOff(tips: ChainTips): Flight {
  const ahead = [...tips.flights];
  let land = () => {};
  const flight = new Promise<void>((resolve) => {
    land = () => {
      tips.flights.delete(flight);
      resolve();
    };
  });
  tips.flights.add(flight);
  return { ahead, land };
}

/**
 * Waits until the given batches have landed, or `ms` have passed: a bound, so that a batch
 * never waits without end for one that (through the database) waits for it.
 */
export async function landedWithin(flights: ReadonlyArray<Promise<void>>, ms: number): Promise<void> {
  if (flights.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(flights), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** A batch's chain was built on a wrong base: every tip of its plants is built on it too. */
export function forgetTips(tips: ChainTips, plantIds: Iterable<string>): void {
  for (const plantId of plantIds) tips.heads.delete(plantId);
}
