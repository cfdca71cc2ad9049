import { Autocomplete, Button, Card, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { OrgSummary } from '../../../../../src/core/wire/org.ts';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { formatDate } from '../labels.ts';
import { orgKey } from '../use-org.ts';

const PAGE_SIZES = ['10', '50', '200'];

/** Suggestions for the kind filter (any text is accepted: the server matches it exactly). */
const KINDS = [
  'org.member-invited',
  'org.invitation-accepted',
  'org.invitation-revoked',
  'org.member-role-changed',
  'org.member-removed',
  'org.plant-created',
  'org.plant-renamed',
  'org.plant-removed',
  'org.subnet-added',
  'org.subnet-removed',
  'org.device-added',
  'org.device-updated',
  'org.device-removed',
  'org.portfolio-created',
  'org.portfolio-updated',
  'org.portfolio-removed',
  'org.job-role-granted',
  'org.job-role-removed',
  'org.cooperation-offered',
  'org.cooperation-changed',
  'org.cooperation-ended',
  'org-vpn.created',
  'org-vpn.renamed',
  'org-vpn.removed',
  'org-vpn.plant-added',
  'org-vpn.plant-removed',
  'org-vpn.client-added',
  'org-vpn.client-removed',
  'routes.changed',
];

type Filters = { kind: string; user: string };

/** The organization's events (every change is one), newest first, filtered by kind and user, paged backwards. */
export function EventsPage({ org }: { org: OrgSummary }) {
  const [draft, setDraft] = useState<Filters>({ kind: '', user: '' });
  const [filters, setFilters] = useState<Filters>({ kind: '', user: '' });
  const [pageSize, setPageSize] = useState('50');
  // The cursors of the pages seen so far: [undefined] is the newest page.
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const before = cursors[cursors.length - 1];
  const events = useQuery({
    queryKey: orgKey(org.id, 'events', filters, pageSize, before),
    queryFn: () =>
      request(orgApi.events, {
        params: { org: org.id },
        query: { kind: filters.kind || undefined, user: filters.user || undefined, before, limit: Number(pageSize) },
      }),
    placeholderData: keepPreviousData,
  });
  const apply = (event: { preventDefault(): void }) => {
    event.preventDefault();
    setFilters({ kind: draft.kind.trim(), user: draft.user.trim() });
    setCursors([undefined]);
  };

  return (
    <Card withBorder padding="lg">
      <Stack>
        <Title order={2} size="h3">
          Events
        </Title>
        <form onSubmit={apply} noValidate>
          <Group align="flex-end">
            <Autocomplete label="Kind" placeholder="any" data={KINDS} value={draft.kind} onChange={(kind) => setDraft({ ...draft, kind })} />
            <TextInput
              label="User (email)"
              placeholder="acting or affected user"
              value={draft.user}
              onChange={(e) => setDraft({ ...draft, user: e.currentTarget.value })}
            />
            <NativeSelect
              label="Per page"
              w={100}
              data={PAGE_SIZES}
              value={pageSize}
              onChange={(e) => {
                setPageSize(e.currentTarget.value);
                setCursors([undefined]);
              }}
            />
            <Button type="submit" variant="default">
              Filter
            </Button>
          </Group>
        </form>
        <Loadable
          query={events}
          what="events"
          isEmpty={(page) => page.events.length === 0}
          empty={<Text>{filters.kind || filters.user ? 'No event matches these filters.' : 'No event yet.'}</Text>}
        >
          {(page) => (
            <TableScroll label="events table" minWidth={760}>
              <Table className="stack-table" data-testid="events-table" verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Kind</Table.Th>
                    <Table.Th>By</Table.Th>
                    <Table.Th>Subject</Table.Th>
                    <Table.Th>Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.events.map((e) => (
                    <Table.Tr key={e.id} data-testid="event-row" data-kind={e.kind}>
                      <Table.Td data-label="Time" style={{ whiteSpace: 'nowrap' }}>
                        {formatDate(e.at)}
                      </Table.Td>
                      <Table.Td data-label="Kind">
                        <code style={{ whiteSpace: 'nowrap' }}>{e.kind}</code>
                      </Table.Td>
                      <Table.Td data-label="By">{e.actor ?? '—'}</Table.Td>
                      <Table.Td data-label="Subject">{e.subject ?? '—'}</Table.Td>
                      <Table.Td data-label="Details">
                        <code style={{ fontSize: 12, overflowWrap: 'anywhere' }}>{detailsText(e.details)}</code>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
          )}
        </Loadable>
        <Group justify="space-between">
          <Text size="sm">Page {cursors.length}</Text>
          <Group gap="xs">
            <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Newer
            </Button>
            <Button
              variant="default"
              disabled={!events.data?.nextBefore || events.isPlaceholderData}
              onClick={() => events.data?.nextBefore && setCursors((c) => [...c, events.data?.nextBefore ?? undefined])}
            >
              Older
            </Button>
          </Group>
        </Group>
      </Stack>
    </Card>
  );
}

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
