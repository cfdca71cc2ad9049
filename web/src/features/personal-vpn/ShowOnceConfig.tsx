import { Alert, Button, CopyButton, Grid, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { QrCode } from '../../ui/QrCode.tsx';
import { downloadText } from '../../ui/download.ts';
import type { ShownOnceConfig } from './use-profile.ts';

/** The complete config with its private key, shown once (SPEC P1): download, copy, QR code for the mobile apps. */
export function ShowOnceConfig({ config, onClose }: { config: ShownOnceConfig; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={`Profile ${config.verb}: your WireGuard configuration`} size="xl" closeOnClickOutside={false} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Alert color="red" variant="outline" title="Shown only now" role="alert">
          <Text size="sm">
            This file holds your private key. It was made in this browser and is stored nowhere else: plantgate cannot show it again. Download or copy it
            now. If you lose it, rotate the profile to get a new one.
          </Text>
        </Alert>
        <Grid>
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Textarea
              label="WireGuard configuration"
              value={config.text}
              readOnly
              autosize
              minRows={10}
              classNames={{ input: 'config-text' }}
              data-testid="config-text"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Stack gap={4} align="center">
              <QrCode text={config.text} label="QR code of the WireGuard configuration for the mobile app" />
              <Text size="xs" ta="center">
                Scan with the WireGuard app (Add tunnel → Scan from QR code).
              </Text>
            </Stack>
          </Grid.Col>
        </Grid>
        <Group justify="space-between">
          <Group>
            <Button onClick={() => downloadText(config.fileName, config.text)}>Download {config.fileName}</Button>
            <CopyButton value={config.text}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy to clipboard'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Button variant="default" onClick={onClose}>
            I have saved it, close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
