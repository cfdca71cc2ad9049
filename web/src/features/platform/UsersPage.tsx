import { Alert, Badge, Button, Group, Menu, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { PasswordReset, UserInfo } from '../../../../src/core/wire/users.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { CopyField } from '../../ui/CopyField.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { useSession } from '../auth/use-session.ts';
import { formatDate } from '../personal-vpn/VpnPage.tsx';
import { type UserAction, useUserAction, useUsers } from './use-platform.ts';
import { userActionsFor, userActionText } from './user-actions.ts';

/** Every user, searchable by email or name, with the operator's actions on each. */
/** More rows than this are not drawn at once: the search narrows them. */
const SHOWN = 200;

export function UsersPage() {
  const myId = useSession().data?.id ?? '';
  const users = useUsers();
  const action = useUserAction();
  const [search, setSearch] = useState('');
  const [pending, setPending] = useState<{ action: UserAction; user: UserInfo } | null>(null);
  const [reset, setReset] = useState<PasswordReset | null>(null);
  const text = pending ? userActionText(pending.action, pending.user) : null;
  const needle = search.trim().toLowerCase();

  const close = () => {
    setPending(null);
    action.reset();
  };
  const confirm = () =>
    pending &&
    action.mutate(
      { action: pending.action, user: pending.user.id },
      {
        onSuccess: (result) => {
          if (pending.action === 'resetPassword' && result) setReset(result);
          setPending(null);
        },
      },
    );

  return (
    <Stack>
      <TextInput label="Search users" placeholder="email or name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} maw={420} type="search" />
      <Loadable query={users} what="users" isEmpty={(d) => d.length === 0} empty="No user yet.">
        {(list) => {
          const matching = needle ? list.filter((u) => u.email.includes(needle) || u.name.toLowerCase().includes(needle)) : list;
          if (matching.length === 0) return <Text>No user matches “{search}”.</Text>;
          const shown = matching.slice(0, SHOWN);
          return (
            <Stack>
              <Text size="sm" role="status">
                {matching.length > SHOWN
                  ? `Showing the first ${SHOWN} of ${matching.length} users: search to narrow them.`
                  : `${matching.length} ${matching.length === 1 ? 'user' : 'users'}`}
              </Text>
              <TableScroll label="users table" minWidth={760}>
                <Table className="stack-table" data-testid="users-table" striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>User</Table.Th>
                      <Table.Th>State</Table.Th>
                      <Table.Th>VPN profile</Table.Th>
                      <Table.Th>Created</Table.Th>
                      <Table.Th>
                        <span className="mantine-visually-hidden">Actions</span>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {shown.map((u) => (
                      <Table.Tr key={u.id} data-user={u.email}>
                        <Table.Td data-label="User">
                          <Text size="sm" fw={600}>
                            {u.email}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {u.name}
                          </Text>
                        </Table.Td>
                        <Table.Td data-label="State">
                          <Group gap={4}>
                            {u.disabledAt ? (
                              <Badge variant="dot" color="red" tt="none">
                                Disabled
                              </Badge>
                            ) : (
                              <Badge variant="dot" color="teal" tt="none">
                                Active
                              </Badge>
                            )}
                            {u.platformOperator && (
                              <Badge variant="dot" color="blue" tt="none">
                                Operator
                              </Badge>
                            )}
                            {u.totpEnabled && (
                              <Badge variant="dot" color="gray" tt="none">
                                Second factor
                              </Badge>
                            )}
                            {u.passwordMustChange && (
                              <Badge variant="dot" color="orange" tt="none">
                                One-time password
                              </Badge>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td data-label="VPN profile">{u.profileTunnelIp ? <code>{u.profileTunnelIp}</code> : <Text size="sm">none</Text>}</Table.Td>
                        <Table.Td data-label="Created">{formatDate(u.createdAt)}</Table.Td>
                        <Table.Td data-label="">
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <Button size="compact-sm" variant="default" aria-label={`Actions for ${u.email}`}>
                                Actions
                              </Button>
                            </Menu.Target>
                            <Menu.Dropdown>
                              {userActionsFor(u, myId).map((a) => {
                                const t = userActionText(a, u);
                                return (
                                  <Menu.Item key={a} color={t.danger ? 'red.9' : undefined} onClick={() => setPending({ action: a, user: u })}>
                                    {t.label}
                                  </Menu.Item>
                                );
                              })}
                            </Menu.Dropdown>
                          </Menu>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </TableScroll>
            </Stack>
          );
        }}
      </Loadable>
      <ConfirmDialog
        opened={pending !== null}
        title={text?.title ?? ''}
        confirmLabel={text?.confirm ?? ''}
        danger={text?.danger}
        loading={action.isPending}
        error={action.error?.message}
        onCancel={close}
        onConfirm={confirm}
      >
        <Text>{text?.consequence}</Text>
      </ConfirmDialog>
      {reset && (
        <Modal
          opened
          onClose={() => setReset(null)}
          title={`One-time password for ${reset.email}`}
          centered
          closeOnClickOutside={false}
          closeButtonProps={{ 'aria-label': 'Close' }}
        >
          <Stack>
            <Alert color="red" variant="outline" title="Shown only now" role="alert">
              Give this password to {reset.email} over a channel you trust. plantgate stores only a hash of it and cannot show it again; they must choose a new
              password when they sign in.
            </Alert>
            {reset.password && (
              <CopyField value={reset.password} label="one-time password">
                <code data-testid="one-time-password">{reset.password}</code>
              </CopyField>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setReset(null)}>
                I have passed it on, close
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Stack>
  );
}
