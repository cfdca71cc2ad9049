import { Alert, Button, Card, Group, Loader, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type CSSProperties, useState } from 'react';
import { TokenCreateRequest, type TokenInfo } from '../../../../src/core/wire/api.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { CopyField } from '../../ui/CopyField.tsx';
import { formatDate } from '../personal-vpn/VpnPage.tsx';
import { useCreateToken, useRevokeToken, useTokens } from './use-account.ts';

/** Personal API tokens (SPEC S1): list, create (secret shown once), revoke. */
export function TokensCard() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const form = useZodForm(TokenCreateRequest, { name: '', expiresInDays: '' }, (v) => ({
    name: v.name,
    ...(v.expiresInDays?.trim() ? { expiresInDays: Number(v.expiresInDays) } : {}),
  }));
  const onSubmit = form.submit((input) => create.mutate(input, { onSuccess: () => form.reset(), onError: form.showError }));
  const active = (tokens.data ?? []).filter((t) => !t.revokedAt);

  return (
    <Card withBorder padding="lg">
      <Stack>
        <Title order={2} size="h3">
          API tokens
        </Title>
        <Text size="sm">Personal tokens let the CLI and scripts act as you. Sign-in sessions (this browser, plantgate login) are listed too.</Text>
        <form onSubmit={onSubmit} noValidate>
          <Group align="flex-start">
            <TextInput label="Token name" placeholder="automation" {...form.field('name')} />
            <TextInput label="Expires after (days)" placeholder="never" inputMode="numeric" w={180} {...form.field('expiresInDays')} />
            <Button type="submit" mt={25} loading={create.isPending}>
              Create token
            </Button>
          </Group>
          {form.formError && (
            <Text c="red.9" role="alert" mt="xs">
              {form.formError}
            </Text>
          )}
        </form>
        {tokens.isPending && <Loader aria-label="Loading tokens" />}
        {tokens.isError && (
          <Alert color="red" title="Tokens could not be loaded" role="alert">
            {tokens.error.message}
          </Alert>
        )}
        {tokens.data && active.length === 0 && <Text>No active token.</Text>}
        {active.length > 0 && (
          <div className="table-scroll">
            <Table className="stack-on-phone" style={{ '--table-min-width': '640px' } as CSSProperties} data-testid="tokens-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>
                    <span className="mantine-visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {active.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td data-label="Name">{t.name}</Table.Td>
                    <Table.Td data-label="Kind">
                      <span className={`state-badge ${t.kind === 'personal' ? 'state-green' : 'state-gray'}`}>
                        {t.kind === 'personal' ? 'Personal' : 'Session'}
                      </span>
                    </Table.Td>
                    <Table.Td data-label="Created">{formatDate(t.createdAt)}</Table.Td>
                    <Table.Td data-label="Expires">{t.expiresAt ? formatDate(t.expiresAt) : 'never'}</Table.Td>
                    <Table.Td data-label="Last used">{t.lastUsedAt ? formatDate(t.lastUsedAt) : 'never'}</Table.Td>
                    <Table.Td>
                      <Button size="compact-sm" color="red" variant="outline" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>
                        Revoke
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </Stack>
      <ConfirmDialog
        opened={revoking !== null}
        title={`Revoke token ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke token"
        danger
        loading={revoke.isPending}
        error={revoke.error?.message}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <Text>Every program using this token is refused from now on{revoking?.kind === 'session' ? ' (this signs that session out)' : ''}.</Text>
      </ConfirmDialog>
      {create.data && (
        <Modal
          opened
          onClose={() => create.reset()}
          title={`Token ${create.data.name} created`}
          size="lg"
          closeOnClickOutside={false}
          centered
          closeButtonProps={{ 'aria-label': 'Close' }}
        >
          <Stack>
            <Alert color="red" variant="outline" title="Shown only now" role="alert">
              Copy the token now: plantgate stores only a hash of it and cannot show it again.
            </Alert>
            <CopyField value={create.data.token} label="token">
              <code data-testid="created-token" style={{ overflowWrap: 'anywhere' }}>
                {create.data.token}
              </code>
            </CopyField>
            <Text size="sm">
              Use it as <code>PLANTGATE_TOKEN</code> for the CLI or as <code>Authorization: Bearer …</code>.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => create.reset()}>
                I have copied it, close
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Card>
  );
}
