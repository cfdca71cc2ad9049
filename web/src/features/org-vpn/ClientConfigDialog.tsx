import { Alert, Grid, Modal, Stack, Text, Textarea } from '@mantine/core';
import { QrCode } from '../../ui/QrCode.tsx';
import { ShowOnceActions } from '../../ui/ShowOnceActions.tsx';
import type { ShownClientConfig } from './use-org-vpns.ts';

/**
 * A client's config with its private key, shown once: download, copy, and for WireGuard a QR
 * code (as the personal profile's); an OpenVPN `.ovpn` with its certificate is too large for
 * one QR code, OpenVPN Connect imports the file.
 */
export function ClientConfigDialog({ config, onClose }: { config: ShownClientConfig; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={config.title} size="xl" closeOnClickOutside={false} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Alert color="red" variant="outline" title="Shown only now" role="alert">
          <Text size="sm">
            This file holds the client&apos;s private key. It was made in this browser and is stored nowhere else: plantgate cannot show it again. If it is
            lost, remove the client and add it again.
          </Text>
        </Alert>
        {config.protocol === 'openvpn' ? (
          <Textarea label="OpenVPN profile (.ovpn)" value={config.text} readOnly autosize minRows={10} maxRows={24} classNames={{ input: 'config-text' }} data-testid="client-config" />
        ) : (
          <Grid>
            <Grid.Col span={{ base: 12, md: 8 }}>
              <Textarea label="WireGuard configuration" value={config.text} readOnly autosize minRows={10} classNames={{ input: 'config-text' }} data-testid="client-config" />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4 }}>
              <Stack gap={4} align="center">
                <QrCode text={config.text} label={`QR code of the configuration of ${config.title.replace(/^Configuration of /, '')}`} />
                <Text size="xs" ta="center">
                  Scan with the WireGuard app (Add tunnel → Scan from QR code).
                </Text>
              </Stack>
            </Grid.Col>
          </Grid>
        )}
        <ShowOnceActions fileName={config.fileName} text={config.text} onClose={onClose} />
      </Stack>
    </Modal>
  );
}
