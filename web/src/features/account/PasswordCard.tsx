import { Button, Card, Group, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { PasswordChangeRequest } from '../../../../src/core/wire/api.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { setSignInNotice } from '../auth/sign-in-notice.ts';
import { useChangePassword } from './use-account.ts';

/** The server's schema plus the repeat check only a form needs. */
const PasswordForm = PasswordChangeRequest.extend({ repeat: z.string() }).refine((v) => v.repeat === v.newPassword, {
  path: ['repeat'],
  message: 'does not match the new password',
});

/** Change password (SPEC S1): ends every login session, this one too, so the page signs in again. */
export function PasswordCard({ email }: { email: string }) {
  const change = useChangePassword();
  const client = useQueryClient();
  const form = useZodForm(PasswordForm, { password: '', newPassword: '', repeat: '', totp: '' }, (v) => ({
    email,
    password: v.password,
    newPassword: v.newPassword,
    repeat: v.repeat,
    ...(v.totp?.trim() ? { totp: v.totp } : {}),
  }));
  const onSubmit = form.submit(({ repeat: _repeat, ...input }) =>
    change.mutate(input, {
      onSuccess: () => {
        setSignInNotice('Password changed. Every session was signed out: sign in with the new password.');
        client.setQueryData(['me'], null);
        client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
      },
      onError: form.showError,
    }),
  );
  return (
    <Card withBorder padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} size="h3">
            Password
          </Title>
          <Text size="sm">Changing it signs out every session of your account (browsers and plantgate login); personal API tokens keep working.</Text>
          {/* One field per line on a phone, two per line from 576 px. */}
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
            <PasswordInput label="Current password" autoComplete="current-password" {...form.field('password')} />
            <PasswordInput label="New password" autoComplete="new-password" {...form.field('newPassword')} />
            <PasswordInput label="New password again" autoComplete="new-password" {...form.field('repeat')} />
            <TextInput label="Authenticator code (if on)" autoComplete="one-time-code" maxLength={19} {...form.field('totp')} />
          </SimpleGrid>
          {form.formError && (
            <Text c="red.9" role="alert">
              {form.formError}
            </Text>
          )}
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
