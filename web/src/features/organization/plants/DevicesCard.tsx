import { Button, Card, Group, Modal, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { PlantDetail } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { CopyField } from '../../../ui/CopyField.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { DeviceForm, deviceRequest } from './plant-forms.ts';
import { useRemoveDevice, useSaveDevice } from './use-plants.ts';

type Device = PlantDetail['devicesList'][number];

/** Network devices with their mapped addresses (what a user types to reach them), add/edit/remove. */
export function DevicesCard({ orgId, plant, manage }: { orgId: string; plant: PlantDetail; manage: boolean }) {
  const [editing, setEditing] = useState<Device | 'new' | null>(null);
  const [removing, setRemoving] = useState<Device | null>(null);
  const remove = useRemoveDevice(orgId, plant.id);
  return (
    <Card withBorder padding="lg">
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h3">
            Devices
          </Title>
          {manage && <Button onClick={() => setEditing('new')}>Add device</Button>}
        </Group>
        {plant.devicesList.length === 0 ? (
          <Text>No device recorded.</Text>
        ) : (
          <TableScroll label="devices table" minWidth={760}>
            <Table className="stack-table" data-testid="devices-table" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Address</Table.Th>
                  <Table.Th>Mapped address</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Ports</Table.Th>
                  {manage && (
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plant.devicesList.map((d) => (
                  <Table.Tr key={d.id} data-testid="device-row" data-device={d.name}>
                    <Table.Td data-label="Name" fw={600}>
                      {d.name}
                    </Table.Td>
                    <Table.Td data-label="Address">
                      <code>{d.ip}</code>
                    </Table.Td>
                    <Table.Td data-label="Mapped address">
                      {d.mappedIp ? <CopyField value={d.mappedIp} label={`mapped address of ${d.name}`} /> : <Text size="sm">in no subnet: not reachable</Text>}
                    </Table.Td>
                    <Table.Td data-label="Kind">{d.kind}</Table.Td>
                    <Table.Td data-label="Ports">{d.ports.join(', ') || '—'}</Table.Td>
                    {manage && (
                      <Table.Td data-label="">
                        <Group gap={6} wrap="nowrap">
                          <Button size="compact-sm" variant="default" onClick={() => setEditing(d)} aria-label={`Edit device ${d.name}`}>
                            Edit
                          </Button>
                          <Button size="compact-sm" color="red" variant="outline" onClick={() => setRemoving(d)} aria-label={`Remove device ${d.name}`}>
                            Remove
                          </Button>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Stack>
      {/* Keyed by what it edits: a dialog opened for another device (or right after adding one) starts from that device, not from the previous form. */}
      {editing && (
        <DeviceDialog key={editing === 'new' ? 'new' : editing.id} orgId={orgId} plant={plant} device={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove device ${removing?.name ?? ''}?`}
        confirmLabel="Remove device"
        danger
        loading={remove.isPending}
        error={remove.error?.message}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate(removing.id, { onSuccess: () => setRemoving(null) })}
      >
        <Text>The device leaves the plant's inventory. Its address stays reachable as part of its subnet; remove or narrow the subnet to cut it off.</Text>
      </ConfirmDialog>
    </Card>
  );
}

function DeviceDialog({ orgId, plant, device, onClose }: { orgId: string; plant: PlantDetail; device: Device | null; onClose: () => void }) {
  const save = useSaveDevice(orgId, plant.id);
  const form = useZodForm(DeviceForm, {
    name: device?.name ?? '',
    ip: device?.ip ?? '',
    kind: device?.kind ?? '',
    ports: device?.ports.join(', ') ?? '',
  });
  const onSubmit = form.submit((input) =>
    save.mutate({ deviceId: device?.id ?? null, device: deviceRequest(input) }, { onSuccess: onClose, onError: form.showError }),
  );
  return (
    <Modal
      opened
      onClose={onClose}
      title={device ? `Edit ${device.name}` : `Add a device to ${plant.name}`}
      centered
      closeButtonProps={{ 'aria-label': 'Cancel' }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <TextInput label="Name" data-autofocus {...form.field('name')} />
          <TextInput
            label="IPv4 address"
            description={`In one of the subnets: ${plant.subnets.map((s) => s.cidr).join(', ') || 'none yet'}`}
            {...form.field('ip')}
          />
          <TextInput label="Kind" placeholder="inverter, data-logger, …" {...form.field('kind')} />
          <TextInput label="Ports" placeholder="80, 502" {...form.field('ports')} />
          {form.formError && (
            <Text c="red.9" role="alert">
              {form.formError}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {device ? 'Save device' : 'Add device'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
