import { useSyncExternalStore } from 'react';

/** The pages; the server answers every non-/api path with the app, so these are deep-linkable. */
export const PAGES = { vpn: '/', routes: '/routes', webTargets: '/web-targets', account: '/account', orgs: '/orgs', plants: '/plants', invite: '/invite' } as const;

const listeners = new Set<() => void>();
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
}
