import { Button, Table, Text, Title } from '@mantine/core';
import type { AuditRecord, AuditSession } from '../../../../src/core/wire/audit.ts';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatBytes, formatUtc } from './summaries.ts';
import { type SessionSummary, summarizeSessions } from './timeline.ts';

/**
 * Per P7 session (issue 10 items 1, 2): when and from where the user was connected, and which
 * devices the session touched with how many connections and bytes. "Show this session"
 * filters the trail to that user and the session's time.
 */
export function AuditSessions({ records, sessions, onShow }: { records: readonly AuditRecord[]; sessions: readonly AuditSession[]; onShow: (s: SessionSummary) => void }) {
  const rows = summarizeSessions(records, sessions);
  if (rows.length === 0) return null;
  return (
    <div>
      <Title order={3} size="h5">
        Sessions
      </Title>
      <TableScroll label="sessions summary" minWidth={760}>
        <Table className="stack-table" data-testid="session-summary" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Session (UTC)</Table.Th>
              <Table.Th>User</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th>Gateway</Table.Th>
              <Table.Th>Devices</Table.Th>
              <Table.Th>Conn.</Table.Th>
              <Table.Th>In / out</Table.Th>
              <Table.Th>
                <Text span size="sm">
                  Records
                </Text>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((s) => (
              <Table.Tr key={s.id} data-testid="session-summary-row" data-session={s.id}>
                <Table.Td data-label="Session (UTC)" style={{ whiteSpace: 'nowrap' }}>
                  {s.session ? `${formatUtc(s.session.start)} – ${s.session.end ? formatUtc(s.session.end) : 'connected'}` : <code>{s.id}</code>}
                </Table.Td>
                <Table.Td data-label="User">{s.user ?? 'unknown'}</Table.Td>
                <Table.Td data-label="From">
                  {s.session?.sourceAddress ?? '—'}
                  {s.session?.country ? ` (${s.session.country})` : ''}
                </Table.Td>
                <Table.Td data-label="Gateway">{s.session ? `${s.session.gateway} (${s.session.region})` : '—'}</Table.Td>
                <Table.Td data-label="Devices">{s.devices}</Table.Td>
                <Table.Td data-label="Connections">{s.connections}</Table.Td>
                <Table.Td data-label="In / out">
                  {formatBytes(s.bytesIn)} / {formatBytes(s.bytesOut)}
                </Table.Td>
                <Table.Td data-label="Records">
                  {s.session && s.user ? (
                    <Button size="compact-sm" variant="subtle" onClick={() => onShow(s)} aria-label={`Show this session: records of ${s.user} from ${formatUtc(s.session.start)}`}>
                      Show this session
                    </Button>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
    </div>
  );
}
