import { Alert, Button, Card, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { Fragment, useState } from 'react';
import type { AuditEvent, AuditPage as Page } from '../../../../src/core/wire/audit.ts';
import type { OrgSummary } from '../../../../src/core/wire/org.ts';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { usePlants } from '../organization/plants/use-plants.ts';
import { HttpRequestsRow, HttpRequestsToggle } from './AuditHttpRequests.tsx';
import { AuditSessions } from './AuditSessions.tsx';
import { AuditSummaries } from './AuditSummaries.tsx';
import { AuditTimeline } from './AuditTimeline.tsx';
import { AuditTools } from './AuditTools.tsx';
import { type AuditFilterDraft, type AuditFilters, checkAuditFilters, NO_FILTERS } from './audit-filters.ts';
import { formatBytes, formatUtc } from './summaries.ts';
import type { SessionSummary } from './timeline.ts';
import { useAuditEvents, useAuditRecords } from './use-audit.ts';

/**
 * A plant's audit trail (issue 10, SPEC A2/A3) for the Admins and Moderators of its
 * organization: who reached which device, how and how much; capture gaps; integrity; export.
 */
export function AuditPage({ org }: { org: OrgSummary }) {
  const plants = usePlants(org.id);
  const [plantId, setPlantId] = useState<string | null>(null);
  return (
    <Card withBorder padding="lg">
      <Stack>
        <Title order={2} size="h3">
          Audit trail
        </Title>
        <Loadable query={plants} what="plants" isEmpty={(l) => l.length === 0} empty={<Text>{org.name} has no plant, so there is no trail yet.</Text>}>
          {(list) => {
            const plant = list.find((p) => p.id === plantId) ?? list[0];
            if (!plant) return null;
            return (
              <Stack>
                <NativeSelect
                  label="Plant"
                  w={{ base: '100%', sm: 320 }}
                  value={plant.id}
                  data={list.map((p) => ({ value: p.id, label: p.name }))}
                  onChange={(e) => setPlantId(e.currentTarget.value)}
                />
                <PlantTrail key={plant.id} plantId={plant.id} plantName={plant.name} />
              </Stack>
            );
          }}
        </Loadable>
      </Stack>
    </Card>
  );
}

function PlantTrail({ plantId, plantName }: { plantId: string; plantName: string }) {
  const [draft, setDraft] = useState<AuditFilterDraft>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>({});
  // The cursors of the pages seen so far: [undefined] is the first (oldest) page.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const checked = checkAuditFilters(draft);
  const errors = checked.ok ? {} : checked.errors;
  const records = useAuditRecords(plantId, filters, cursors[cursors.length - 1]);
  const events = useAuditEvents(plantId, filters);
  // "Show this session": the trail of that user during that session.
  const showSession = (s: SessionSummary) => {
    if (!s.session || !s.user) return;
    const window = { user: s.user, from: s.session.start, to: s.session.end ?? new Date().toISOString() };
    setDraft({ ...window, device: '' });
    setFilters(window);
    setCursors([undefined]);
  };
  const apply = (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (!checked.ok) return;
    setFilters(checked.filters);
    setCursors([undefined]);
  };
  const field = (key: keyof AuditFilterDraft) => ({
    value: draft[key],
    error: errors[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [key]: e.currentTarget.value }),
  });
  const filtered = Object.keys(filters).length > 0;
  return (
    <Stack>
      <AuditTools plantId={plantId} plantName={plantName} />
      <form onSubmit={apply} noValidate aria-label="Audit filters">
        <Group align="flex-start">
          <TextInput label="User (email)" placeholder="any" w={{ base: '100%', sm: 220 }} {...field('user')} />
          <TextInput label="Device IP" placeholder="192.168.1.17" w={{ base: '100%', sm: 160 }} {...field('device')} />
          <TextInput label="From" placeholder="2026-11-30" w={{ base: '100%', sm: 200 }} {...field('from')} />
          <TextInput label="To" placeholder="2026-11-30T18:00Z" w={{ base: '100%', sm: 200 }} {...field('to')} />
          <Group gap="xs" mt={{ base: 0, sm: 25 }}>
            <Button type="submit" variant="default" disabled={!checked.ok}>
              Filter
            </Button>
            {filtered && (
              <Button
                variant="subtle"
                onClick={() => {
                  setDraft(NO_FILTERS);
                  setFilters({});
                  setCursors([undefined]);
                }}
              >
                Clear
              </Button>
            )}
          </Group>
        </Group>
        <Text size="xs" mt={4}>
          From and To: a day (UTC, whole day) or a date-time with its zone. A record matches when its first–last seen overlaps the window.
        </Text>
      </form>
      <Loadable query={records} what="audit records">
        {(page) => (
          <TrailPage
            page={page}
            events={events.data?.events ?? []}
            moreEvents={events.data?.next != null}
            onShowSession={showSession}
            empty={<Text data-testid="audit-empty">{filtered ? 'No record matches these filters.' : `No access to ${plantName} has been recorded yet.`}</Text>}
          />
        )}
      </Loadable>
      <Group justify="space-between">
        <Text size="sm">Page {cursors.length}</Text>
        <Group gap="xs">
          <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Earlier
          </Button>
          <Button
            variant="default"
            disabled={!records.data?.next || records.isPlaceholderData}
            onClick={() => records.data?.next && setCursors((c) => [...c, records.data?.next ?? undefined])}
          >
            Later
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}

/** Gaps first (they qualify what follows), then the summaries and the records; `empty` when no record matched. */
function TrailPage({
  page,
  empty,
  events,
  moreEvents,
  onShowSession,
}: {
  page: Page;
  empty: React.ReactNode;
  events: readonly AuditEvent[];
  moreEvents: boolean;
  onShowSession: (s: SessionSummary) => void;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const toggle = (seq: number) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });
  return (
    <Stack>
      {page.gaps.map((g) => (
        <Alert
          key={`${g.from}/${g.to}/${g.reason}`}
          color="orange"
          variant="outline"
          title="Gap in the trail"
          data-testid="audit-gap"
          styles={{ title: { color: '#7a2e06' } }}
        >
          <Text size="sm">
            {formatUtc(g.from)} – {formatUtc(g.to)} UTC: {g.reason}
          </Text>
        </Alert>
      ))}
      {page.records.length === 0 && empty}
      {page.records.length > 0 && <AuditSummaries records={page.records} />}
      {page.records.length > 0 && <AuditSessions records={page.records} sessions={page.sessions ?? []} onShow={onShowSession} />}
      {page.records.length > 0 && (
        <TableScroll label="audit records table" minWidth={1060}>
          <Table className="stack-table" data-testid="audit-table" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Subnet</Table.Th>
                <Table.Th>Device</Table.Th>
                <Table.Th>Protocol</Table.Th>
                <Table.Th>Port</Table.Th>
                <Table.Th>Conn.</Table.Th>
                <Table.Th>In / out</Table.Th>
                <Table.Th>First seen (UTC)</Table.Th>
                <Table.Th>Last seen (UTC)</Table.Th>
                <Table.Th>Session</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.records.map((r) => (
                <Fragment key={r.seq}>
                  <Table.Tr data-testid="audit-row" data-device={r.deviceIp} data-port={r.port ?? ''} data-connections={r.connections}>
                    <Table.Td data-label="User">
                      {r.user ?? `unknown (${r.tunnelIp})`}
                      {r.http && <HttpRequestsToggle record={r} open={expanded.has(r.seq)} onToggle={() => toggle(r.seq)} />}
                    </Table.Td>
                    <Table.Td data-label="Subnet" title={`mapped ${r.mappedSubnet}`}>
                      {r.subnet}
                    </Table.Td>
                    <Table.Td data-label="Device">
                      {r.deviceIp}
                      {r.deviceName ? ` (${r.deviceName})` : ''}
                    </Table.Td>
                    <Table.Td data-label="Protocol">{r.protocol}</Table.Td>
                    <Table.Td data-label="Port">{r.port ?? '—'}</Table.Td>
                    <Table.Td data-label="Connections">{r.connections}</Table.Td>
                    <Table.Td data-label="Bytes in / out" title={`${r.bytesIn} bytes in, ${r.bytesOut} bytes out`} style={{ whiteSpace: 'nowrap' }}>
                      {formatBytes(r.bytesIn)} / {formatBytes(r.bytesOut)}
                    </Table.Td>
                    <Table.Td data-label="First seen (UTC)" style={{ whiteSpace: 'nowrap' }}>
                      {formatUtc(r.firstSeen)}
                    </Table.Td>
                    <Table.Td data-label="Last seen (UTC)" style={{ whiteSpace: 'nowrap' }}>
                      {formatUtc(r.lastSeen)}
                    </Table.Td>
                    <Table.Td data-label="Session">
                      <code style={{ overflowWrap: 'anywhere' }}>{r.session ?? '—'}</code>
                    </Table.Td>
                  </Table.Tr>
                  {r.http && expanded.has(r.seq) && <HttpRequestsRow record={r} columns={10} />}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      {(page.records.length > 0 || events.length > 0) && <AuditTimeline records={page.records} events={events} moreEvents={moreEvents} />}
    </Stack>
  );
}
