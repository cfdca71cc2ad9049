import type { OrgAction } from '../../../../src/core/permissions.ts';
import { isPlantTab, type PlantTab } from '../site-vpn/plant-tabs.ts';

/**
 * The organization pages' addresses: `/orgs/<org id>/<tab>` and
 * `/orgs/<org id>/plants/<plant id>[/<plant tab>]`. Ids, not names, so a rename keeps links working.
 */
export const ORG_TABS = ['members', 'plants', 'portfolios', 'job-roles', 'cooperations', 'org-vpns', 'explain', 'events', 'audit'] as const;
export type OrgTab = (typeof ORG_TABS)[number];

export const ORG_TAB_LABEL: Readonly<Record<OrgTab, string>> = {
  members: 'Members',
  plants: 'Plants',
  portfolios: 'Portfolios',
  'job-roles': 'Job roles',
  cooperations: 'Cooperations',
  'org-vpns': 'Organization VPNs',
  explain: 'Explain access',
  events: 'Events',
  audit: 'Audit',
};

/** The action that opens a tab (src/core/permissions.ts): a tab the caller may not use is not shown. */
export const ORG_TAB_ACTION: Readonly<Record<OrgTab, OrgAction>> = {
  members: 'members.view',
  plants: 'plants.view',
  portfolios: 'plants.view',
  'job-roles': 'job-roles.view',
  cooperations: 'cooperations.view',
  'org-vpns': 'org-vpns.view',
  explain: 'access.explain',
  events: 'events.view',
  audit: 'audit.read',
};

export type OrgLocation = { orgId: string | null; tab: OrgTab | null; plantId: string | null; plantTab: PlantTab | null };

export const ORGS_ROOT = '/orgs';

/** null when the path is not an organization page. */
export function parseOrgPath(pathname: string): OrgLocation | null {
  const parts = pathname.split('/').filter(Boolean).map(safeDecode);
  if (parts[0] !== 'orgs') return null;
  const orgId = parts[1] ?? null;
  const tabPart = parts[2];
  const tab = tabPart !== undefined && (ORG_TABS as readonly string[]).includes(tabPart) ? (tabPart as OrgTab) : null;
  const plantId = tab === 'plants' ? (parts[3] ?? null) : null;
  const plantTab = plantId !== null && isPlantTab(parts[4]) ? parts[4] : null;
  return { orgId, tab, plantId, plantTab };
}

export function orgPath(orgId: string, tab?: OrgTab, plantId?: string, plantTab?: PlantTab): string {
  let path = `${ORGS_ROOT}/${encodeURIComponent(orgId)}`;
  if (tab) path += `/${tab}`;
  if (tab === 'plants' && plantId) path += `/${encodeURIComponent(plantId)}`;
  if (tab === 'plants' && plantId && plantTab && plantTab !== 'overview') path += `/${plantTab}`;
  return path;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
