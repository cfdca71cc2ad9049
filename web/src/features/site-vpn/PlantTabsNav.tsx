import { Button, Group } from '@mantine/core';
import { navigate } from '../../app/router.ts';
import { PLANT_TAB_LABEL, type PlantTab } from './plant-tabs.ts';

/** The plant's tab links (deep-linkable addresses, like the organization tabs). */
export function PlantTabsNav({
  plantName,
  tabs,
  current,
  hrefOf,
}: {
  plantName: string;
  tabs: PlantTab[];
  current: PlantTab;
  hrefOf: (tab: PlantTab) => string;
}) {
  return (
    <Group gap={4} component="nav" aria-label={`${plantName} tabs`} wrap="wrap" className="plant-tabs">
      {tabs.map((t) => (
        <Button
          key={t}
          component="a"
          href={hrefOf(t)}
          size="sm"
          variant={t === current ? 'filled' : 'subtle'}
          aria-current={t === current ? 'page' : undefined}
          onClick={(event: React.MouseEvent) => {
            event.preventDefault();
            navigate(hrefOf(t));
          }}
        >
          {PLANT_TAB_LABEL[t]}
        </Button>
      ))}
    </Group>
  );
}
