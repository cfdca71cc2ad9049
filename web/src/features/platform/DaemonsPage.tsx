import { Badge, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { DaemonInfo } from '../../../../src/core/wire/daemon.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatDate } from '../personal-vpn/VpnPage.tsx';
import { EnrolmentsSection } from './EnrolmentsSection.tsx';
import { useDaemons, useRemoveDaemon } from './use-platform.ts';

/** Gateways and agents with what they last reported, and the enrolment tokens that bring new ones in. */
export function DaemonsPage() {
  return (
    <Stack gap="xl">
      <DaemonTable kind="gateway" />
      <DaemonTable kind="agent" />
      <EnrolmentsSection />
    </Stack>
  );
}

function DaemonTable({ kind }: { kind: 'gateway' | 'agent' }) {
  const daemons = useDaemons(kind);
  const remove = useRemoveDaemon();
  const [removing, setRemoving] = useState<DaemonInfo | null>(null);
  const close = () => {
    setRemoving(null);
    remove.reset();
  };
  const title = kind === 'gateway' ? 'Gateways' : 'Agents';
  return (
    <Stack>
      <Title order={2} size="h3">
        {title}
      </Title>
      <Loadable
        query={daemons}
        what={`${kind}s`}
        isEmpty={(d) => d.length === 0}
        empty={
          kind === 'gateway'
            ? 'No gateway enrolled: create an enrolment token below and start one in a region.'
            : 'No agent enrolled: create an enrolment token below for a plant.'
        }
      >
        {(list) => (
          <TableScroll label={`${kind}s table`} minWidth={980}>
            <Table className="stack-table" data-testid={`${kind}s-table`} striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>{kind === 'gateway' ? 'Region' : 'Plant'}</Table.Th>
                  <Table.Th>Connection</Table.Th>
                  <Table.Th>Applied revision</Table.Th>
                  <Table.Th>Serving</Table.Th>
                  <Table.Th>Peers</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>
                    <span className="mantine-visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((d) => (
                  <Table.Tr key={d.id} data-daemon={d.name}>
                    <Table.Td data-label="Name">
                      <Text size="sm" fw={600}>
                        {d.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {d.tunnelIp ?? d.id}
                      </Text>
                    </Table.Td>
                    <Table.Td data-label={kind === 'gateway' ? 'Region' : 'Plant'}>{kind === 'gateway' ? d.region : d.plant}</Table.Td>
                    <Table.Td data-label="Connection">
                      <div>
                        <Badge variant="dot" color={d.connected ? 'teal' : 'red'} tt="none">
                          {d.connected ? 'Connected' : 'Not connected'}
                        </Badge>
                        <Text size="xs" c="dimmed">
                          {d.lastSeenAt ? `last seen ${formatDate(d.lastSeenAt)}` : 'never seen'}
                        </Text>
                      </div>
                    </Table.Td>
                    <Table.Td data-label="Applied revision">{revisionText(d)}</Table.Td>
                    <Table.Td data-label="Serving">{d.status?.mode === 'stale-withdrawn' ? 'withdrawn (stale state)' : d.status ? 'serving' : '—'}</Table.Td>
                    <Table.Td data-label="Peers">
                      {d.status ? `${d.status.peersWithRecentHandshake ?? 0} of ${d.status.peerCount ?? d.status.peers.length} recent` : '—'}
                    </Table.Td>
                    <Table.Td data-label="Version">{d.status?.version || '—'}</Table.Td>
                    <Table.Td data-label="Last error">
                      {d.status?.lastError ? (
                        <Text size="xs" c="red.9" style={{ overflowWrap: 'anywhere' }}>
                          {d.status.lastError}
                        </Text>
                      ) : (
                        'none'
                      )}
                    </Table.Td>
                    <Table.Td data-label="">
                      <Button size="compact-sm" color="red" variant="outline" onClick={() => setRemoving(d)} aria-label={`Remove ${kind} ${d.name}`}>
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
        title={`Remove ${kind} ${removing?.name ?? ''}?`}
        confirmLabel={`Remove ${kind}`}
        danger
        loading={remove.isPending}
        error={remove.error?.message}
        onCancel={close}
        onConfirm={() => removing && remove.mutate({ kind, id: removing.id }, { onSuccess: close })}
      >
        <Text>
          Its credential stops working at once.{' '}
          {kind === 'gateway'
            ? `Users dialling ${removing?.region ?? 'its region'} through it lose their tunnels until another gateway of the region serves them.`
            : `${removing?.plant ?? 'Its plant'} becomes unreachable until a new agent is enrolled for it.`}
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

function revisionText(d: DaemonInfo): string {
  if (!d.status) return 'no report yet';
  const applied = d.status.appliedRevision;
  if (d.desiredRevision === undefined) return String(applied);
  return applied >= d.desiredRevision ? `${applied} (current)` : `${applied}, behind (current ${d.desiredRevision})`;
}
