import { Alert, Button, Group, Modal, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { WebTargetView } from '../../../../src/core/wire/proxy.ts';
import { ApiRequestError } from '../../api/client.ts';
import { errorsByField } from '../site-vpn/refusals.ts';
import { useCreateWebTarget, useUpdateWebTarget } from './use-web-targets.ts';

/** Add a web target (a network device of the plant) or change one; refusals are shown at the field they name. */
export function WebTargetDialog({ plantId, target, onClose }: { plantId: string; target: WebTargetView | null; onClose: () => void }) {
  const create = useCreateWebTarget(plantId);
  const update = useUpdateWebTarget(plantId, target?.id ?? '');
  const change = target ? update : create;
  const [device, setDevice] = useState(target?.device ?? '');
  const [scheme, setScheme] = useState<'http' | 'https'>(target?.scheme ?? 'http');
  const [port, setPort] = useState<string | number>(target?.port ?? '');
  const [path, setPath] = useState(target?.path ?? '/');
  const [name, setName] = useState(target?.name ?? '');
  const error = change.error instanceof ApiRequestError ? change.error : null;
  const errors = error ? errorsByField(error.problems, { field: error.field ?? '', message: error.message }) : {};
  const known = ['device', 'scheme', 'port', 'path', 'name'];
  const other = change.error && !known.some((f) => errors[f]) ? change.error.message : null;
  const save = () => {
    const body = { device: device.trim(), scheme, port: typeof port === 'number' ? port : undefined, path: path.trim() || '/', name: name.trim() || undefined };
    if (target) update.mutate({ ...body, name: name.trim() || null }, { onSuccess: onClose });
    else create.mutate(body, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={target ? `Edit ${target.label}` : 'Add a web target'} centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
        noValidate
      >
        <Stack>
          <TextInput
            label="Network device"
            description="Its name or IP address (a network device of this plant)"
            required
            value={device}
            onChange={(e) => setDevice(e.currentTarget.value)}
            error={errors.device}
            data-autofocus
          />
          <Group grow align="flex-start">
            <Select
              label="Scheme"
              data={['http', 'https']}
              value={scheme}
              onChange={(v) => setScheme(v === 'https' ? 'https' : 'http')}
              allowDeselect={false}
              error={errors.scheme}
            />
            <NumberInput label="Port" placeholder={scheme === 'https' ? '443' : '80'} min={1} max={65535} value={port} onChange={setPort} error={errors.port} />
          </Group>
          <TextInput label="Path" description="Where the browser lands on the device" value={path} onChange={(e) => setPath(e.currentTarget.value)} error={errors.path} />
          <TextInput label="Name" description="Optional; shown instead of the device's name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} />
          {other && (
            <Alert color="red" role="alert">
              {other}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={change.isPending}>
              {target ? 'Save' : 'Add target'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
