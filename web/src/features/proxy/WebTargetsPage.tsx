import { Card, Stack, Text, Title } from '@mantine/core';
import { Loadable } from '../../ui/Loadable.tsx';
import { useMyWebTargets, useProxySettings } from './use-web-targets.ts';
import { WebTargetsTable } from './WebTargetsTable.tsx';

/** `/web-targets`: every device web interface the signed-in user may open, over all plants (SPEC O2, P4). */
export function WebTargetsPage() {
  const targets = useMyWebTargets();
  const settings = useProxySettings();
  return (
    <Stack maw={1200}>
      <Title order={1}>Web targets</Title>
      <Text size="sm">Device web interfaces you may open in the browser, with no VPN client: the plants where you hold the Operator or Technical Manager job role.</Text>
      {settings.data && !settings.data.enabled && (
        <Card withBorder padding="sm">
          <Text size="sm">The browser proxy is not configured on this server.</Text>
        </Card>
      )}
      <Loadable
        query={targets}
        what="web targets"
        isEmpty={(list) => list.length === 0}
        empty={
          <Card withBorder padding="lg">
            <Text>No web target you may open. A plant's operators add them on the plant's "Web targets" tab.</Text>
          </Card>
        }
      >
        {(list) => <WebTargetsTable targets={list} showPlant proxyOn={settings.data?.enabled ?? false} />}
      </Loadable>
    </Stack>
  );
}
