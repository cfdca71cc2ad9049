import { Badge, Button, Card, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { Invitation, OrgSummary } from '../../../../../src/core/wire/org.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { formatDate, ROLE_LABEL } from '../labels.ts';
import type { OrgAccess } from '../use-org.ts';
import { useInvitations, useRevokeInvitation } from './use-members.ts';

const STATUS_COLOR: Record<Invitation['status'], string> = { pending: 'blue', accepted: 'green', revoked: 'gray', expired: 'gray' };

export function InvitationsCard({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const invitations = useInvitations(org.id, true);
  const revoke = useRevokeInvitation(org.id);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const canRevoke = access.can('invitations.revoke');
  return (
    <Card withBorder padding="lg">
      <Stack>
        <Title order={2} size="h3">
          Invitations
        </Title>
        <Loadable query={invitations} what="invitations" isEmpty={(l) => l.length === 0} empty={<Text>No invitation yet.</Text>}>
          {(list) => (
            <TableScroll label="invitations table" minWidth={640}>
              <Table className="stack-table" data-testid="invitations-table" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Invited by</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th>Status</Table.Th>
                    {canRevoke && (
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    )}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((i) => (
                    <Table.Tr key={i.id} data-testid="invitation-row" data-email={i.email} data-status={i.status}>
                      <Table.Td data-label="Email">{i.email}</Table.Td>
                      <Table.Td data-label="Role">{ROLE_LABEL[i.role]}</Table.Td>
                      <Table.Td data-label="Invited by">{i.invitedBy ?? '—'}</Table.Td>
                      <Table.Td data-label="Expires">{formatDate(i.expiresAt)}</Table.Td>
                      <Table.Td data-label="Status">
                        <Badge variant="dot" color={STATUS_COLOR[i.status]} tt="none">
                          {i.status}
                        </Badge>
                      </Table.Td>
                      {canRevoke && (
                        <Table.Td data-label="">
                          {i.status === 'pending' && (
                            <Button
                              size="compact-sm"
                              color="red"
                              variant="outline"
                              onClick={() => setRevoking(i)}
                              aria-label={`Revoke invitation of ${i.email}`}
                            >
                              Revoke
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
      <ConfirmDialog
        opened={revoking !== null}
        title={`Revoke the invitation of ${revoking?.email ?? ''}?`}
        confirmLabel="Revoke invitation"
        danger
        loading={revoke.isPending}
        error={revoke.error?.message}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <Text>The link stops working at once; nobody can join {org.name} with it.</Text>
      </ConfirmDialog>
    </Card>
  );
}
