import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import type { DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { Loadable } from '../../ui/Loadable.tsx';
import { formatDate } from '../organization/labels.ts';
import { STATE_LABEL } from './live-format.ts';
import { useDirectVpnDiagnosis } from './use-direct-vpns.ts';

/** D7: the guided check of a tunnel that is not connected; each failed check says what to fix. */
export function DiagnoseDialog({ plantId, vpn, onClose }: { plantId: string; vpn: DirectVpnViewWire; onClose: () => void }) {
  const diagnosis = useDirectVpnDiagnosis(plantId, vpn.id);
  return (
    <Modal opened onClose={onClose} title={`Diagnose ${vpn.name}`} size="lg" centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Loadable query={diagnosis} what="diagnosis">
        {(d) => (
          <Stack>
            <Text size="sm">
              State: {STATE_LABEL[d.state]}
              {d.reportedAt ? ` (checked by the agent ${formatDate(d.reportedAt)})` : ''}
            </Text>
            {d.checks.length === 0 ? (
              <Text>The agent has not run the checks yet; they arrive with its next report.</Text>
            ) : (
              <List spacing="xs" listStyleType="none" data-testid="diagnosis">
                {d.checks.map((c) => (
                  <List.Item key={c.check}>
                    {c.ok ? (
                      <Text size="sm">
                        <Text span fw={700} c="green.9">
                          ✓ {c.check}
                        </Text>{' '}
                        {c.detail}
                      </Text>
                    ) : (
                      <Alert color="red" variant="outline" title={`✗ ${c.check}`} p="xs">
                        <Text size="sm">{c.detail}</Text>
                        {c.fix && (
                          <Text size="sm" fw={600}>
                            Fix: {c.fix}
                          </Text>
                        )}
                      </Alert>
                    )}
                  </List.Item>
                ))}
              </List>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => diagnosis.refetch()} loading={diagnosis.isFetching}>
                Check again
              </Button>
              <Button onClick={onClose}>Close</Button>
            </Group>
          </Stack>
        )}
      </Loadable>
    </Modal>
  );
}
