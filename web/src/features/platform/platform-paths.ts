/** The platform pages (operators only); the server answers every non-/api path with the app. */
export const PLATFORM_PAGES = [
  { path: '/platform', label: 'Organizations' },
  { path: '/platform/users', label: 'Users' },
  { path: '/platform/regions', label: 'Regions' },
  { path: '/platform/daemons', label: 'Gateways and agents' },
  { path: '/platform/events', label: 'Events' },
] as const;

export function isPlatformPath(path: string): boolean {
  return path === '/platform' || path.startsWith('/platform/');
}
