import { Button, Card, Group, Modal, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { type OrgSummary, PortfolioRequest, type PortfolioView } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { PickList, pickedIds } from '../PickList.tsx';
import { usePlants } from '../plants/use-plants.ts';
import type { OrgAccess } from '../use-org.ts';
import { usePortfolios, useRemovePortfolio, useSavePortfolio } from './use-portfolios.ts';

/** Portfolios group plants; a job role on a portfolio holds for each of its plants. */
export function PortfoliosPage({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const portfolios = usePortfolios(org.id);
  const remove = useRemovePortfolio(org.id);
  const [editing, setEditing] = useState<PortfolioView | 'new' | null>(null);
  const [removing, setRemoving] = useState<PortfolioView | null>(null);
  const manage = access.can('portfolios.manage');
  return (
    <Card withBorder padding="lg">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h3">
            Portfolios
          </Title>
          {manage && <Button onClick={() => setEditing('new')}>New portfolio</Button>}
        </Group>
        <Text size="sm">A job role on a portfolio holds for every plant in it, also for plants added later.</Text>
        <Loadable query={portfolios} what="portfolios" isEmpty={(l) => l.length === 0} empty={<Text>No portfolio yet.</Text>}>
          {(list) => (
            <TableScroll label="portfolios table" minWidth={520}>
              <Table className="stack-table" data-testid="portfolios-table" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Portfolio</Table.Th>
                    <Table.Th>Plants</Table.Th>
                    {manage && (
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    )}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((p) => (
                    <Table.Tr key={p.id} data-testid="portfolio-row" data-portfolio={p.name}>
                      <Table.Td data-label="Portfolio" fw={600}>
                        {p.name}
                      </Table.Td>
                      <Table.Td data-label="Plants">{p.plants.map((x) => x.name).join(', ') || 'no plant'}</Table.Td>
                      {manage && (
                        <Table.Td data-label="">
                          <Group gap={6} wrap="nowrap">
                            <Button size="compact-sm" variant="default" onClick={() => setEditing(p)} aria-label={`Edit portfolio ${p.name}`}>
                              Edit
                            </Button>
                            <Button size="compact-sm" color="red" variant="outline" onClick={() => setRemoving(p)} aria-label={`Delete portfolio ${p.name}`}>
                              Delete
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
        </Loadable>
      </Stack>
      {editing && <PortfolioDialog orgId={org.id} portfolio={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        opened={removing !== null}
        title={`Delete portfolio ${removing?.name ?? ''}?`}
        confirmLabel="Delete portfolio"
        danger
        loading={remove.isPending}
        error={remove.error?.message}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate(removing.id, { onSuccess: () => setRemoving(null) })}
      >
        <Text>
          The plants stay. Job roles granted on this portfolio, and its shares in cooperations, end with it: whoever reached a plant only through them loses
          that route at once.
        </Text>
      </ConfirmDialog>
    </Card>
  );
}

function PortfolioDialog({ orgId, portfolio, onClose }: { orgId: string; portfolio: PortfolioView | null; onClose: () => void }) {
  const plants = usePlants(orgId);
  const save = useSavePortfolio(orgId);
  const form = useZodForm(PortfolioRequest, { name: portfolio?.name ?? '', plants: portfolio?.plants.map((p) => p.id).join('\n') ?? '' }, (v) => ({
    name: v.name,
    plants: pickedIds(v.plants),
  }));
  const onSubmit = form.submit((input) =>
    save.mutate({ id: portfolio?.id ?? null, name: input.name, plants: input.plants }, { onSuccess: onClose, onError: form.showError }),
  );
  return (
    <Modal opened onClose={onClose} title={portfolio ? `Edit ${portfolio.name}` : 'New portfolio'} centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <TextInput label="Name" data-autofocus {...form.field('name')} />
          <Loadable query={plants} what="plants">
            {(list) => (
              <PickList
                label="Plants"
                options={list}
                value={form.values.plants ?? ''}
                onChange={(value) => form.setValues((v) => ({ ...v, plants: value }))}
                error={form.field('plants').error}
              />
            )}
          </Loadable>
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
              {portfolio ? 'Save portfolio' : 'Create portfolio'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
