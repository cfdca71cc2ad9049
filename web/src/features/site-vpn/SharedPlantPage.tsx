import { Card, Stack, Text, Title } from '@mantine/core';
import { Loadable } from '../../ui/Loadable.tsx';
import { PlantTabsNav } from './PlantTabsNav.tsx';
import { parseSharedPlantPath, sharedPlantPath, visiblePlantTabs } from './plant-tabs.ts';
import { SiteVpnTab } from './SiteVpnTab.tsx';
import { usePlantAccess } from './use-direct-vpns.ts';
import { UserVpnTab } from './UserVpnTab.tsx';
import { WebTargetsTab } from '../proxy/WebTargetsTab.tsx';

/**
 * `/plants/<id>/<tab>`: a plant seen through a cooperation (the partner has no page of the
 * owner organization), with the tabs the caller's plant actions allow.
 */
export function SharedPlantPage({ path }: { path: string }) {
  const location = parseSharedPlantPath(path);
  const access = usePlantAccess(location?.plantId ?? '');
  if (!location) {
    return (
      <Card withBorder padding="lg">
        <Text>No plant named in this address.</Text>
      </Card>
    );
  }
  return (
    <Stack maw={1200}>
      <Loadable query={access} what="plant">
        {(plant) => {
          const tabs = visiblePlantTabs(plant.actions, false, plant.reaches);
          const tab = location.tab && tabs.includes(location.tab) ? location.tab : tabs[0];
          const manage = plant.actions.includes('direct-vpn.manage');
          return (
            <Stack>
              <div>
                <Title order={1}>{plant.name}</Title>
                <Text size="sm">A plant of {plant.organization.name}</Text>
              </div>
              {tab === undefined ? (
                <Card withBorder padding="lg">
                  <Text>Your job role on {plant.name} does not show its direct VPNs (Technical Manager or higher needed).</Text>
                </Card>
              ) : (
                <>
                  <PlantTabsNav plantName={plant.name} tabs={tabs} current={tab} hrefOf={(t) => sharedPlantPath(plant.id, t)} />
                  {tab === 'web-targets' ? (
                    <WebTargetsTab plantId={plant.id} plantName={plant.name} manage={plant.actions.includes('web-target.manage')} />
                  ) : tab === 'user-vpn' ? (
                    <UserVpnTab plantId={plant.id} plantName={plant.name} manage={manage} />
                  ) : (
                    <SiteVpnTab plantId={plant.id} plantName={plant.name} manage={manage} />
                  )}
                </>
              )}
            </Stack>
          );
        }}
      </Loadable>
    </Stack>
  );
}
