import { Alert, List, Text } from '@mantine/core';
import type { DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { devicesOfRefusal } from './refusals.ts';
import { useRemoveDirectVpn } from './use-direct-vpns.ts';

/** Delete with every consequence named first; devices behind its subnets (D8) need a second, explicit confirmation. */
export function DeleteDirectVpnDialog({ plantId, vpn, onClose }: { plantId: string; vpn: DirectVpnViewWire; onClose: () => void }) {
  const remove = useRemoveDirectVpn(plantId, vpn.id);
  const devices = devicesOfRefusal(remove.error);
  const hosted = vpn.direction === 'hosted';
  return (
    <ConfirmDialog
      opened
      title={`Delete ${vpn.name}?`}
      confirmLabel={devices ? `Delete with ${devices.length} device${devices.length === 1 ? '' : 's'}` : 'Delete direct VPN'}
      danger
      loading={remove.isPending}
      error={devices ? null : remove.error?.message}
      onCancel={onClose}
      onConfirm={() => remove.mutate(devices !== null, { onSuccess: onClose })}
    >
      <Text>
        The tunnel is torn down on the plant's agent. Its plant subnets {vpn.subnets.join(', ') || '(none)'} leave the plant: their routes end on every gateway
        and users reach nothing behind them any more.
      </Text>
      {hosted && (
        <Alert color="red" variant="outline" title="Every client goes with the server">
          {vpn.clientCount ?? 'All'} client{vpn.clientCount === 1 ? '' : 's'} (sites and users) are removed; their profiles stop working at once and cannot be
          reissued. Re-creating the server means new profiles for every client.
        </Alert>
      )}
      {devices && (
        <Alert color="red" variant="outline" title="Network devices behind these subnets" role="alert" data-testid="devices-warning">
          <Text size="sm">These devices lose their subnet and are removed with it:</Text>
          <List size="sm">
            {devices.map((d) => (
              <List.Item key={d}>{d}</List.Item>
            ))}
          </List>
        </Alert>
      )}
    </ConfirmDialog>
  );
}
