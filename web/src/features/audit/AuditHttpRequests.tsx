import { Button, Table, Text } from '@mantine/core';
import type { AuditRecord } from '../../../../src/core/wire/audit.ts';
import { formatBytes } from './summaries.ts';

/** The button of a browser-proxy record: shows or hides the requests behind it (issue 12 item 4). */
export function HttpRequestsToggle({ record, open, onToggle }: { record: AuditRecord; open: boolean; onToggle: () => void }) {
  const entries = record.http ?? [];
  const requests = entries.reduce((n, e) => n + e.requests, 0);
  return (
    <Button variant="subtle" size="compact-xs" aria-expanded={open} aria-controls={`http-${record.seq}`} data-testid="audit-http-toggle" onClick={onToggle}>
      {open ? 'Hide' : 'Show'} {requests} request{requests === 1 ? '' : 's'}
    </Button>
  );
}

/**
 * The requests of a browser-proxy record as the gateway summed them over its report window:
 * per method, path (without query) and status, with their count and bytes. `* * 0` sums what
 * did not fit (docs/browser-proxy-gateway.md, "Audit").
 */
export function HttpRequestsRow({ record, columns }: { record: AuditRecord; columns: number }) {
  return (
    <Table.Tr id={`http-${record.seq}`} data-testid="audit-http-detail">
      <Table.Td colSpan={columns} data-label="Requests">
        <Table withTableBorder verticalSpacing={2} fz="sm" aria-label={`requests through the browser proxy, record ${record.seq}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Method</Table.Th>
              <Table.Th>Path</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Requests</Table.Th>
              <Table.Th>In / out</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(record.http ?? []).map((e) => (
              <Table.Tr
                key={`${e.method} ${e.status} ${e.path}`}
                data-testid="audit-http-row"
                data-method={e.method}
                data-path={e.path}
                data-status={e.status}
                data-requests={e.requests}
              >
                <Table.Td data-label="Method">{e.method === '*' ? 'other' : e.method}</Table.Td>
                <Table.Td data-label="Path">
                  {e.path === '*' ? (
                    <Text span c="dimmed" size="sm">
                      requests beyond the first 49 kinds
                    </Text>
                  ) : (
                    <code style={{ overflowWrap: 'anywhere' }}>{e.path}</code>
                  )}
                </Table.Td>
                <Table.Td data-label="Status">{e.status === 0 ? '—' : e.status}</Table.Td>
                <Table.Td data-label="Requests">{e.requests}</Table.Td>
                <Table.Td data-label="In / out" title={`${e.bytesIn} bytes in, ${e.bytesOut} bytes out`} style={{ whiteSpace: 'nowrap' }}>
                  {formatBytes(e.bytesIn)} / {formatBytes(e.bytesOut)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.Td>
    </Table.Tr>
  );
}
