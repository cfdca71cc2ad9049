import { Alert, Badge, Button, Card, Group, Modal, NativeSelect, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { z } from 'zod';
import { EnrolmentCreateAgent, type EnrolmentCreated, EnrolmentCreateGateway, type EnrolmentInfo } from '../../../../src/core/wire/daemon.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { CopyField } from '../../ui/CopyField.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { formatDate } from '../personal-vpn/VpnPage.tsx';
import { useCreateEnrolment, useEnrolments, useRegions, useRevokeEnrolment } from './use-platform.ts';

const minutes = (v: string | undefined) => (v?.trim() ? Number(v) : undefined);

/** Enrolment tokens: create one for a gateway of a region or the agent of a plant (shown once); list and revoke unused ones. */
export function EnrolmentsSection() {
  const enrolments = useEnrolments();
  const regions = useRegions();
  const create = useCreateEnrolment();
  const revoke = useRevokeEnrolment();
  const [kind, setKind] = useState<'gateway' | 'agent'>('gateway');
  const [revoking, setRevoking] = useState<EnrolmentInfo | null>(null);
  const gatewayForm = useZodForm(EnrolmentCreateGateway, { region: '', expiresInMinutes: '60' }, (v) => ({
    region: v.region,
    expiresInMinutes: minutes(v.expiresInMinutes),
  }));
  const agentForm = useZodForm(EnrolmentCreateAgent, { plant: '', expiresInMinutes: '60' }, (v) => ({
    plant: v.plant,
    expiresInMinutes: minutes(v.expiresInMinutes),
  }));
  const form = kind === 'gateway' ? gatewayForm : agentForm;
  const onSubmit =
    kind === 'gateway'
      ? gatewayForm.submit((input: z.output<typeof EnrolmentCreateGateway>) => create.mutate({ kind, ...input }, { onError: gatewayForm.showError }))
      : agentForm.submit((input: z.output<typeof EnrolmentCreateAgent>) => create.mutate({ kind, ...input }, { onError: agentForm.showError }));
  const regionNames = (regions.data ?? []).map((r) => r.name);

  return (
    <Stack>
      <Title order={2} size="h3">
        Enrolment tokens
      </Title>
      <Card withBorder padding="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Text size="sm">A token lets one new gateway or agent enrol once; it is shown only when created.</Text>
            <SegmentedControl
              value={kind}
              onChange={(v) => setKind(v as 'gateway' | 'agent')}
              data={[
                { value: 'gateway', label: 'Gateway' },
                { value: 'agent', label: 'Agent' },
              ]}
              aria-label="Token for"
              maw={300}
            />
            <Group align="flex-start">
              {kind === 'gateway' ? (
                <NativeSelect
                  label="Region"
                  data={[{ value: '', label: regionNames.length ? 'Choose a region' : 'No region yet' }, ...regionNames]}
                  {...gatewayForm.field('region')}
                />
              ) : (
                <TextInput label="Plant (Organization/Plant, name or id)" placeholder="SolarCo/Park A" w={340} maw="100%" {...agentForm.field('plant')} />
              )}
              <TextInput label="Valid for (minutes)" inputMode="numeric" w={160} {...form.field('expiresInMinutes')} />
              <Button type="submit" mt={25} loading={create.isPending}>
                Create token
              </Button>
            </Group>
            {form.formError && (
              <Text c="red.9" role="alert">
                {form.formError}
              </Text>
            )}
          </Stack>
        </form>
      </Card>
      <Loadable query={enrolments} what="enrolment tokens" isEmpty={(d) => d.length === 0} empty="No unused enrolment token.">
        {(list) => (
          <TableScroll label="enrolment tokens table" minWidth={720}>
            <Table className="stack-table" data-testid="enrolments-table" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Token id</Table.Th>
                  <Table.Th>For</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>
                    <span className="mantine-visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((e) => (
                  <Table.Tr key={e.id} data-enrolment={e.id}>
                    <Table.Td data-label="Token id">
                      <code>{e.id}</code>
                    </Table.Td>
                    <Table.Td data-label="For">
                      {e.kind === 'gateway' ? `gateway of ${e.region}` : `agent of ${e.plant}`}
                      {e.createdBy && (
                        <Text size="xs" c="dimmed">
                          by {e.createdBy}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td data-label="Created">{formatDate(e.createdAt)}</Table.Td>
                    <Table.Td data-label="Expires">
                      {e.expired ? (
                        <Badge variant="dot" color="gray" tt="none">
                          Expired
                        </Badge>
                      ) : (
                        formatDate(e.expiresAt)
                      )}
                    </Table.Td>
                    <Table.Td data-label="">
                      <Button size="compact-sm" color="red" variant="outline" onClick={() => setRevoking(e)} aria-label={`Revoke enrolment token ${e.id}`}>
                        Revoke
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Loadable>
      <ConfirmDialog
        opened={revoking !== null}
        title={`Revoke enrolment token ${revoking?.id ?? ''}?`}
        confirmLabel="Revoke token"
        danger
        loading={revoke.isPending}
        error={revoke.error?.message}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <Text>A {revoking?.kind} started with this token can no longer enrol; daemons already enrolled are not affected.</Text>
      </ConfirmDialog>
      {create.data && <TokenShownOnce created={create.data} onClose={() => create.reset()} />}
    </Stack>
  );
}

function TokenShownOnce({ created, onClose }: { created: z.output<typeof EnrolmentCreated>; onClose: () => void }) {
  const file = `/etc/plantgate/${created.kind}-enrol.token`;
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Enrolment token for a ${created.kind} of ${created.region ?? created.plant}`}
      size="lg"
      centered
      closeOnClickOutside={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <Alert color="red" variant="outline" title="Shown only now" role="alert">
          Copy the token now: plantgate stores only a hash of it. It enrols one {created.kind}, once, until {formatDate(created.expiresAt)}.
        </Alert>
        <CopyField value={created.token} label="enrolment token">
          <code data-testid="enrolment-token" style={{ overflowWrap: 'anywhere' }}>
            {created.token}
          </code>
        </CopyField>
        <Text size="sm">
          On the {created.kind}'s machine, put it into <code>{file}</code> (mode 0600) and start{' '}
          <code>
            plantgate {created.kind} --server {window.location.origin} --token-file {file}
          </code>
          .
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            I have copied it, close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
