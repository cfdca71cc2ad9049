import { Button, Card, Group, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import type { OrgSummary } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { AppLink } from '../../../ui/AppLink.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { orgPath } from '../org-paths.ts';
import type { OrgAccess } from '../use-org.ts';
import { AgentBadge } from './AgentBadge.tsx';
import { PlantCreateForm, splitList } from './plant-forms.ts';
import { useCreatePlant, usePlants } from './use-plants.ts';

/** The organization's plants: subnets with their mapped prefixes, devices, agent state. */
export function PlantsPage({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const plants = usePlants(org.id);
  return (
    <Stack>
      {access.can('plants.manage') && <CreatePlantCard orgId={org.id} />}
      <Card withBorder padding="lg">
        <Stack>
          <Title order={2} size="h3">
            Plants
          </Title>
          <Loadable
            query={plants}
            what="plants"
            isEmpty={(l) => l.length === 0}
            empty={
              <Text>
                {org.name} has no plant yet{access.can('plants.manage') ? ': create the first one above.' : '.'}
              </Text>
            }
          >
            {(list) => (
              <TableScroll label="plants table" minWidth={760}>
                <Table className="stack-table" data-testid="plants-table" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Plant</Table.Th>
                      <Table.Th>Subnets (native → mapped)</Table.Th>
                      <Table.Th>Devices</Table.Th>
                      <Table.Th>Portfolios</Table.Th>
                      <Table.Th>Agent</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((p) => (
                      <Table.Tr key={p.id} data-testid="plant-row" data-plant={p.name}>
                        <Table.Td data-label="Plant">
                          <AppLink to={orgPath(org.id, 'plants', p.id)} fw={600}>
                            {p.name}
                          </AppLink>
                        </Table.Td>
                        <Table.Td data-label="Subnets">
                          <div className="cell-list">
                            {p.subnets.length === 0
                              ? 'none'
                              : p.subnets.map((s) => (
                                  <div key={s.id}>
                                    <code>{s.cidr}</code> → <code>{s.mapped}</code>
                                  </div>
                                ))}
                          </div>
                        </Table.Td>
                        <Table.Td data-label="Devices">{p.devices}</Table.Td>
                        <Table.Td data-label="Portfolios">{p.portfolios.map((f) => f.name).join(', ') || '—'}</Table.Td>
                        <Table.Td data-label="Agent">
                          <AgentBadge agent={p.agent} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </TableScroll>
            )}
          </Loadable>
        </Stack>
      </Card>
    </Stack>
  );
}

function CreatePlantCard({ orgId }: { orgId: string }) {
  const create = useCreatePlant(orgId);
  const form = useZodForm(PlantCreateForm, { name: '', subnets: '' });
  const onSubmit = form.submit((input) =>
    create.mutate({ name: input.name, subnets: splitList(input.subnets) }, { onSuccess: () => form.reset(), onError: form.showError }),
  );
  return (
    <Card withBorder padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} size="h3">
            New plant
          </Title>
          <Group align="flex-start">
            <TextInput label="Name" w={{ base: '100%', sm: 260 }} {...form.field('name')} />
            <Textarea
              label="Subnets"
              description="CIDRs, separated by commas or lines; each gets its own mapped prefix"
              placeholder="192.168.1.0/24"
              autosize
              minRows={1}
              w={{ base: '100%', sm: 360 }}
              {...form.field('subnets')}
            />
            <Button type="submit" mt={{ base: 0, sm: 25 }} loading={create.isPending}>
              Create plant
            </Button>
          </Group>
          {form.formError && (
            <Text c="red.9" role="alert">
              {form.formError}
            </Text>
          )}
          {create.isSuccess && (
            <Text role="status" size="sm">
              Created. {create.data.changes.join('; ')}
            </Text>
          )}
        </Stack>
      </form>
    </Card>
  );
}
