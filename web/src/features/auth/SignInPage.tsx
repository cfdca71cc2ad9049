import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { LoginRequest, PasswordChangeRequest } from '../../../../src/core/wire/api.ts';
import { ApiRequestError } from '../../api/client.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { useChangePassword } from '../account/use-account.ts';
import { takeSignInNotice } from './sign-in-notice.ts';
import { useSignIn } from './use-session.ts';

/**
 * Password, then the second factor when the account has one (the server says so), and a
 * new password first when an operator set a one-time password.
 */
export function SignInPage() {
  const signIn = useSignIn();
  const changePassword = useChangePassword();
  const [notice] = useState(takeSignInNotice);
  const [needsTotp, setNeedsTotp] = useState(false);
  const [needsNewPassword, setNeedsNewPassword] = useState(false);
  const form = useZodForm(needsNewPassword ? PasswordChangeRequest : LoginRequest, { email: '', password: '', totp: '', newPassword: '' }, (v) => ({
    email: v.email,
    password: v.password,
    ...(needsTotp ? { totp: v.totp } : {}),
    ...(needsNewPassword ? { newPassword: v.newPassword } : {}),
  }));

  const onError = (error: Error) => {
    if (error instanceof ApiRequestError && error.code === 'totp-required') return setNeedsTotp(true);
    if (error instanceof ApiRequestError && error.code === 'password-change-required') return setNeedsNewPassword(true);
    form.showError(error);
  };
  const onSubmit = form.submit((input) => {
    const { newPassword, ...login } = input as { email: string; password: string; totp?: string; newPassword?: string };
    if (newPassword === undefined) return signIn.mutate(login, { onError });
    changePassword.mutate(
      { ...login, newPassword },
      // The one-time password is spent (and so is a TOTP code): sign in with the new password.
      { onSuccess: () => signIn.mutate({ email: login.email, password: newPassword }, { onError }), onError },
    );
  });

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420} component="main">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Sign in to plantgate
            </Title>
            {notice && (
              <Alert color="blue" variant="outline" role="status">
                {notice}
              </Alert>
            )}
            {form.formError && (
              <Alert color="red" variant="outline" title="Not signed in" role="alert">
                {form.formError}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="username" required {...form.field('email')} />
            <PasswordInput label="Password" autoComplete="current-password" required {...form.field('password')} />
            {needsTotp && (
              <>
                <Text size="sm">This account has a second factor. Enter the current 6-digit code from your authenticator app, or a recovery code.</Text>
                <TextInput label="Authenticator code" autoComplete="one-time-code" maxLength={19} autoFocus {...form.field('totp')} />
              </>
            )}
            {needsNewPassword && (
              <>
                <Text size="sm">This is a one-time password set by an operator. Choose your own password to continue.</Text>
                <PasswordInput label="New password" autoComplete="new-password" autoFocus {...form.field('newPassword')} />
              </>
            )}
            <Button type="submit" loading={signIn.isPending || changePassword.isPending}>
              {needsNewPassword ? 'Set password and sign in' : 'Sign in'}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
