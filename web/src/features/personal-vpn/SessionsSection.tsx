import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { formatBytes } from '../../../../src/core/render/format-bytes.ts';
import type { VpnSession } from '../../../../src/core/wire/sessions.ts';
import { request } from '../../api/client.ts';
import { api } from '../../api/endpoints.ts';
import { TableScroll } from '../../ui/TableScroll.tsx';

const PAGE = 25;

/** SPEC P7: the caller's current and past sessions, newest first (asked again every 15 s, as gateways report). */
export function SessionsSection() {
  const sessions = useInfiniteQuery({
    queryKey: ['vpn-sessions'],
    queryFn: ({ pageParam }) => request(api.sessions, { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    refetchInterval: 15_000,
  });
  const rows = sessions.data?.pages.flatMap((p) => p.sessions) ?? [];
  return (
    <Stack gap="xs" component="section" aria-labelledby="sessions-title">
      <Title order={2} size="h3" id="sessions-title">
        Sessions
      </Title>
      <Text size="sm" c="dimmed">
        A session starts with a WireGuard handshake after more than 3 minutes without one and ends 3 minutes after the last handshake. Country from an offline
        geo-IP database; private addresses have none.
      </Text>
      {sessions.isPending && <Loader size="sm" aria-label="Loading your sessions" />}
      {sessions.isError && (
        <Alert color="red" title="Your sessions could not be loaded" role="alert">
          {sessions.error.message}
        </Alert>
      )}
      {sessions.isSuccess && rows.length === 0 && <Text data-testid="sessions-empty">No sessions yet. Your first connection through a gateway shows up here.</Text>}
      {rows.length > 0 && <SessionsTable rows={rows} label="Your sessions" whose="you" />}
      {sessions.hasNextPage && (
        <Group>
          <Button variant="default" onClick={() => void sessions.fetchNextPage()} loading={sessions.isFetchingNextPage}>
            Show older sessions
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** The sessions table (personal and organization VPN clients' views); `whose` names the side that sent and received. */
export function SessionsTable({ rows, label, whose }: { rows: VpnSession[]; label: string; whose: string }) {
  return (
    // At phone width each session is a card of label/value lines (.stack-table).
    <TableScroll label={label} minWidth={760}>
      <Table className="stack-table" data-testid="sessions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Start</Table.Th>
            <Table.Th>End</Table.Th>
            <Table.Th>Source address</Table.Th>
            <Table.Th>Country</Table.Th>
            <Table.Th>Sent by {whose}</Table.Th>
            <Table.Th>Received by {whose}</Table.Th>
            <Table.Th>Region</Table.Th>
            <Table.Th>Gateway</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((s) => (
            <SessionRow key={`${s.start}/${s.gateway}/${s.sourceAddress}`} session={s} whose={whose} />
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

function SessionRow({ session: s, whose }: { session: VpnSession; whose: string }) {
  return (
    <Table.Tr data-testid="session-row">
      <Table.Td data-label="Start">{formatDate(s.start)}</Table.Td>
      <Table.Td data-label="End">
        {s.end ? (
          formatDate(s.end)
        ) : (
          <Badge variant="dot" color="teal" tt="none" style={{ minWidth: 'max-content' }}>
            Connected
          </Badge>
        )}
      </Table.Td>
      <Table.Td data-label="Source address">
        <code>{s.sourceAddress ?? 'not reported'}</code>
      </Table.Td>
      <Table.Td data-label="Country" data-testid="session-country">
        {s.country ?? 'unknown'}
      </Table.Td>
      {/* The gateway counts from its side: what it received (in) is what the device sent. */}
      <Table.Td data-label={`Sent by ${whose}`}>{formatBytes(s.bytesIn)}</Table.Td>
      <Table.Td data-label={`Received by ${whose}`}>{formatBytes(s.bytesOut)}</Table.Td>
      <Table.Td data-label="Region">{s.region}</Table.Td>
      <Table.Td data-label="Gateway">{s.gateway}</Table.Td>
    </Table.Tr>
  );
}

function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
