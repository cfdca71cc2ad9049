import { Button, Card, Loader, SegmentedControl, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { Fragment, useState } from 'react';
import type { JobRoleView, OrgSummary } from '../../../../../src/core/wire/org.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { JOB_ROLE_LABEL } from '../labels.ts';
import { useMembers } from '../members/use-members.ts';
import { usePlants } from '../plants/use-plants.ts';
import { usePortfolios } from '../portfolios/use-portfolios.ts';
import type { OrgAccess } from '../use-org.ts';
import { GrantJobRoleForm } from './GrantJobRoleForm.tsx';
import { useGrantJobRole, useJobRoles, useRemoveJobRole } from './use-job-roles.ts';

type GroupBy = 'user' | 'target';

/** Job roles per plant and portfolio (SPEC P4: Operator and Technical Manager give routes to members who are not guests). */
export function JobRolesPage({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const jobRoles = useJobRoles(org.id);
  const manage = access.can('job-roles.manage');
  const members = useMembers(org.id, manage);
  const plants = usePlants(org.id, manage);
  const portfolios = usePortfolios(org.id, manage);
  const grant = useGrantJobRole(org.id);
  const remove = useRemoveJobRole(org.id);
  const [groupBy, setGroupBy] = useState<GroupBy>('user');
  const [removing, setRemoving] = useState<JobRoleView | null>(null);
  const targets = [
    ...(plants.data ?? []).map((p) => ({ kind: 'plant' as const, id: p.id, name: p.name })),
    ...(portfolios.data ?? []).map((p) => ({ kind: 'portfolio' as const, id: p.id, name: p.name })),
  ];

  return (
    <Stack>
      {manage && (
        <Card withBorder padding="lg">
          <Stack>
            <Title order={2} size="h3">
              Grant a job role
            </Title>
            <Text size="sm">
              Operator and Technical Manager give the member routes to the plant (a Guest gets none); Asset Manager and Viewer give none. Granting where the
              member already has a role on that target replaces it.
            </Text>
            {members.data && plants.data && portfolios.data ? (
              <GrantJobRoleForm users={members.data} targets={targets} pending={grant.isPending} grant={(input, callbacks) => grant.mutate(input, callbacks)} />
            ) : [members, plants, portfolios].some((q) => q.isError) ? (
              <Text c="red.9" role="alert">
                The members or plants could not be loaded: {[members, plants, portfolios].find((q) => q.isError)?.error?.message}
              </Text>
            ) : (
              <Loader aria-label="Loading members and plants" />
            )}
          </Stack>
        </Card>
      )}
      <Card withBorder padding="lg">
        <Stack>
          <Title order={2} size="h3">
            Job roles
          </Title>
          <SegmentedControl
            aria-label="Group job roles by"
            value={groupBy}
            onChange={(v) => setGroupBy(v as GroupBy)}
            data={[
              { value: 'user', label: 'By member' },
              { value: 'target', label: 'By plant or portfolio' },
            ]}
            w={{ base: '100%', sm: 360 }}
          />
          <Loadable
            query={jobRoles}
            what="job roles"
            isEmpty={(l) => l.length === 0}
            empty={<Text>No job role yet: nobody reaches a plant of {org.name}.</Text>}
          >
            {(list) => <JobRoleTable list={list} groupBy={groupBy} onRemove={manage ? setRemoving : null} />}
          </Loadable>
        </Stack>
      </Card>
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove ${removing?.user.name ?? ''}'s job role on ${removing?.target.name ?? ''}?`}
        confirmLabel="Remove job role"
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
          If this role gave {removing?.user.email} routes, they end at once on every gateway (open connections are cut), unless another job role still gives
          them.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

function JobRoleTable({ list, groupBy, onRemove }: { list: JobRoleView[]; groupBy: GroupBy; onRemove: ((j: JobRoleView) => void) | null }) {
  const keyOf = (j: JobRoleView) => (groupBy === 'user' ? j.user.id : `${j.target.kind}:${j.target.id}`);
  const titleOf = (j: JobRoleView) => (groupBy === 'user' ? `${j.user.name} (${j.user.email})` : `${j.target.name} (${j.target.kind})`);
  const groups = [...Map.groupBy(list, keyOf).values()].sort((a, b) => titleOf(a[0] as JobRoleView).localeCompare(titleOf(b[0] as JobRoleView)));
  return (
    <TableScroll label="job roles table" minWidth={560}>
      <Table className="stack-table" data-testid="job-roles-table" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{groupBy === 'user' ? 'Plant or portfolio' : 'Member'}</Table.Th>
            <Table.Th>Job role</Table.Th>
            <Table.Th>Granted by</Table.Th>
            {onRemove && (
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.map((rows) => (
            <Fragment key={keyOf(rows[0] as JobRoleView)}>
              <Table.Tr bg="gray.0">
                <Table.Th colSpan={onRemove ? 4 : 3} scope="rowgroup">
                  {titleOf(rows[0] as JobRoleView)}
                </Table.Th>
              </Table.Tr>
              {rows.map((j) => (
                <Table.Tr key={j.id} data-testid="job-role-row" data-user={j.user.email} data-target={j.target.name} data-role={j.role}>
                  <Table.Td data-label={groupBy === 'user' ? 'Plant or portfolio' : 'Member'}>
                    {groupBy === 'user' ? `${j.target.name} (${j.target.kind})` : `${j.user.name} (${j.user.email})`}
                  </Table.Td>
                  <Table.Td data-label="Job role">{JOB_ROLE_LABEL[j.role]}</Table.Td>
                  <Table.Td data-label="Granted by">{j.cooperationId ? 'partner, within a cooperation' : 'this organization'}</Table.Td>
                  {onRemove && (
                    <Table.Td data-label="">
                      {!j.cooperationId && (
                        <Button
                          size="compact-sm"
                          color="red"
                          variant="outline"
                          onClick={() => onRemove(j)}
                          aria-label={`Remove job role of ${j.user.email} on ${j.target.name}`}
                        >
                          Remove
                        </Button>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}
