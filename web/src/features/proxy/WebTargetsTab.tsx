import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { WebTargetView } from '../../../../src/core/wire/proxy.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { usePlantWebTargets, useProxySettings, useRemoveWebTarget } from './use-web-targets.ts';
import { WebTargetDialog } from './WebTargetDialog.tsx';
import { WebTargetsTable } from './WebTargetsTable.tsx';

/**
 * A plant's "Web targets" tab (SPEC O2): its network devices' web interfaces, opened in the
 * browser through the region gateways. Managers (Admins, Moderators, the Operator job role)
 * add, change and remove them; users who may reach the plant open them.
 */
export function WebTargetsTab({ plantId, plantName, manage }: { plantId: string; plantName: string; manage: boolean }) {
  const targets = usePlantWebTargets(plantId);
  const settings = useProxySettings();
  const [editing, setEditing] = useState<WebTargetView | 'new' | null>(null);
  const [removing, setRemoving] = useState<WebTargetView | null>(null);
  const proxyOn = settings.data?.enabled ?? false;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2} size="h3">
            Web targets
          </Title>
          <Text size="sm" maw={720}>
            Open a device's web interface in the browser, without a VPN client. Each target gets its own address; opening it is for users who may reach{' '}
            {plantName} (Operator or Technical Manager job role), and every session is in the plant's audit trail.
          </Text>
        </div>
        {manage && <Button onClick={() => setEditing('new')}>Add web target</Button>}
      </Group>
      {settings.data && !settings.data.enabled && (
        <Card withBorder padding="sm">
          <Text size="sm">The browser proxy is not configured on this server (plantgate server --proxy-domain): targets can be prepared but not opened yet.</Text>
        </Card>
      )}
      <Loadable
        query={targets}
        what="web targets"
        isEmpty={(list) => list.length === 0}
        empty={
          <Card withBorder padding="lg">
            <Text>No web target on {plantName} yet.{manage ? ' Add one for a network device with a web interface (an inverter, a data logger).' : ''}</Text>
          </Card>
        }
      >
        {(list) => <WebTargetsTable targets={list} showPlant={false} proxyOn={proxyOn} onEdit={(t) => setEditing(t)} onRemove={(t) => setRemoving(t)} />}
      </Loadable>
      {editing !== null && <WebTargetDialog plantId={plantId} target={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      {removing && <RemoveDialog plantId={plantId} target={removing} onClose={() => setRemoving(null)} />}
    </Stack>
  );
}

function RemoveDialog({ plantId, target, onClose }: { plantId: string; target: WebTargetView; onClose: () => void }) {
  const remove = useRemoveWebTarget(plantId, target.id);
  return (
    <ConfirmDialog
      opened
      title={`Remove ${target.label}?`}
      confirmLabel="Remove web target"
      danger
      loading={remove.isPending}
      error={remove.error?.message}
      onCancel={onClose}
      onConfirm={() => remove.mutate(undefined, { onSuccess: onClose })}
    >
      <Text>Browser sessions open on it end at once; its address stops working.</Text>
    </ConfirmDialog>
  );
}
