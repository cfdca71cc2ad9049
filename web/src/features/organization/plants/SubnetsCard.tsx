import { Alert, Button, Card, Group, List, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { PlantDetail } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { CopyField } from '../../../ui/CopyField.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { SubnetForm } from './plant-forms.ts';
import { useAddSubnet, useRemoveSubnet } from './use-plants.ts';

type Subnet = PlantDetail['subnets'][number];

export function SubnetsCard({ orgId, plant, manage }: { orgId: string; plant: PlantDetail; manage: boolean }) {
  const add = useAddSubnet(orgId, plant.id);
  const remove = useRemoveSubnet(orgId, plant.id);
  const [removing, setRemoving] = useState<Subnet | null>(null);
  const form = useZodForm(SubnetForm, { cidr: '' });
  const onSubmit = form.submit((input) => add.mutate(input.cidr.trim(), { onSuccess: () => form.reset(), onError: form.showError }));
  // SPEC D8: the devices behind the subnet are listed before anything changes.
  const affected = removing ? plant.devicesList.filter((d) => d.subnet === removing.cidr) : [];

  return (
    <Card withBorder padding="lg">
      <Stack>
        <Title order={3} size="h3">
          Subnets
        </Title>
        <Text size="sm">
          Each subnet is reachable through its own mapped prefix (the host part stays: .17 is .17 there), whatever other plant uses the same range.
        </Text>
        {plant.subnets.length === 0 ? (
          <Text>No subnet yet: the plant is reachable by nobody.</Text>
        ) : (
          <TableScroll label="subnets table" minWidth={520}>
            <Table className="stack-table" data-testid="subnets-table" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Native subnet</Table.Th>
                  <Table.Th>Mapped prefix</Table.Th>
                  <Table.Th>Devices</Table.Th>
                  {manage && (
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plant.subnets.map((s) => (
                  <Table.Tr key={s.id} data-testid="subnet-row" data-cidr={s.cidr}>
                    <Table.Td data-label="Native subnet">
                      <code>{s.cidr}</code>
                    </Table.Td>
                    <Table.Td data-label="Mapped prefix">
                      <CopyField value={s.mapped} label={`mapped prefix of ${s.cidr}`} />
                    </Table.Td>
                    <Table.Td data-label="Devices">{s.devices}</Table.Td>
                    {manage && (
                      <Table.Td data-label="">
                        <Button size="compact-sm" color="red" variant="outline" onClick={() => setRemoving(s)} aria-label={`Remove subnet ${s.cidr}`}>
                          Remove
                        </Button>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
        {manage && (
          <form onSubmit={onSubmit} noValidate>
            <Group align="flex-start">
              <TextInput label="Add a subnet" placeholder="192.168.2.0/24" w={{ base: '100%', sm: 260 }} {...form.field('cidr')} />
              <Button type="submit" mt={{ base: 0, sm: 25 }} loading={add.isPending}>
                Add subnet
              </Button>
            </Group>
            {form.formError && (
              <Text c="red.9" role="alert" mt="xs">
                {form.formError}
              </Text>
            )}
          </form>
        )}
      </Stack>
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove subnet ${removing?.cidr ?? ''} from ${plant.name}?`}
        confirmLabel={affected.length ? `Remove subnet and cut ${affected.length} device${affected.length === 1 ? '' : 's'} off` : 'Remove subnet'}
        danger
        loading={remove.isPending}
        error={remove.error?.message}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate({ subnetId: removing.id, confirm: affected.length > 0 }, { onSuccess: () => setRemoving(null) })}
      >
        {affected.length > 0 ? (
          <Alert
            color="red"
            variant="outline"
            title={`${affected.length} device${affected.length === 1 ? ' is' : 's are'} behind this subnet`}
            data-testid="d8-warning"
          >
            <Text size="sm">They are no longer reachable through plantgate once the subnet is gone:</Text>
            <List size="sm" mt="xs">
              {affected.map((d) => (
                <List.Item key={d.id}>
                  {d.name} ({d.ip}
                  {d.mappedIp ? `, mapped ${d.mappedIp}` : ''})
                </List.Item>
              ))}
            </List>
          </Alert>
        ) : (
          <Text>No device is behind this subnet.</Text>
        )}
        <Text size="sm">
          Routes to {removing?.cidr} and its mapped prefix {removing?.mapped} end at once on every gateway; open connections to it are cut.
        </Text>
      </ConfirmDialog>
    </Card>
  );
}
