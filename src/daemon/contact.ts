import type { StateStore } from './state-store.ts';

/**
 * When the control plane last answered, kept in the state dir: a daemon restarted without
 * the control plane serves its saved state only up to the max age counted from here
 * (SyncLoop, fail static bounded). Unknown (no entry) counts as too old.
 */
const ENTRY = 'last-contact';

export async function loadContact(store: StateStore): Promise<number | null> {
  const value = (await store.read(ENTRY).catch(() => null)) as { at?: unknown } | null;
  return typeof value?.at === 'number' && Number.isFinite(value.at) ? value.at : null;
}

export function saveContact(store: StateStore, at: number): Promise<void> {
  return store.write(ENTRY, { at, time: new Date(at).toISOString() });
}
