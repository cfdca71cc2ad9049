import { Autocomplete, Button, Group, NativeSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { EventsQuery } from '../../../../src/core/wire/org.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatDate } from '../personal-vpn/VpnPage.tsx';
import { summariseDetails } from './event-details.ts';
import { type EventFilters, useEventPage } from './use-platform.ts';

const NO_FILTERS: EventFilters = { kind: '', user: '', since: '' };
const PAGE_SIZES = ['25', '50', '100'];

/** A `datetime-local` value (local time, no zone) as the ISO time the API takes; undefined when empty, the text itself when not a time (the schema then names it). */
function sinceIso(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}

/** The event log (SPEC A4): newest first, filtered by kind (or family), user and time, one page at a time. */
export function EventsPage() {
  const [filters, setFilters] = useState<EventFilters>(NO_FILTERS);
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const [limit, setLimit] = useState(25);
  const before = cursors[cursors.length - 1];
  const page = useEventPage(filters, before, limit);
  const form = useZodForm(EventsQuery, { ...NO_FILTERS }, (v) => ({
    kind: v.kind?.trim() || undefined,
    user: v.user?.trim() || undefined,
    since: sinceIso(v.since),
  }));
  const apply = form.submit(() => {
    setFilters({ kind: form.values.kind ?? '', user: form.values.user ?? '', since: form.values.since ?? '' });
    setCursors([undefined]);
  });
  const clear = () => {
    form.reset();
    setFilters(NO_FILTERS);
    setCursors([undefined]);
  };
  const filtered = filters.kind || filters.user || filters.since;

  return (
    <Stack>
      <form onSubmit={apply} noValidate aria-label="Event filters">
        <Group align="flex-start">
          <KindInput field={form.field('kind')} />
          <TextInput label="User (email)" placeholder="alice@example.com" {...form.field('user')} />
          <TextInput label="Since" type="datetime-local" {...form.field('since')} />
          <Button type="submit" mt={25}>
            Apply filters
          </Button>
          {filtered && (
            <Button variant="default" mt={25} onClick={clear}>
              Clear
            </Button>
          )}
        </Group>
      </form>
      <Loadable
        query={page}
        what="events"
        isEmpty={(d) => d.events.length === 0 && cursors.length === 1}
        empty={filtered ? 'No event matches these filters.' : 'No event yet.'}
      >
        {(data) => (
          <Stack>
            <TableScroll label="events table" minWidth={860}>
              <Table className="stack-table" data-testid="events-table" striped aria-busy={page.isFetching}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={170}>Time</Table.Th>
                    <Table.Th w={170}>Kind</Table.Th>
                    <Table.Th>Actor</Table.Th>
                    <Table.Th>Subject</Table.Th>
                    <Table.Th>Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.events.map((e) => (
                    <Table.Tr key={e.id} data-event={e.id}>
                      <Table.Td data-label="Time">{formatDate(e.at)}</Table.Td>
                      <Table.Td data-label="Kind">
                        <code>{e.kind}</code>
                      </Table.Td>
                      <Table.Td data-label="Actor">{e.actor ?? '—'}</Table.Td>
                      <Table.Td data-label="Subject">{e.subject ?? '—'}</Table.Td>
                      <Table.Td data-label="Details">
                        <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                          {summariseDetails(e.details)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
            <Group justify="space-between">
              <Text size="sm" role="status">
                Page {cursors.length}
                {data.events.length > 0 && `: events ${data.events[data.events.length - 1]?.id}–${data.events[0]?.id}`}
                {filtered && ` (${describeFilters(filters)})`}
              </Text>
              <Group>
                <NativeSelect
                  aria-label="Events per page"
                  data={PAGE_SIZES}
                  value={String(limit)}
                  onChange={(e) => {
                    setLimit(Number(e.currentTarget.value));
                    setCursors([undefined]);
                  }}
                />
                <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  Newer
                </Button>
                <Button
                  variant="default"
                  disabled={data.nextBefore === null}
                  onClick={() => data.nextBefore !== null && setCursors((c) => [...c, data.nextBefore as number])}
                >
                  Older
                </Button>
              </Group>
            </Group>
          </Stack>
        )}
      </Loadable>
    </Stack>
  );
}

/** `kind daemon, user dave@…, since 30 Nov 12:00` for the status line. */
function describeFilters(filters: EventFilters): string {
  const parts: string[] = [];
  if (filters.kind.trim()) parts.push(`kind ${filters.kind.trim()}`);
  if (filters.user.trim()) parts.push(`user ${filters.user.trim()}`);
  if (filters.since) parts.push(`since ${formatDate(new Date(filters.since).toISOString())}`);
  return parts.join(', ');
}

/** Event families to suggest (any text is accepted: a family or one exact kind). */
const KIND_FAMILIES = ['auth', 'daemon', 'enrolment', 'fleet', 'org', 'profile', 'region', 'routes', 'token', 'totp', 'user'];

function KindInput({ field }: { field: { value: string; onChange: (event: { currentTarget: { value: string } }) => void; error: string | undefined } }) {
  return (
    <Autocomplete
      label="Kind or family"
      placeholder="user, profile.issued"
      data={KIND_FAMILIES}
      value={field.value}
      error={field.error}
      onChange={(value) => field.onChange({ currentTarget: { value } })}
    />
  );
}
