import { Alert, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { AuditEvent, AuditRecord } from '../../../../src/core/wire/audit.ts';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatBytes, formatUtc } from './summaries.ts';
import { describeEvent, mergeTimeline, type TimelineShow } from './timeline.ts';

/**
 * The plant's timeline (issue 10 item 8): who reached which device (the records on this
 * page) and the SPEC A4 events concerning the plant (profiles, logins, direct VPN changes,
 * route moves) in time order; "Access" or "Events" shows one of the two.
 */
export function AuditTimeline({ records, events, moreEvents }: { records: readonly AuditRecord[]; events: readonly AuditEvent[]; moreEvents: boolean }) {
  const [show, setShow] = useState<TimelineShow>('all');
  const items = mergeTimeline(records, events, show);
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Timeline
      </Title>
      <SegmentedControl
        value={show}
        onChange={(v) => setShow(v as TimelineShow)}
        data={[
          { value: 'all', label: 'All' },
          { value: 'access', label: 'Access' },
          { value: 'events', label: 'Events' },
        ]}
        aria-label="Timeline shows"
        maw={320}
      />
      {moreEvents && (
        <Alert color="gray" variant="outline" title="More events">
          <Text size="sm">Only the first 500 events of this window are shown: narrow the window (From, To) to see the rest.</Text>
        </Alert>
      )}
      {items.length === 0 ? (
        <Text size="sm" data-testid="timeline-empty">
          Nothing to show.
        </Text>
      ) : (
        <TableScroll label="audit timeline" minWidth={560}>
          <Table className="stack-table" data-testid="audit-timeline" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time (UTC)</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>What</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) =>
                item.kind === 'event' ? (
                  <Table.Tr key={`e${item.event.id}`} data-testid="timeline-item" data-kind="event" data-event={item.event.kind}>
                    <Table.Td data-label="Time (UTC)" style={{ whiteSpace: 'nowrap' }}>
                      {formatUtc(item.at)}
                    </Table.Td>
                    <Table.Td data-label="Kind">
                      <code>{item.event.kind}</code>
                    </Table.Td>
                    <Table.Td data-label="What">{describeEvent(item.event)}</Table.Td>
                  </Table.Tr>
                ) : (
                  <Table.Tr key={`r${item.record.seq}`} data-testid="timeline-item" data-kind="access">
                    <Table.Td data-label="Time (UTC)" style={{ whiteSpace: 'nowrap' }}>
                      {formatUtc(item.at)}
                    </Table.Td>
                    <Table.Td data-label="Kind">access</Table.Td>
                    <Table.Td data-label="What">
                      {item.record.user ?? `unknown (${item.record.tunnelIp})`} → {item.record.deviceIp}
                      {item.record.deviceName ? ` (${item.record.deviceName})` : ''} {item.record.protocol}
                      {item.record.port === null ? '' : `/${item.record.port}`}, {item.record.connections} conn., {formatBytes(item.record.bytesIn)} /{' '}
                      {formatBytes(item.record.bytesOut)}
                    </Table.Td>
                  </Table.Tr>
                ),
              )}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
    </Stack>
  );
}
