import { Alert, Button, Card, Group, Loader, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ProfileConfigParts, ProfileGatewayStatus, ProfileType } from '../../../../src/core/wire/api.ts';
import { formatBytes } from '../../../../src/core/render/format-bytes.ts';
import { endpointHost } from '../../../../src/core/render/profile-endpoints.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { RefreshConfigButton } from './RefreshConfigButton.tsx';
import { SessionsSection } from './SessionsSection.tsx';
import { ShowOnceConfig } from './ShowOnceConfig.tsx';
import { useKeyedProfileChange, useProfile, useProfileStatus, useRevokeProfile } from './use-profile.ts';

export function VpnPage() {
  const profile = useProfile();
  const issue = useKeyedProfileChange('issued');
  const rotate = useKeyedProfileChange('rotated');
  const revoke = useRevokeProfile();
  const [confirm, setConfirm] = useState<'rotate' | 'revoke' | null>(null);
  const [type, setType] = useState<ProfileType>('wireguard');
  const shown = issue.data ?? rotate.data;
  const closeShown = () => {
    issue.reset();
    rotate.reset();
  };

  return (
    <Stack maw={1100}>
      <Title order={1}>Personal VPN</Title>
      {profile.isPending && <Loader aria-label="Loading your profile" />}
      {profile.isError && (
        <Alert color="red" title="Your profile could not be loaded" role="alert">
          {profile.error.message}
        </Alert>
      )}
      {(issue.error || rotate.error) && (
        <Alert color="red" title="Nothing was shown" role="alert">
          {(issue.error ?? rotate.error)?.message}
        </Alert>
      )}
      {profile.data === null && (
        <Card withBorder padding="lg">
          <Stack>
            <Title order={2} size="h3">
              You have no personal VPN profile
            </Title>
            <Text>
              One profile reaches every plant your permissions allow. Issuing makes a key pair in this browser; only the public key (WireGuard) or a
              certificate signing request (OpenVPN) is sent to plantgate. You get the complete configuration once, to download.
            </Text>
            <SegmentedControl
              aria-label="Profile type"
              value={type}
              onChange={(value) => setType(value as ProfileType)}
              data={[
                { value: 'wireguard', label: 'WireGuard' },
                { value: 'openvpn', label: 'OpenVPN (certificate)' },
              ]}
              maw={420}
            />
            <Text size="sm" c="dimmed">
              {type === 'wireguard'
                ? 'WireGuard: a .conf for the WireGuard apps and wg-quick (QR code for phones).'
                : 'OpenVPN: a .ovpn for OpenVPN 2.6 and OpenVPN Connect, for networks or company IT that require OpenVPN. Routes are pushed at every connect, so the file never needs a refresh.'}
            </Text>
            <Group>
              <Button onClick={() => issue.mutate(type)} loading={issue.isPending}>
                Issue my {type === 'openvpn' ? 'OpenVPN' : 'WireGuard'} profile
              </Button>
            </Group>
          </Stack>
        </Card>
      )}
      {profile.data && <ProfileStatus parts={profile.data} onRotate={() => setConfirm('rotate')} onRevoke={() => setConfirm('revoke')} />}
      {/* Past sessions outlive a revoked profile, so the section shows with or without one. */}
      {!profile.isPending && (
        <Card withBorder padding="lg">
          <SessionsSection />
        </Card>
      )}
      <ConfirmDialog
        opened={confirm === 'rotate'}
        title="Rotate your profile?"
        confirmLabel="Rotate and show the new file"
        loading={rotate.isPending}
        onCancel={() => setConfirm(null)}
        onConfirm={() => rotate.mutate(profile.data?.profile.kind ?? 'wireguard', { onSettled: () => setConfirm(null) })}
      >
        <Text>
          A new key pair is made in this browser{profile.data?.profile.kind === 'openvpn' ? ' and plantgate signs a new certificate' : ''}. Your current
          configuration file stops working at once on every gateway; tunnel IP and route choices stay.
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        opened={confirm === 'revoke'}
        title="Revoke your profile?"
        confirmLabel="Revoke now"
        danger
        loading={revoke.isPending}
        error={revoke.error?.message}
        onCancel={() => setConfirm(null)}
        onConfirm={() => revoke.mutate(undefined, { onSuccess: () => setConfirm(null) })}
      >
        <Text>
          Every gateway drops your profile within a second: open connections are cut and your configuration file stops working for good. You can issue a new
          profile afterwards.
        </Text>
      </ConfirmDialog>
      {shown && <ShowOnceConfig config={shown} onClose={closeShown} />}
    </Stack>
  );
}

