import { Modal, ScrollArea, Text } from '@mantine/core';
import type { DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { Loadable } from '../../ui/Loadable.tsx';
import { formatDate } from '../organization/labels.ts';
import { useDirectVpnLogs } from './use-direct-vpns.ts';

/** The tunnel's own recent log lines as the agent sent them (secrets redacted there), refreshed while open. */
export function LogsDialog({ plantId, vpn, onClose }: { plantId: string; vpn: DirectVpnViewWire; onClose: () => void }) {
  const logs = useDirectVpnLogs(plantId, vpn.id);
  return (
    <Modal opened onClose={onClose} title={`Logs of ${vpn.name}`} size="xl" centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Loadable query={logs} what="logs" isEmpty={(l) => l.lines.length === 0} empty={<Text>The agent has sent no log lines for this tunnel yet.</Text>}>
        {(l) => (
          <>
            <Text size="sm" mb="xs">
              {l.lines.length} line{l.lines.length === 1 ? '' : 's'}
              {l.reportedAt ? `, sent ${formatDate(l.reportedAt)}` : ''}
            </Text>
            <ScrollArea.Autosize mah="60vh" type="auto">
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable by keyboard */}
              <pre className="config-text log-lines" role="log" tabIndex={0} aria-label={`Log lines of ${vpn.name}`} data-testid="vpn-logs">
                {l.lines.map((line) => `${line.at}  ${line.text}`).join('\n')}
              </pre>
            </ScrollArea.Autosize>
          </>
        )}
      </Loadable>
    </Modal>
  );
}
