import { Alert, Grid, Modal, Stack, Text, Textarea } from '@mantine/core';
import type { z } from 'zod';
import type { DirectVpnClientCredentials } from '../../../../src/core/wire/direct-vpn.ts';
import { QrCode } from '../../ui/QrCode.tsx';
import { ShowOnceActions } from '../../ui/ShowOnceActions.tsx';

export type ShownCredentials = z.infer<typeof DirectVpnClientCredentials>;

/** A QR code holds about 2.9 kB: an OpenVPN profile with its certificates does not fit, a WireGuard one does. */
const QR_MAX_CHARS = 2_000;

/**
 * SPEC D6: a hosted server's client profile with its private key, shown exactly once
 * (the server keeps no copy): download, copy, QR code. Closing it is final.
 */
export function CredentialsDialog({ credentials, onClose }: { credentials: ShownCredentials; onClose: () => void }) {
  const { client, fileName, profile } = credentials;
  const where = client.kind === 'site' ? `load it on the plant router (${client.name})` : `hand it to ${client.name} for their WireGuard or OpenVPN app`;
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Profile of ${client.name}`}
      size="xl"
      closeOnClickOutside={false}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <Alert color="red" variant="outline" title="Shown only now" role="alert">
          <Text size="sm">
            This profile holds the private key of {client.name}. plantgate does not keep it and cannot show it again: download or copy it now and {where}. If it
            is lost, remove this client and add a new one.
          </Text>
        </Alert>
        <Grid>
          <Grid.Col span={{ base: 12, md: profile.length <= QR_MAX_CHARS ? 8 : 12 }}>
            <Textarea
              label={fileName}
              value={profile}
              readOnly
              autosize
              minRows={8}
              maxRows={18}
              classNames={{ input: 'config-text' }}
              data-testid="client-profile"
            />
          </Grid.Col>
          {profile.length <= QR_MAX_CHARS && (
            <Grid.Col span={{ base: 12, md: 4 }}>
              <Stack gap={4} align="center">
                <QrCode text={profile} label={`QR code of the profile of ${client.name}`} />
                <Text size="xs" ta="center">
                  Scan with the WireGuard app.
                </Text>
              </Stack>
            </Grid.Col>
          )}
        </Grid>
        <ShowOnceActions fileName={fileName} text={profile} onClose={onClose} />
      </Stack>
    </Modal>
  );
}
