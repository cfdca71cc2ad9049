import { Badge, Button, Card, NativeSelect, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { ORG_ROLES, type OrgRole } from '../../../../../src/core/model.ts';
import type { OrgMember, OrgSummary } from '../../../../../src/core/wire/org.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { useSession } from '../../auth/use-session.ts';
import { ROLE_LABEL, ROLE_MEANING } from '../labels.ts';
import type { OrgAccess } from '../use-org.ts';
import { InvitationsCard } from './InvitationsCard.tsx';
import { InviteCard } from './InviteCard.tsx';
import { useMembers, useRemoveMember, useSetMemberRole } from './use-members.ts';

/** Members with their org roles; invite, change role and remove as far as the caller's role allows. */
export function MembersPage({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const members = useMembers(org.id);
  const me = useSession().data;
  const setRole = useSetMemberRole(org.id);
  const remove = useRemoveMember(org.id);
  const [roleChange, setRoleChange] = useState<{ member: OrgMember; role: OrgRole } | null>(null);
  const [removing, setRemoving] = useState<OrgMember | null>(null);
  const canSetRole = access.can('members.set-role');
  const canRemove = access.can('members.remove');

  return (
    <Stack>
      {access.can('members.invite') && <InviteCard org={org} access={access} />}
      <Card withBorder padding="lg">
        <Stack>
          <Title order={2} size="h3">
            Members
          </Title>
          <Loadable query={members} what="members" isEmpty={(m) => m.length === 0} empty={<Text>No members.</Text>}>
            {(list) => (
              <TableScroll label="members table" minWidth={560}>
                <Table className="stack-table" data-testid="members-table" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Email</Table.Th>
                      <Table.Th>Role</Table.Th>
                      {canRemove && (
                        <Table.Th>
                          <VisuallyHidden>Actions</VisuallyHidden>
                        </Table.Th>
                      )}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((m) => (
                      <Table.Tr key={m.id} data-testid="member-row" data-email={m.email}>
                        <Table.Td data-label="Name">
                          {m.name}
                          {m.disabled && (
                            <Badge ml="xs" variant="dot" color="red" tt="none">
                              Disabled
                            </Badge>
                          )}
                        </Table.Td>
                        <Table.Td data-label="Email">{m.email}</Table.Td>
                        <Table.Td data-label="Role">
                          {canSetRole && m.id !== me?.id ? (
                            <NativeSelect
                              aria-label={`Org role of ${m.email}`}
                              size="xs"
                              w={140}
                              value={m.role}
                              data={ORG_ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
                              onChange={(event) => setRoleChange({ member: m, role: event.currentTarget.value as OrgRole })}
                            />
                          ) : (
                            ROLE_LABEL[m.role]
                          )}
                        </Table.Td>
                        {canRemove && (
                          <Table.Td data-label="">
                            {m.id !== me?.id && (
                              <Button size="compact-sm" color="red" variant="outline" onClick={() => setRemoving(m)} aria-label={`Remove ${m.email}`}>
                                Remove
                              </Button>
                            )}
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
      </Card>
      {access.can('invitations.view') && <InvitationsCard org={org} access={access} />}
      <ConfirmDialog
        opened={roleChange !== null}
        title={`Make ${roleChange?.member.name ?? ''} ${roleChange ? ROLE_LABEL[roleChange.role] : ''}?`}
        confirmLabel="Change role"
        loading={setRole.isPending}
        error={setRole.error?.message}
        onCancel={() => {
          setRoleChange(null);
          setRole.reset();
        }}
        onConfirm={() => roleChange && setRole.mutate({ userId: roleChange.member.id, role: roleChange.role }, { onSuccess: () => setRoleChange(null) })}
      >
        <Text>
          A {roleChange ? ROLE_LABEL[roleChange.role] : ''} {roleChange ? ROLE_MEANING[roleChange.role] : ''}. Routes follow at once on every gateway.
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove ${removing?.name ?? ''} from ${org.name}?`}
        confirmLabel="Remove member"
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
          {removing?.email} loses every route of {org.name}'s plants at once (open connections are cut) and every job role in {org.name}. The account itself
          stays; inviting again is possible.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
