import { Button, Group, Modal, Radio, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ShownClientConfig } from './use-org-vpns.ts';

/** Add a site (an office or control-room router announcing networks) or a device (a shared machine). */
export function AddClientDialog(props: {
  vpn: string;
  protocol: 'wireguard' | 'openvpn';
  pending: boolean;
  error: string | null;
  onAdd: (input: { name: string; kind: 'site' | 'device'; networks: string[] }) => Promise<ShownClientConfig | null>;
  onShown: (config: ShownClientConfig) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'site' | 'device'>('site');
  const [networks, setNetworks] = useState('');
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const list = networks.split(/[\s,]+/).filter(Boolean);
    const shown = await props.onAdd({ name: name.trim(), kind, networks: list });
    if (shown) props.onShown(shown);
  };
  return (
    <Modal opened onClose={props.onClose} title={`Add a client to ${props.vpn}`} centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus required />
          <Radio.Group label="Kind" value={kind} onChange={(v) => setKind(v as 'site' | 'device')}>
            <Group mt={4}>
              <Radio value="site" label="Site (office or control-room router)" />
              <Radio value="device" label="Device (a shared team machine)" />
            </Group>
          </Radio.Group>
          {kind === 'site' && (
            <Textarea
              label="Networks behind the router"
              description="One CIDR per line. These are organization VPN routes: plant and direct VPN subnets may not overlap them. The router masquerades them to its tunnel address."
              value={networks}
              onChange={(e) => setNetworks(e.currentTarget.value)}
              autosize
              minRows={2}
            />
          )}
          <Text size="sm">
            The key is made in this browser{props.protocol === 'openvpn' ? ' (only a certificate signing request is sent)' : ''}; the configuration is shown once.
          </Text>
          {props.error && (
            <Text c="red.9" role="alert">
              {props.error}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={props.pending}>
              Add client
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
