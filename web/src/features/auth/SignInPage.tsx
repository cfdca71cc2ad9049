import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { LoginRequest } from '../../../../src/core/wire/api.ts';
import { ApiRequestError } from '../../api/client.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { useSignIn } from './use-session.ts';

export function SignInPage() {
  const signIn = useSignIn();
  const [needsTotp, setNeedsTotp] = useState(false);
  const form = useZodForm(LoginRequest, { email: '', password: '', totp: '' }, (v) => ({
    email: v.email,
    password: v.password,
    ...(needsTotp ? { totp: v.totp } : {}),
  }));

  const onSubmit = form.submit((input) =>
    signIn.mutate(input, {
      onError: (error) => {
        if (error instanceof ApiRequestError && error.code === 'totp-required') {
          setNeedsTotp(true);
          return;
        }
        form.showError(error);
      },
    }),
  );

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420} component="main">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Sign in to plantgate
            </Title>
            {form.formError && (
              <Alert color="red" title="Not signed in" role="alert">
                {form.formError}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="username" required {...form.field('email')} />
            <PasswordInput label="Password" autoComplete="current-password" required {...form.field('password')} />
            {needsTotp && (
              <>
                <Text size="sm">This account has a second factor. Enter the current 6-digit code from your authenticator app.</Text>
                <TextInput label="Authenticator code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} data-autofocus autoFocus {...form.field('totp')} />
              </>
            )}
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
