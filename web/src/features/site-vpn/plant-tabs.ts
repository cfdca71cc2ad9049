import type { PlantAction } from '../../../../src/core/permissions.ts';

/** A plant's pages: its overview (organization pages only), the direct VPN tabs (SPEC D7, D9) and its browser proxy targets (O2). */
export const PLANT_TABS = ['overview', 'site-vpn', 'user-vpn', 'web-targets'] as const;
export type PlantTab = (typeof PLANT_TABS)[number];

export const PLANT_TAB_LABEL: Readonly<Record<PlantTab, string>> = { overview: 'Overview', 'site-vpn': 'Site VPN', 'user-vpn': 'User VPN', 'web-targets': 'Web targets' };

/** The plant action that shows a tab (src/core/permissions.ts, as the server reports the caller's); null: always shown. */
const PLANT_TAB_ACTION: Readonly<Record<PlantTab, PlantAction | null>> = {
  overview: null,
  'site-vpn': 'direct-vpn.view',
  'user-vpn': 'direct-vpn.view',
  'web-targets': 'web-target.manage',
};

/**
 * The tabs the caller may open, in order; `withOverview` false on the cooperation partner's page (no overview there).
 * Web targets are also shown to whoever may reach the plant (`reaches`, SPEC P4): they open them.
 */
export function visiblePlantTabs(actions: readonly PlantAction[], withOverview: boolean, reaches = false): PlantTab[] {
  return PLANT_TABS.filter(
    (t) => (t !== 'overview' || withOverview) && (PLANT_TAB_ACTION[t] === null || actions.includes(PLANT_TAB_ACTION[t]) || (t === 'web-targets' && reaches)),
  );
}

export function isPlantTab(text: string | undefined): text is PlantTab {
  return text !== undefined && (PLANT_TABS as readonly string[]).includes(text);
}

/** The cooperation partner's view of a shared plant: `/plants/<plant id>/<tab>`. */
export const SHARED_PLANTS_ROOT = '/plants';

export function sharedPlantPath(plantId: string, tab: PlantTab = 'site-vpn'): string {
  return `${SHARED_PLANTS_ROOT}/${encodeURIComponent(plantId)}/${tab}`;
}

/** null when the path is not a shared plant page. */
export function parseSharedPlantPath(pathname: string): { plantId: string; tab: PlantTab | null } | null {
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] !== 'plants' || !parts[1]) return null;
  let plantId: string;
  try {
    plantId = decodeURIComponent(parts[1]);
  } catch {
    plantId = parts[1];
  }
  return { plantId, tab: isPlantTab(parts[2]) ? parts[2] : null };
}
