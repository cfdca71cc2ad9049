import { Badge, Box, Button, Card, Group, Menu, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { formatDate } from '../organization/labels.ts';
import { DeleteDirectVpnDialog } from './DeleteDirectVpnDialog.tsx';
import { DiagnoseDialog } from './DiagnoseDialog.tsx';
import { EditDirectVpnDialog } from './EditDirectVpnDialog.tsx';
import { HostedClients } from './HostedClients.tsx';
import { formatBytes, formatRate, formatSince, liveState, STATE_LABEL } from './live-format.ts';
import { LogsDialog } from './LogsDialog.tsx';
import { useDirectVpnAction } from './use-direct-vpns.ts';

type Dialog = 'edit' | 'logs' | 'diagnose' | 'delete' | null;

/** One direct VPN (SPEC D7): role, live connection bar, traffic; the ⋯ menu for who may manage it. */
export function DirectVpnCard({ plantId, vpn, manage, now }: { plantId: string; vpn: DirectVpnViewWire; manage: boolean; now: number }) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const action = useDirectVpnAction(plantId, vpn.id);
  const state = liveState(vpn);
  const since = formatSince(vpn.live?.since, now);
  const server = vpn.direction === 'hosted';
  return (
    <Card withBorder padding="lg" data-testid="direct-vpn-card" data-vpn={vpn.name} data-state={state}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div style={{ minWidth: 0 }}>
            <Group gap="xs">
              <Title order={3} size="h4" style={{ overflowWrap: 'anywhere' }}>
                {vpn.name}
              </Title>
              <Badge color={server ? 'violet.9' : 'blue.9'} tt="none" data-testid="vpn-role">
                {server ? 'Server' : 'Client'}
              </Badge>
            </Group>
            <Text size="sm">
              {vpn.protocol === 'wireguard' ? 'WireGuard' : `OpenVPN over ${vpn.transport.toUpperCase()}`} ·{' '}
              {server ? 'the plant router dials in here' : 'the agent dials the plant router'}
            </Text>
            {vpn.description && <Text size="sm">{vpn.description}</Text>}
          </div>
          {manage && (
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button variant="default" size="compact-md" aria-label={`Actions for ${vpn.name}`}>
                  ⋯
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => setDialog('edit')}>Edit</Menu.Item>
                <Menu.Item disabled={!vpn.enabled} onClick={() => action.mutate('restart')}>
                  Restart VPN
                </Menu.Item>
                <Menu.Item onClick={() => setDialog('logs')}>Open logs</Menu.Item>
                {vpn.enabled && state !== 'connected' && <Menu.Item onClick={() => setDialog('diagnose')}>Diagnose</Menu.Item>}
                <Menu.Item onClick={() => action.mutate(vpn.enabled ? 'disable' : 'enable')}>{vpn.enabled ? 'Disable' : 'Enable'}</Menu.Item>
                <Menu.Divider />
                <Menu.Item color="red.9" onClick={() => setDialog('delete')}>
                  Delete
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
        <Box className="vpn-state-bar" data-state={state} role="status" aria-label={`Connection of ${vpn.name}`}>
          <span className="state-dot" aria-hidden="true" />
          <Text fw={700} span>
            {STATE_LABEL[state]}
          </Text>
          {since && state !== 'disabled' && <Text span> for {since}</Text>}
          {vpn.live?.reportedAt && (
            <Text span size="xs">
              {' '}
              · reported {formatDate(vpn.live.reportedAt)}
            </Text>
          )}
        </Box>
        {action.error && (
          <Text c="red.9" size="sm" role="alert">
            {action.error.message}
          </Text>
        )}
        {action.isSuccess && action.variables === 'restart' && (
          <Text size="sm" role="status">
            Restart requested: the agent cycles the tunnel on its next update.
          </Text>
        )}
        <dl className="facts">
          <dt>Traffic</dt>
          <dd data-testid="vpn-traffic">
            {vpn.live?.reportedAt ? (
              <>
                ↓ {formatBytes(vpn.live.bytesIn)} ({formatRate(vpn.live.rateIn)}) · ↑ {formatBytes(vpn.live.bytesOut)} ({formatRate(vpn.live.rateOut)})
              </>
            ) : (
              'no report from the agent yet'
            )}
          </dd>
          {server ? (
            <>
              <dt>Dial-in address</dt>
              <dd>{vpn.listen ? <code>{`${vpn.listen.host}:${vpn.listen.port}`}</code> : 'allocated when the server is created'}</dd>
              <dt>Clients</dt>
              <dd>{vpn.clientCount ?? '—'}</dd>
            </>
          ) : (
            <>
              <dt>Router endpoint</dt>
              <dd>{vpn.endpoints.length ? vpn.endpoints.map((e) => <code key={e}>{e} </code>) : '—'}</dd>
              {vpn.agentPublicKey && (
                <>
                  <dt>Agent public key</dt>
                  <dd data-testid="vpn-agent-public-key" title="enter it as the peer on the plant router">
                    <code>{vpn.agentPublicKey}</code>
                  </dd>
                </>
              )}
            </>
          )}
          <dt>Plant subnets</dt>
          <dd data-testid="vpn-subnets">{vpn.subnets.length ? vpn.subnets.map((s) => <code key={s}>{s} </code>) : 'none'}</dd>
          {vpn.crypto && (
            <>
              <dt>Crypto</dt>
              <dd>
                {[vpn.crypto.cipher, vpn.crypto.auth, vpn.crypto.tlsMin && `TLS ≥ ${vpn.crypto.tlsMin}`, vpn.crypto.compression].filter(Boolean).join(' · ') ||
                  'defaults'}
              </dd>
            </>
          )}
        </dl>
        {server && (
          <details className="advanced" data-testid="site-clients">
            <summary>Site clients</summary>
            <Box mt="xs">
              <HostedClients plantId={plantId} vpn={vpn} manage={manage} kind="site" />
            </Box>
          </details>
        )}
      </Stack>
      {dialog === 'edit' && <EditDirectVpnDialog plantId={plantId} vpn={vpn} onClose={() => setDialog(null)} />}
      {dialog === 'logs' && <LogsDialog plantId={plantId} vpn={vpn} onClose={() => setDialog(null)} />}
      {dialog === 'diagnose' && <DiagnoseDialog plantId={plantId} vpn={vpn} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteDirectVpnDialog plantId={plantId} vpn={vpn} onClose={() => setDialog(null)} />}
    </Card>
  );
}
