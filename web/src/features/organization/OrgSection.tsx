import { Badge, Button, Card, Group, Loader, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import type { OrgSummary } from '../../../../src/core/wire/org.ts';
import { navigate } from '../../app/router.ts';
import { Loadable } from '../../ui/Loadable.tsx';

// Its own chunk: only Admins and Moderators open it (issue 10).
const AuditPage = lazy(() => import('../audit/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));

import { CooperationsPage } from './cooperations/CooperationsPage.tsx';
import { EventsPage } from './events/EventsPage.tsx';
import { ExplainPage } from './explain/ExplainPage.tsx';
import { JobRolesPage } from './job-roles/JobRolesPage.tsx';
import { ROLE_LABEL } from './labels.ts';
import { MembersPage } from './members/MembersPage.tsx';
import { ORG_TAB_ACTION, ORG_TAB_LABEL, ORG_TABS, type OrgLocation, type OrgTab, orgPath, parseOrgPath } from './org-paths.ts';
import { PlantDetailPage } from './plants/PlantDetailPage.tsx';
import { PlantsPage } from './plants/PlantsPage.tsx';
import type { PlantTab } from '../site-vpn/plant-tabs.ts';
import { PortfoliosPage } from './portfolios/PortfoliosPage.tsx';
import { OrgVpnsPage } from '../org-vpn/OrgVpnsPage.tsx';
import { type OrgAccess, useOrgAccess, useOrgs } from './use-org.ts';

/** `/orgs/…`: the organization switcher, the tabs the caller may use, and the tab's page. */
export function OrgSection({ path }: { path: string }) {
  const orgs = useOrgs();
  const location = parseOrgPath(path) ?? { orgId: null, tab: null, plantId: null, plantTab: null };
  return (
    <Stack maw={1200}>
      <Loadable
        query={orgs}
        what="organizations"
        isEmpty={(l) => l.length === 0}
        empty={
          <Card withBorder padding="lg">
            <Title order={1} size="h2">
              Organization
            </Title>
            <Text mt="sm">You belong to no organization. An administrator of one can invite you.</Text>
          </Card>
        }
      >
        {(list) => {
          const org = list.find((o) => o.id === location.orgId || o.name === location.orgId);
          if (location.orgId !== null && !org) {
            return (
              <Card withBorder padding="lg">
                <Title order={1} size="h2">
                  Organization not found
                </Title>
                <Text mt="sm">You are not a member of this organization, or it does not exist.</Text>
                <Button mt="md" variant="default" onClick={() => navigate(orgPath((list[0] as OrgSummary).id))}>
                  Go to {(list[0] as OrgSummary).name}
                </Button>
              </Card>
            );
          }
          return <OrgView orgs={list} org={org ?? (list[0] as OrgSummary)} location={location} />;
        }}
      </Loadable>
    </Stack>
  );
}

function OrgView({ orgs, org, location }: { orgs: OrgSummary[]; org: OrgSummary; location: OrgLocation }) {
  const access = useOrgAccess(org);
  const tabs = ORG_TABS.filter((t) => access.can(ORG_TAB_ACTION[t]));
  const tab = location.tab && tabs.includes(location.tab) ? location.tab : (tabs[0] ?? null);
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>{org.name}</Title>
          <Text size="sm">
            Your role:{' '}
            <Badge variant="dot" tt="none" color="blue" data-testid="my-org-role">
              {org.myRole ? ROLE_LABEL[org.myRole] : 'platform operator'}
            </Badge>{' '}
            · {org.members} member{org.members === 1 ? '' : 's'} · {org.plants} plant{org.plants === 1 ? '' : 's'}
          </Text>
        </div>
        {orgs.length > 1 && (
          <NativeSelect
            label="Switch organization"
            w={{ base: '100%', sm: 260 }}
            value={org.id}
            data={orgs.map((o) => ({ value: o.id, label: o.myRole ? `${o.name} (${ROLE_LABEL[o.myRole]})` : o.name }))}
            onChange={(e) => navigate(orgPath(e.currentTarget.value, tab ?? undefined))}
          />
        )}
      </Group>
      {tabs.length > 0 && (
        <Group gap={4} component="nav" aria-label={`${org.name} pages`} wrap="wrap">
          {tabs.map((t) => (
            <Button
              key={t}
              component="a"
              href={orgPath(org.id, t)}
              size="sm"
              variant={t === tab ? 'filled' : 'subtle'}
              aria-current={t === tab ? 'page' : undefined}
              onClick={(event: React.MouseEvent) => {
                event.preventDefault();
                navigate(orgPath(org.id, t));
              }}
            >
              {ORG_TAB_LABEL[t]}
            </Button>
          ))}
        </Group>
      )}
      {tab === null ? (
        <Card withBorder padding="lg">
          <Text>
            As a {org.myRole ? ROLE_LABEL[org.myRole] : 'member'} of {org.name} you have nothing to manage here. Your routes are on the Routes page.
          </Text>
        </Card>
      ) : (
        <TabPage org={org} tab={tab} plantId={location.plantId} plantTab={location.plantTab} access={access} />
      )}
    </Stack>
  );
}

function TabPage({ org, tab, plantId, plantTab, access }: { org: OrgSummary; tab: OrgTab; plantId: string | null; plantTab: PlantTab | null; access: OrgAccess }) {
  // Keyed by organization: switching organizations starts each page afresh (forms, dialogs).
  switch (tab) {
    case 'members':
      return <MembersPage key={org.id} org={org} access={access} />;
    case 'plants':
      return plantId ? (
        <PlantDetailPage key={`${org.id}/${plantId}`} org={org} plantId={plantId} plantTab={plantTab ?? 'overview'} access={access} />
      ) : (
        <PlantsPage key={org.id} org={org} access={access} />
      );
    case 'portfolios':
      return <PortfoliosPage key={org.id} org={org} access={access} />;
    case 'job-roles':
      return <JobRolesPage key={org.id} org={org} access={access} />;
    case 'cooperations':
      return <CooperationsPage key={org.id} org={org} access={access} />;
    case 'org-vpns':
      return <OrgVpnsPage key={org.id} org={org} access={access} />;
    case 'explain':
      return <ExplainPage key={org.id} org={org} />;
    case 'events':
      return <EventsPage key={org.id} org={org} />;
    case 'audit':
      return (
        <Suspense fallback={<Loader aria-label="Loading the audit page" />}>
          <AuditPage key={org.id} org={org} />
        </Suspense>
      );
  }
}
