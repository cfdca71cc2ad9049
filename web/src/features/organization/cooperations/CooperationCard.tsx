import { Badge, Button, Card, Group, Modal, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { CooperationView, JobRoleView, OrgSummary } from '../../../../../src/core/wire/org.ts';
import { AppLink } from '../../../ui/AppLink.tsx';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { sharedPlantPath } from '../../site-vpn/plant-tabs.ts';
import { CopyField } from '../../../ui/CopyField.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { GrantJobRoleForm } from '../job-roles/GrantJobRoleForm.tsx';
import { formatDate, JOB_ROLE_LABEL } from '../labels.ts';
import { useMembers } from '../members/use-members.ts';
import { PickList, pickedIds } from '../PickList.tsx';
import { usePlants } from '../plants/use-plants.ts';
import { usePortfolios } from '../portfolios/use-portfolios.ts';
import type { OrgAccess } from '../use-org.ts';
import { useEndCooperation, useGrantCooperationJobRole, useRemoveCooperationJobRole, useSetShares } from './use-cooperations.ts';

export function CooperationCard({ org, cooperation: c, access }: { org: OrgSummary; cooperation: CooperationView; access: OrgAccess }) {
  const owner = c.side === 'owner';
  const active = c.endedAt === null;
  const other = owner ? c.partner : c.owner;
  const [ending, setEnding] = useState(false);
  const [editing, setEditing] = useState(false);
  const end = useEndCooperation(org.id);
  const assign = !owner && active && access.can('cooperation.assign-job-roles');
  return (
    <Card withBorder padding="lg" data-testid="cooperation" data-side={c.side} data-other={other.name}>
      <Stack>
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h4">
              {owner ? `Shared with ${other.name}` : `Shared by ${other.name}`}{' '}
              {!active && (
                <Badge variant="dot" color="gray" tt="none">
                  ended {formatDate(c.endedAt as string)}
                </Badge>
              )}
            </Title>
            <Text size="sm">since {formatDate(c.createdAt)}</Text>
          </div>
          {owner && active && access.can('cooperations.manage') && (
            <Group gap="xs">
              <Button variant="default" onClick={() => setEditing(true)}>
                Change shares
              </Button>
              <Button color="red" variant="outline" onClick={() => setEnding(true)}>
                End cooperation
              </Button>
            </Group>
          )}
        </Group>
        <SharedPlants cooperation={c} />
        <Title order={4} size="h5">
          Job roles {owner ? `${other.name} assigned` : `${org.name} assigned`}
        </Title>
        <CooperationJobRoles org={org} cooperation={c} removable={assign} />
        {assign && <PartnerGrant org={org} cooperation={c} />}
      </Stack>
      <ConfirmDialog
        opened={ending}
        title={`End the cooperation with ${other.name}?`}
        confirmLabel="End cooperation"
        danger
        loading={end.isPending}
        error={end.error?.message}
        onCancel={() => {
          setEnding(false);
          end.reset();
        }}
        onConfirm={() => end.mutate(c.id, { onSuccess: () => setEnding(false) })}
      >
        <Text>
          {other.name}'s members lose every route to the shared plants at once (open connections are cut), and the {c.jobRoles.length} job role
          {c.jobRoles.length === 1 ? '' : 's'} they were given within the cooperation end. Sharing again needs a new cooperation.
        </Text>
      </ConfirmDialog>
      {editing && <SharesDialog org={org} cooperation={c} onClose={() => setEditing(false)} />}
    </Card>
  );
}

function SharedPlants({ cooperation: c }: { cooperation: CooperationView }) {
  if (c.plants.length === 0 && c.portfolios.length === 0) return <Text>Nothing is shared.</Text>;
  return (
    <Stack gap="xs">
      {c.plants.length > 0 && (
        <TableScroll label="shared plants" minWidth={420}>
          <Table className="stack-table" data-testid="shared-plants" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Shared plant</Table.Th>
                <Table.Th>Subnets (native → mapped)</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.plants.map((p) => (
                <Table.Tr key={p.id} data-testid="shared-plant" data-plant={p.name}>
                  <Table.Td data-label="Shared plant" fw={600}>
                    {c.side === 'partner' && c.endedAt === null ? (
                      <AppLink to={sharedPlantPath(p.id)}>{p.name}</AppLink>
                    ) : (
                      p.name
                    )}
                  </Table.Td>
                  <Table.Td data-label="Subnets">
                    <div className="cell-list">
                      {p.subnets.map((s) => (
                        <Group key={s.cidr} gap={6}>
                          <code>{s.cidr}</code> →
                          <CopyField value={s.mapped} label={`mapped prefix of ${p.name} ${s.cidr}`} />
                        </Group>
                      ))}
                    </div>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      {c.portfolios.length > 0 && (
        <Text size="sm">Portfolios: {c.portfolios.map((f) => `${f.name} (${f.plants.map((p) => p.name).join(', ') || 'no plant'})`).join('; ')}</Text>
      )}
    </Stack>
  );
}

function CooperationJobRoles({ org, cooperation: c, removable }: { org: OrgSummary; cooperation: CooperationView; removable: boolean }) {
  const remove = useRemoveCooperationJobRole(org.id);
  const [removing, setRemoving] = useState<JobRoleView | null>(null);
  if (c.jobRoles.length === 0) return <Text size="sm">None yet.</Text>;
  return (
    <>
      <TableScroll label="cooperation job roles" minWidth={480}>
        <Table className="stack-table" data-testid="cooperation-job-roles" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Member</Table.Th>
              <Table.Th>On</Table.Th>
              <Table.Th>Job role</Table.Th>
              {removable && (
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.jobRoles.map((j) => (
              <Table.Tr key={j.id} data-testid="cooperation-job-role" data-user={j.user.email}>
                <Table.Td data-label="Member">
                  {j.user.name} ({j.user.email})
                </Table.Td>
                <Table.Td data-label="On">{j.target.name}</Table.Td>
                <Table.Td data-label="Job role">{JOB_ROLE_LABEL[j.role]}</Table.Td>
                {removable && (
                  <Table.Td data-label="">
                    <Button
                      size="compact-sm"
                      color="red"
                      variant="outline"
                      onClick={() => setRemoving(j)}
                      aria-label={`Remove job role of ${j.user.email} on ${j.target.name}`}
                    >
                      Remove
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
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
        onConfirm={() => removing && remove.mutate({ id: c.id, jobRole: removing.id }, { onSuccess: () => setRemoving(null) })}
      >
        <Text>Their route to {removing?.target.name}, if this role gave one, ends at once on every gateway.</Text>
      </ConfirmDialog>
    </>
  );
}

/** The partner's Admin gives its own members job roles on what is shared. */
function PartnerGrant({ org, cooperation: c }: { org: OrgSummary; cooperation: CooperationView }) {
  const members = useMembers(org.id);
  const grant = useGrantCooperationJobRole(org.id);
  const targets = [
    ...c.plants.map((p) => ({ kind: 'plant' as const, id: p.id, name: p.name })),
    ...c.portfolios.map((p) => ({ kind: 'portfolio' as const, id: p.id, name: p.name })),
  ];
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        Give a member of {org.name} a job role on a shared plant (only Operator gives routes)
      </Text>
      <Loadable query={members} what="members">
        {(list) => (
          <GrantJobRoleForm
            users={list}
            targets={targets}
            pending={grant.isPending}
            grant={(g, callbacks) => grant.mutate({ id: c.id, grant: g }, callbacks)}
          />
        )}
      </Loadable>
    </Stack>
  );
}

function SharesDialog({ org, cooperation: c, onClose }: { org: OrgSummary; cooperation: CooperationView; onClose: () => void }) {
  const plants = usePlants(org.id);
  const portfolios = usePortfolios(org.id);
  const save = useSetShares(org.id);
  const [picked, setPicked] = useState({ plants: c.plants.map((p) => p.id).join('\n'), portfolios: c.portfolios.map((p) => p.id).join('\n') });
  return (
    <Modal opened onClose={onClose} title={`What ${c.partner.name} sees`} centered size="lg" closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <Stack>
        <Loadable query={plants} what="plants">
          {(list) => <PickList label="Plants" options={list} value={picked.plants} onChange={(v) => setPicked((p) => ({ ...p, plants: v }))} />}
        </Loadable>
        <Loadable query={portfolios} what="portfolios">
          {(list) => <PickList label="Portfolios" options={list} value={picked.portfolios} onChange={(v) => setPicked((p) => ({ ...p, portfolios: v }))} />}
        </Loadable>
        <Text size="sm">A plant you stop sharing ends the partner's job roles and routes on it at once.</Text>
        {save.error && (
          <Text c="red.9" role="alert">
            {save.error.message}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={save.isPending}
            onClick={() => save.mutate({ id: c.id, plants: pickedIds(picked.plants), portfolios: pickedIds(picked.portfolios) }, { onSuccess: onClose })}
          >
            Save shares
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