function ProfileStatus({ parts, onRotate, onRevoke }: { parts: ProfileConfigParts; onRotate: () => void; onRevoke: () => void }) {
  const p = parts.profile;
  const openvpn = p.kind === 'openvpn';
  return (
    <Card withBorder padding="lg">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h3">
            Your {openvpn ? 'OpenVPN' : 'WireGuard'} profile is active
          </Title>
          <Group>
            {!openvpn && <RefreshConfigButton />}
            <Button variant="default" onClick={onRotate}>
              Rotate key
            </Button>
            <Button color="red" variant="outline" onClick={onRevoke}>
              Revoke
            </Button>
          </Group>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Fact label="Tunnel IP" value={p.tunnelIp} />
          <Fact label="Issued" value={formatDate(p.createdAt)} />
          <Fact label="Rotated" value={p.rotatedAt ? formatDate(p.rotatedAt) : 'never'} />
        </SimpleGrid>
        {p.certificate ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Fact label="Certificate serial" value={p.certificate.serial} />
            <Fact label="Valid until" value={formatDate(p.certificate.notAfter)} />
          </SimpleGrid>
        ) : (
          <Fact label="Public key" value={p.publicKey ?? ''} />
        )}
        <Title order={3} size="h4">
          Region endpoints
        </Title>
        {parts.regions.length === 0 ? (
          <Text>No region yet: the platform operator has not added one.</Text>
        ) : (
          <Table.ScrollContainer minWidth={360}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Region</Table.Th>
                  <Table.Th>Endpoint</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {parts.regions.map((r) => (
                  <Table.Tr key={r.name} data-testid="region-endpoint">
                    <Table.Td>{r.name}</Table.Td>
                    <Table.Td>
                      <code>{openvpn ? `${endpointHost(r.endpoint)} port ${parts.openvpn?.port ?? ''} (UDP, TCP)` : r.endpoint}</code>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {p.publicKey && <GatewayStatus publicKey={p.publicKey} />}
        {openvpn ? (
          <Text size="sm">
            The gateway pushes your routes at every connect: now {parts.allowedIps.join(', ')}. Reconnect to pick up a change. The private key is only in the
            file you saved; lost it? Rotate.
          </Text>
        ) : (
          <Text size="sm">
            Your config routes {parts.allowedIps.length} prefix{parts.allowedIps.length === 1 ? '' : 'es'}: {parts.allowedIps.join(', ')}. The private key is
            only in the file you saved; lost it? Rotate.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** Last handshake and bytes per gateway, as the gateways last reported them. */
function GatewayStatus({ publicKey }: { publicKey: string }) {
  const status = useProfileStatus(publicKey);
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        Connections
      </Title>
      {status.isPending && <Loader size="sm" aria-label="Loading the gateways' reports" />}
      {status.isError && (
        <Alert color="red" title="The gateways' reports could not be loaded" role="alert">
          {status.error.message}
        </Alert>
      )}
      {status.data?.length === 0 && (
        <Text data-testid="gateway-status-empty">
          No gateway has seen a handshake yet. Once your WireGuard client connects, each gateway reports its last handshake and the bytes it moved for you
          (every few seconds).
        </Text>
      )}
      {status.data && status.data.length > 0 && (
        // At phone width each gateway is a card of label/value lines (.stack-table; the box scrolls, focusable, where it cannot).
        <TableScroll label="Gateway reports" minWidth={560}>
          <Table className="stack-table" data-testid="gateway-status">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Region</Table.Th>
                <Table.Th>Gateway</Table.Th>
                <Table.Th>Last handshake</Table.Th>
                <Table.Th>Sent by you</Table.Th>
                <Table.Th>Received by you</Table.Th>
                <Table.Th>Reported</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {status.data.map((g) => (
                <GatewayRow key={`${g.region}/${g.gateway}`} status={g} />
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
    </Stack>
  );
}

function GatewayRow({ status: g }: { status: ProfileGatewayStatus }) {
  return (
    <Table.Tr data-testid="gateway-status-row" data-gateway={g.gateway}>
      <Table.Td data-label="Region">{g.region}</Table.Td>
      <Table.Td data-label="Gateway">{g.gateway}</Table.Td>
      <Table.Td data-label="Last handshake">{g.lastHandshakeAt ? formatDate(g.lastHandshakeAt) : 'none yet'}</Table.Td>
      {/* The gateway counts from its side: what it received (rx) is what this user's device sent. */}
      <Table.Td data-label="Sent by you" data-testid="gateway-rx">
        {formatBytes(g.rxBytes)}
      </Table.Td>
      <Table.Td data-label="Received by you" data-testid="gateway-tx">
        {formatBytes(g.txBytes)}
      </Table.Td>
      <Table.Td data-label="Reported">{formatDate(g.reportedAt)}</Table.Td>
    </Table.Tr>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={600} style={{ overflowWrap: 'anywhere' }} data-testid={`fact-${label.toLowerCase().replace(/ /g, '-')}`}>
        {value}
      </Text>
    </div>
  );
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
