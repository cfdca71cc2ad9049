import { Alert, Grid, Modal, NativeSelect, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { QrCode } from '../../ui/QrCode.tsx';
import { ShowOnceActions } from '../../ui/ShowOnceActions.tsx';
import type { ShownOnceConfig } from './use-profile.ts';

/** The complete config with its private key, shown once (SPEC P1): download, copy, QR code for the mobile apps. */
export function ShowOnceConfig({ config, onClose }: { config: ShownOnceConfig; onClose: () => void }) {
  const [region, setRegion] = useState<string | null>(null);
  const text = region && config.forRegion ? config.forRegion(region) : config.text;
  const regions = config.parts.regions;
  const openvpn = config.type === 'openvpn';
  const kind = openvpn ? 'OpenVPN profile (.ovpn)' : 'WireGuard configuration';
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Profile ${config.verb}: your ${kind}`}
      size="xl"
      closeOnClickOutside={false}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <Alert color="red" variant="outline" title="Shown only now" role="alert">
          <Text size="sm">
            This file holds your private key. It was made in this browser and is stored nowhere else: plantgate cannot show it again. Download or copy it now.
            If you lose it, rotate the profile to get a new one.
          </Text>
        </Alert>
        {config.forRegion && regions.length > 1 && !config.parts.serviceEndpoint && (
          <NativeSelect
            label="Region to dial"
            description={openvpn ? 'Pick the region nearest to you; the file dials the others when it cannot reach it.' : 'Pick the region nearest to you; the file names the others to fall back to.'}
            data={regions.map((r) => ({ value: r.name, label: `${r.name} (${r.endpoint})` }))}
            value={region ?? regions[0]?.name}
            onChange={(event) => setRegion(event.currentTarget.value)}
            maw={420}
          />
        )}
        <Grid>
          <Grid.Col span={{ base: 12, md: openvpn ? 12 : 8 }}>
            <Textarea
              label={openvpn ? 'OpenVPN profile for OpenVPN 2.6 and OpenVPN Connect (import the downloaded file)' : 'WireGuard configuration'}
              value={text}
              readOnly
              autosize
              minRows={10}
              classNames={{ input: 'config-text' }}
              data-testid="config-text"
            />
          </Grid.Col>
          {/* an .ovpn with certificate and key is too large for a QR code: OpenVPN Connect imports the file */}
          {!openvpn && (
            <Grid.Col span={{ base: 12, md: 4 }}>
              <Stack gap={4} align="center">
                <QrCode text={text} label="QR code of the WireGuard configuration for the mobile app" />
                <Text size="xs" ta="center">
                  Scan with the WireGuard app (Add tunnel → Scan from QR code).
                </Text>
              </Stack>
            </Grid.Col>
          )}
        </Grid>
        <ShowOnceActions fileName={config.fileName} text={text} onClose={onClose} />
      </Stack>
    </Modal>
  );
}
