import { Badge, Button, Checkbox, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { DirectVpnClientViewWire, DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatDate } from '../organization/labels.ts';
import { CredentialsDialog, type ShownCredentials } from './CredentialsDialog.tsx';
import { formatBytes } from './live-format.ts';
import { useAddClient, useDirectVpnClients, useRemoveClient } from './use-direct-vpns.ts';

type Kind = DirectVpnClientViewWire['kind'];
const WORDS: Readonly<Record<Kind, { one: string; add: string; none: string; column: string }>> = {
  user: { one: 'user', add: 'Add user', none: 'No user dials in to', column: 'User' },
  site: { one: 'site', add: 'Add site', none: 'No site dials in to', column: 'Site' },
};

/**
 * SPEC D9: a hosted server's site or user clients; each added with a show-once profile,
 * removed at once (the WireGuard peer goes, an OpenVPN certificate lands on the CRL).
 */
export function HostedClients({ plantId, vpn, manage, kind }: { plantId: string; vpn: DirectVpnViewWire; manage: boolean; kind: Kind }) {
  const clients = useDirectVpnClients(plantId, vpn.id);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<DirectVpnClientViewWire | null>(null);
  const [credentials, setCredentials] = useState<ShownCredentials | null>(null);
  const remove = useRemoveClient(plantId, vpn.id);
  const words = WORDS[kind];
  return (
    <Stack>
      <Group justify="space-between">
        {kind === 'user' ? (
          <Title order={3} size="h4">
            {vpn.name}{' '}
            <Badge color="violet.9" tt="none">
              Server
            </Badge>
          </Title>
        ) : (
          <Title order={4} size="h5">
            Site clients
          </Title>
        )}
        {manage && vpn.enabled && (
          <Button size={kind === 'site' ? 'xs' : 'sm'} variant={kind === 'site' ? 'default' : 'filled'} onClick={() => setAdding(true)}>
            {words.add}
          </Button>
        )}
      </Group>
      <Loadable
        query={clients}
        what={`${words.one} clients`}
        isEmpty={(l) => !l.some((c) => c.kind === kind)}
        empty={<Text size="sm">{`${words.none} ${vpn.name} yet.`}</Text>}
      >
        {(list) => (
          <TableScroll label={`${words.one} clients of ${vpn.name}`} minWidth={560}>
            <Table className="stack-table" data-testid={`${kind}-clients`} verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{words.column}</Table.Th>
                  <Table.Th>Tunnel address</Table.Th>
                  {kind === 'site' && <Table.Th>Announces</Table.Th>}
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
                  .filter((c) => c.kind === kind)
                  .map((c) => (
                    <Table.Tr key={c.id} data-testid={`${kind}-client`} data-client={c.name}>
                      <Table.Td data-label={words.column} fw={600}>
                        {c.name}
                        <Text size="xs">added {formatDate(c.createdAt)}</Text>
                      </Table.Td>
                      <Table.Td data-label="Tunnel address">
                        <code>{c.tunnelIp}</code>
                      </Table.Td>
                      {kind === 'site' && <Table.Td data-label="Announces">{c.subnets.join(', ') || 'no subnet'}</Table.Td>}
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
      {adding && (
        <AddClientDialog
          plantId={plantId}
          vpn={vpn}
          kind={kind}
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
        confirmLabel={`Remove ${words.one}`}
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
          {removing?.name} is cut at once: an open connection ends and its profile stops working. It cannot be reissued; adding it again makes a new profile.
          {kind === 'site' && removing?.subnets.length ? ` The subnets it announces (${removing.subnets.join(', ')}) are no longer reached through it.` : ''}
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

function AddClientDialog(props: { plantId: string; vpn: DirectVpnViewWire; kind: Kind; onClose: () => void; onAdded: (c: ShownCredentials) => void }) {
  const { plantId, vpn, kind, onClose, onAdded } = props;
  const add = useAddClient(plantId, vpn.id);
  const [name, setName] = useState('');
  const [subnets, setSubnets] = useState<string[]>([]);
  return (
    <Modal opened onClose={onClose} title={`Add a ${WORDS[kind].one} to ${vpn.name}`} centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ name: name.trim(), kind, ...(kind === 'site' ? { subnets } : {}) }, { onSuccess: onAdded });
        }}
        noValidate
      >
        <Stack>
          <TextInput
            label="Name"
            description={
              kind === 'user'
                ? 'Who dials in, e.g. their email; their profile is shown once after Add'
                : 'The router or site that dials in; its profile is shown once after Add'
            }
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              add.reset();
            }}
            error={add.error?.message}
            data-autofocus
          />
          {kind === 'site' && vpn.subnets.length > 0 && (
            <Checkbox.Group label="Plant subnets behind it" value={subnets} onChange={setSubnets}>
              <Stack gap={4} mt={4}>
                {vpn.subnets.map((s) => (
                  <Checkbox key={s} value={s} label={s} />
                ))}
              </Stack>
            </Checkbox.Group>
          )}
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
