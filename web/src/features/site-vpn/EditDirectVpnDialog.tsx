import { Alert, Button, FileInput, Group, List, Modal, NumberInput, PasswordInput, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { ApiRequestError } from '../../api/client.ts';
import { devicesOfRefusal, errorsByField } from './refusals.ts';
import { SubnetListInput } from './SubnetListInput.tsx';
import { useUpdateDirectVpn } from './use-direct-vpns.ts';

/** Edit name, description, subnets and where it connects (D7); a removed subnet with devices behind it is confirmed first (D8). */
export function EditDirectVpnDialog({ plantId, vpn, onClose }: { plantId: string; vpn: DirectVpnViewWire; onClose: () => void }) {
  const update = useUpdateDirectVpn(plantId, vpn.id);
  const [name, setName] = useState(vpn.name);
  const [description, setDescription] = useState(vpn.description);
  const [subnets, setSubnets] = useState(vpn.subnets.length ? vpn.subnets : ['']);
  const [listenHost, setListenHost] = useState(vpn.listen?.host ?? '');
  const [listenPort, setListenPort] = useState<string | number>(vpn.listen?.port ?? '');
  const [config, setConfig] = useState<{ name: string; text: string } | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const devices = devicesOfRefusal(update.error);
  const error = update.error instanceof ApiRequestError ? update.error : null;
  const errors = error && !devices ? errorsByField(error.problems, { field: error.field, message: error.message }) : {};
  const save = (confirm: boolean) => {
    const hosted = vpn.direction === 'hosted';
    const port = typeof listenPort === 'number' ? listenPort : undefined;
    update.mutate(
      {
        name: name.trim(),
        description: description.trim(),
        subnets: subnets.map((s) => s.trim()).filter(Boolean),
        ...(hosted && (listenHost.trim() || port) ? { listen: { ...(listenHost.trim() ? { host: listenHost.trim() } : {}), ...(port ? { port } : {}) } } : {}),
        ...(!hosted && config ? { config: config.text } : {}),
        ...(!hosted && username && password ? { credentials: { username, password } } : {}),
        confirm,
      },
      { onSuccess: onClose },
    );
  };
  const known = new Set([
    'name',
    'description',
    'config',
    'credentials',
    'credentials.username',
    'credentials.password',
    'listen',
    'listen.host',
    'listen.port',
    'subnets',
  ]);
  const other = error && !devices && !Object.keys(errors).some((f) => known.has(f) || f.startsWith('subnets[')) ? error.message : null;
  return (
    <Modal opened onClose={onClose} title={`Edit ${vpn.name}`} size="lg" centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save(false);
        }}
        noValidate
      >
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={errors.description}
            autosize
            minRows={1}
          />
          {vpn.direction === 'hosted' ? (
            <Group grow align="flex-start">
              <TextInput
                label="Dial-in host"
                description="The address clients dial"
                value={listenHost}
                onChange={(e) => setListenHost(e.currentTarget.value)}
                error={errors['listen.host'] ?? errors.listen}
              />
              <NumberInput label="Dial-in port" min={1} max={65535} value={listenPort} onChange={setListenPort} error={errors['listen.port']} />
            </Group>
          ) : (
            <FileInput
              label="New router configuration (optional)"
              description={`Replaces endpoint and keys (now ${vpn.endpoints.join(', ') || 'none'}); checked like on create`}
              placeholder="Choose a .conf or .ovpn file"
              accept={vpn.protocol === 'wireguard' ? '.conf' : '.ovpn,.conf'}
              clearable
              clearButtonProps={{ 'aria-label': 'Remove the chosen file' }}
              onChange={async (file) => setConfig(file ? { name: file.name, text: await file.text() } : null)}
              error={errors.config}
            />
          )}
          {vpn.needsCredentials && (
            <Group grow align="flex-start">
              <TextInput
                label="New username (optional)"
                value={username}
                onChange={(e) => setUsername(e.currentTarget.value)}
                error={errors.credentials ?? errors['credentials.username']}
              />
              <PasswordInput
                label="New password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={errors['credentials.password']}
              />
            </Group>
          )}
          <SubnetListInput subnets={subnets} onChange={setSubnets} errors={errors} />
          {devices && (
            <Alert color="red" variant="outline" title="Devices behind a removed subnet" role="alert" data-testid="devices-warning">
              <Text size="sm">Removing these subnets also removes these network devices:</Text>
              <List size="sm">
                {devices.map((d) => (
                  <List.Item key={d}>{d}</List.Item>
                ))}
              </List>
            </Alert>
          )}
          {other && (
            <Text c="red.9" role="alert">
              {other}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            {devices ? (
              <Button color="red" onClick={() => save(true)} loading={update.isPending}>
                Remove subnets and devices
              </Button>
            ) : (
              <Button type="submit" loading={update.isPending}>
                Save
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
