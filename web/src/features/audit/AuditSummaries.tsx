import { SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { AuditRecord } from '../../../../src/core/wire/audit.ts';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatBytes, summarizeDevices, summarizeUsers } from './summaries.ts';

/** Per device and per user, over the records loaded (the pages seen so far). */
export function AuditSummaries({ records }: { records: readonly AuditRecord[] }) {
  const devices = summarizeDevices(records);
  const users = summarizeUsers(records);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} aria-describedby="audit-summary-scope">
      <Text size="xs" id="audit-summary-scope" style={{ gridColumn: '1 / -1' }}>
        Summaries over the {records.length} record{records.length === 1 ? '' : 's'} on this page.
      </Text>
      <div>
        <Title order={3} size="h5">
          Devices reached
        </Title>
        <TableScroll label="devices summary" minWidth={420}>
          <Table className="stack-table" data-testid="device-summary" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>Services</Table.Th>
                <Table.Th>Users</Table.Th>
                <Table.Th>Conn.</Table.Th>
                <Table.Th>In / out</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {devices.map((d) => (
                <Table.Tr key={`${d.subnet}/${d.deviceIp}`} data-testid="device-summary-row" data-device={d.deviceIp}>
                  <Table.Td data-label="Device">
                    {d.deviceIp}
                    {d.deviceName ? ` (${d.deviceName})` : ''}
                  </Table.Td>
                  <Table.Td data-label="Services">{d.services.join(', ')}</Table.Td>
                  <Table.Td data-label="Users">{d.users}</Table.Td>
                  <Table.Td data-label="Connections" data-testid="summary-connections">
                    {d.connections}
                  </Table.Td>
                  <Table.Td data-label="In / out">
                    {formatBytes(d.bytesIn)} / {formatBytes(d.bytesOut)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      </div>
      <div>
        <Title order={3} size="h5">
          Users
        </Title>
        <TableScroll label="users summary" minWidth={420}>
          <Table className="stack-table" data-testid="user-summary" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Devices</Table.Th>
                <Table.Th>Conn.</Table.Th>
                <Table.Th>In / out</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((u) => (
                <Table.Tr key={u.user ?? ''} data-testid="user-summary-row" data-user={u.user ?? ''}>
                  <Table.Td data-label="User">{u.user ?? <Text span>unknown tunnel address</Text>}</Table.Td>
                  <Table.Td data-label="Devices">{u.devices}</Table.Td>
                  <Table.Td data-label="Connections">{u.connections}</Table.Td>
                  <Table.Td data-label="In / out">
                    {formatBytes(u.bytesIn)} / {formatBytes(u.bytesOut)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      </div>
    </SimpleGrid>
  );
}
