import { Badge, Button, Card, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { DirectVpnClientViewWire, DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatDate } from '../organization/labels.ts';
import { CredentialsDialog, type ShownCredentials } from './CredentialsDialog.tsx';
import { formatBytes } from './live-format.ts';
import { useAddClient, useDirectVpnClients, useDirectVpns, useRemoveClient } from './use-direct-vpns.ts';

/** SPEC D9: people dialing in to the plant's hosted servers; each added with a show-once profile, removable at once. */
export function UserVpnTab({ plantId, plantName, manage }: { plantId: string; plantName: string; manage: boolean }) {
  const vpns = useDirectVpns(plantId);
  return (
    <Stack>
      <div>
        <Title order={2} size="h3">
          User VPN
        </Title>
        <Text size="sm">People who dial in to {plantName}'s hosted servers with a profile of their own (not the personal VPN).</Text>
      </div>
      <Loadable query={vpns} what="hosted servers">
        {(list) => {
          const hosted = list.filter((v) => v.direction === 'hosted');
          if (hosted.length === 0) {
            return (
              <Card withBorder padding="lg">
                <Text>{plantName} has no hosted server: user connections need one (Site VPN → Add direct VPN → Hosted here).</Text>
              </Card>
            );
          }
          return hosted.map((vpn) => <ServerUsers key={vpn.id} plantId={plantId} vpn={vpn} manage={manage} />);
        }}
      </Loadable>
    </Stack>
  );
}

function ServerUsers({ plantId, vpn, manage }: { plantId: string; vpn: DirectVpnViewWire; manage: boolean }) {
  const clients = useDirectVpnClients(plantId, vpn.id);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<DirectVpnClientViewWire | null>(null);
  const [credentials, setCredentials] = useState<ShownCredentials | null>(null);
  const remove = useRemoveClient(plantId, vpn.id);
  return (
    <Card withBorder padding="lg" data-testid="user-vpn-server" data-vpn={vpn.name}>
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h4">
            {vpn.name}{' '}
            <Badge color="violet.9" tt="none">
              Server
            </Badge>
          </Title>
          {manage && vpn.enabled && <Button onClick={() => setAdding(true)}>Add user</Button>}
        </Group>
        <Loadable
          query={clients}
          what="user clients"
          isEmpty={(l) => !l.some((c) => c.kind === 'user')}
          empty={<Text>No user dials in to {vpn.name} yet.</Text>}
        >
          {(list) => (
            <TableScroll label={`user clients of ${vpn.name}`} minWidth={560}>
              <Table className="stack-table" data-testid="user-clients" verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Tunnel address</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Traffic</Table.Th>
                    {manage && (
                      <Table.Th>
                        <span className="mantine-visually-hidden">Actions</span>
                      </Table.Th>
                    )}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list
                    .filter((c) => c.kind === 'user')
                    .map((c) => (
                      <Table.Tr key={c.id} data-testid="user-client" data-client={c.name}>
                        <Table.Td data-label="User" fw={600}>
                          {c.name}
                          <Text size="xs">added {formatDate(c.createdAt)}</Text>
                        </Table.Td>
                        <Table.Td data-label="Tunnel address">
                          <code>{c.tunnelIp}</code>
                        </Table.Td>
                        <Table.Td data-label="State">
                          {c.connected ? 'Connected' : c.lastSeen ? `last seen ${formatDate(c.lastSeen)}` : 'never connected'}
                        </Table.Td>
                        <Table.Td data-label="Traffic">
                          ↓ {formatBytes(c.bytesIn)} · ↑ {formatBytes(c.bytesOut)}
                        </Table.Td>
                        {manage && (
                          <Table.Td data-label="Actions">
                            <Button size="compact-sm" variant="outline" color="red" onClick={() => setRemoving(c)} aria-label={`Remove ${c.name}`}>
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
        </Loadable>
      </Stack>
      {adding && (
        <AddUserDialog
          plantId={plantId}
          vpn={vpn}
          onClose={() => setAdding(false)}
          onAdded={(shown) => {
            setAdding(false);
            setCredentials(shown);
          }}
        />
      )}
      {credentials && <CredentialsDialog credentials={credentials} onClose={() => setCredentials(null)} />}
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove ${removing?.name ?? ''}?`}
        confirmLabel="Remove user"
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
          {removing?.name} is cut at once: an open connection ends and their profile stops working. It cannot be reissued; adding them again makes a new
          profile.
        </Text>
      </ConfirmDialog>
    </Card>
  );
}

function AddUserDialog({
  plantId,
  vpn,
  onClose,
  onAdded,
}: {
  plantId: string;
  vpn: DirectVpnViewWire;
  onClose: () => void;
  onAdded: (c: ShownCredentials) => void;
}) {
  const add = useAddClient(plantId, vpn.id);
  const [name, setName] = useState('');
  return (
    <Modal opened onClose={onClose} title={`Add a user to ${vpn.name}`} centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ name: name.trim(), kind: 'user' }, { onSuccess: onAdded });
        }}
        noValidate
      >
        <Stack>
          <TextInput
            label="Name"
            description="Who dials in, e.g. their email; their profile is shown once after Add"
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              add.reset();
            }}
            error={add.error?.message}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending} disabled={!name.trim()}>
              Add
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
