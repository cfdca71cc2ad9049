import { Badge, Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { RegionCreateRequest } from '../../../../src/core/wire/api.ts';
import { ApiRequestError } from '../../api/client.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatDate } from '../personal-vpn/VpnPage.tsx';
import { useAddRegion, useDrainRegion, useRegions, useRemoveRegion } from './use-platform.ts';

/** Regions: where users' clients dial in. Add (checked as typed), remove (refused while gateways are enrolled, unless forced). */
export function RegionsPage() {
  const regions = useRegions();
  const add = useAddRegion();
  const remove = useRemoveRegion();
  const drain = useDrainRegion();
  const [removing, setRemoving] = useState<string | null>(null);
  const form = useZodForm(RegionCreateRequest, { name: '', endpoint: '' });
  const onSubmit = form.submit((input) => add.mutate(input, { onSuccess: () => form.reset(), onError: form.showError }));
  // The server refuses while gateways are enrolled and names them: then the dialog offers removing them too.
  const hasGateways = remove.error instanceof ApiRequestError && remove.error.code === 'daemons-enrolled';
  const close = () => {
    setRemoving(null);
    remove.reset();
  };

  return (
    <Stack>
      <Card withBorder padding="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Title order={2} size="h3">
              Add a region
            </Title>
            <Text size="sm">Gateways enrol into a region. With a service name (docs/regions.md) every profile dials that one name and the control plane answers with the healthy regions that are not drained.</Text>
            <Group align="flex-start">
              <TextInput label="Name" placeholder="eu-central" {...form.field('name')} />
              <TextInput label="Endpoint (host:port)" placeholder="vpn.example.com:51820" w={300} maw="100%" {...form.field('endpoint')} />
              <Button type="submit" mt={25} loading={add.isPending}>
                Add region
              </Button>
            </Group>
            {form.formError && (
              <Text c="red.9" role="alert">
                {form.formError}
              </Text>
            )}
          </Stack>
        </form>
      </Card>
      <Loadable query={regions} what="regions" isEmpty={(d) => d.length === 0} empty="No region yet: add one so users' configs have somewhere to dial.">
        {(list) => (
          <TableScroll label="regions table" minWidth={560}>
            <Table className="stack-table" data-testid="regions-table" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Region</Table.Th>
                  <Table.Th>Endpoint</Table.Th>
                  <Table.Th>Health</Table.Th>
                  <Table.Th>Added</Table.Th>
                  <Table.Th>
                    <span className="mantine-visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td data-label="Region" fw={600}>
                      {r.name}
                    </Table.Td>
                    <Table.Td data-label="Endpoint">
                      <code>{r.endpoint}</code>
                    </Table.Td>
                    <Table.Td data-label="Health">
                      <Group gap={6}>
                        <Badge variant="dot" color={r.healthy ? 'teal' : 'red'} tt="none">
                          {r.healthy ? 'healthy' : 'down'} · {r.liveGateways}/{r.gateways} gateways
                        </Badge>
                        {r.drainedAt && (
                          <Badge variant="dot" color="orange" tt="none" title={`since ${formatDate(r.drainedAt)}`}>
                            drained
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td data-label="Added">{formatDate(r.createdAt)}</Table.Td>
                    <Table.Td data-label="">
                      <Button
                        size="compact-sm"
                        variant="outline"
                        mr="xs"
                        loading={drain.isPending && drain.variables?.name === r.name}
                        onClick={() => drain.mutate({ name: r.name, drained: r.drainedAt === null })}
                        aria-label={`${r.drainedAt === null ? 'Drain' : 'Undrain'} region ${r.name}`}
                      >
                        {r.drainedAt === null ? 'Drain' : 'Undrain'}
                      </Button>
                      <Button size="compact-sm" color="red" variant="outline" onClick={() => setRemoving(r.name)} aria-label={`Remove region ${r.name}`}>
                        Remove
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Loadable>
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove region ${removing ?? ''}?`}
        confirmLabel={hasGateways ? 'Remove region and its gateways' : 'Remove region'}
        danger
        loading={remove.isPending}
        error={remove.error?.message}
        onCancel={close}
        onConfirm={() => removing && remove.mutate({ name: removing, force: hasGateways }, { onSuccess: close })}
      >
        <Text>
          Users' configs stop listing this endpoint: clients that dial only this region lose access until their config is refreshed.
          {hasGateways && ' Its gateways are removed too: their credentials stop working at once.'}
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
