import { Alert, Button, Group, Table, Text } from '@mantine/core';
import type { WebTargetView } from '../../../../src/core/wire/proxy.ts';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { useOpenWebTarget } from './use-web-targets.ts';

/** Targets with an Open button for whoever may open them, and edit/remove for managers (`onEdit`/`onRemove` given). */
export function WebTargetsTable({
  targets,
  showPlant,
  proxyOn,
  onEdit,
  onRemove,
}: {
  targets: WebTargetView[];
  showPlant: boolean;
  proxyOn: boolean;
  onEdit?: (t: WebTargetView) => void;
  onRemove?: (t: WebTargetView) => void;
}) {
  const open = useOpenWebTarget();
  return (
    <>
      {open.error && (
        <Alert color="red" role="alert" title="The target could not be opened">
          {open.error.message}
        </Alert>
      )}
      <TableScroll label="Web targets" minWidth={640}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              {showPlant && <Table.Th>Plant</Table.Th>}
              <Table.Th>Device</Table.Th>
              <Table.Th>Opens</Table.Th>
              <Table.Th>
                <span className="mantine-visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {targets.map((t) => (
              <Table.Tr key={t.id} data-testid={`web-target-${t.host}`}>
                <Table.Td fw={600}>{t.label}</Table.Td>
                {showPlant && <Table.Td>{t.plant}</Table.Td>}
                <Table.Td>
                  {t.device} <Text span c="dimmed" size="sm">
                    ({t.deviceIp})
                  </Text>
                </Table.Td>
                <Table.Td>
                  <code>
                    {t.scheme}://{t.deviceIp}:{t.port}
                    {t.path}
                  </code>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {t.canOpen && (
                      <Button
                        size="compact-sm"
                        disabled={!proxyOn}
                        title={proxyOn ? `Open ${t.label} in a new tab` : 'The browser proxy is not configured on this server'}
                        loading={open.isPending && open.variables === t.id}
                        onClick={() => open.mutate(t.id)}
                        aria-label={`Open ${t.label}`}
                      >
                        Open
                      </Button>
                    )}
                    {onEdit && t.canManage && (
                      <Button size="compact-sm" variant="default" onClick={() => onEdit(t)} aria-label={`Edit ${t.label}`}>
                        Edit
                      </Button>
                    )}
                    {onRemove && t.canManage && (
                      <Button size="compact-sm" variant="outline" color="red" onClick={() => onRemove(t)} aria-label={`Remove ${t.label}`}>
                        Remove
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
    </>
  );
}
