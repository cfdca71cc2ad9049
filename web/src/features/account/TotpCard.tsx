import { Alert, Button, Card, CopyButton, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { TotpCode, TotpOrRecoveryCode } from '../../../../src/core/wire/api.ts';
import { ApiRequestError } from '../../api/client.ts';
import { useZodForm } from '../../lib/use-zod-form.ts';
import { downloadText } from '../../ui/download.ts';
import { QrCode } from '../../ui/QrCode.tsx';
import { useConfirmTotp, useDisableTotp, useStartTotp } from './use-account.ts';

/** TOTP second factor (SPEC S1): enrol with a QR code and a first code; turn off with a code. */
export function TotpCard() {
  const start = useStartTotp();
  const confirm = useConfirmTotp();
  const disable = useDisableTotp();
  const [mode, setMode] = useState<'idle' | 'enrolling' | 'on' | 'off' | 'disabling'>('idle');
  const confirmForm = useZodForm(TotpCode, { code: '' });
  const disableForm = useZodForm(TotpOrRecoveryCode, { code: '' });
  const alreadyOn = start.error instanceof ApiRequestError && start.error.code === 'totp-enabled';

  const begin = () =>
    start.mutate(undefined, {
      onSuccess: () => {
        confirmForm.reset();
        setMode('enrolling');
      },
    });

  return (
    <Card withBorder padding="lg">
      <Stack>
        <Title order={2} size="h3">
          Second factor (TOTP)
        </Title>
        {mode === 'on' && (
          <Alert color="teal" variant="outline" title="Second factor on" role="status">
            From now on, signing in asks for a code from your authenticator app.
          </Alert>
        )}
        {mode === 'on' && confirm.data && (
          <Alert color="red" variant="outline" title="Recovery codes: shown only now" role="alert">
            <Stack gap="xs">
              <Text size="sm">
                Each code signs you in once instead of an authenticator code (or turns the second factor off) if you lose your phone. Store them offline.
              </Text>
              <code data-testid="recovery-codes" style={{ whiteSpace: 'pre' }}>
                {confirm.data.recoveryCodes.join('\n')}
              </code>
              <Group>
                <Button size="xs" variant="default" onClick={() => downloadText('plantgate-recovery-codes.txt', `${confirm.data.recoveryCodes.join('\n')}\n`)}>
                  Download codes
                </Button>
                <CopyButton value={confirm.data.recoveryCodes.join('\n')}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant="default" onClick={copy}>
                      {copied ? 'Copied' : 'Copy codes'}
                    </Button>
                  )}
                </CopyButton>
              </Group>
            </Stack>
          </Alert>
        )}
        {mode === 'off' && (
          <Alert color="gray" variant="outline" title="Second factor off" role="status">
            Signing in needs only your password now.
          </Alert>
        )}
        {(mode === 'idle' || mode === 'on' || mode === 'off') && !alreadyOn && (
          <Group>
            <Text size="sm">An authenticator app code at every sign-in protects your plants if your password leaks.</Text>
            {mode !== 'on' && (
              <Button onClick={begin} loading={start.isPending}>
                Turn on second factor
              </Button>
            )}
          </Group>
        )}
        {start.error && !alreadyOn && (
          <Text c="red.9" role="alert">
            {start.error.message}
          </Text>
        )}
        {(alreadyOn || mode === 'on' || mode === 'disabling') && mode !== 'off' && (
          <form
            onSubmit={disableForm.submit((input) =>
              disable.mutate(input.code, {
                onSuccess: () => {
                  start.reset();
                  confirm.reset();
                  setMode('off');
                },
                onError: disableForm.showError,
              }),
            )}
            noValidate
          >
            <Group align="flex-start">
              <TextInput
                label="Code or recovery code to turn the second factor off"
                autoComplete="one-time-code"
                maxLength={19}
                {...disableForm.field('code')}
              />
              <Button type="submit" mt={25} variant="outline" color="red" loading={disable.isPending}>
                Turn off
              </Button>
            </Group>
          </form>
        )}
        {mode === 'enrolling' && start.data && (
          <Stack>
            <Text>Scan this with your authenticator app, or type the secret, then enter the first code it shows.</Text>
            <Group align="flex-start">
              <QrCode text={start.data.uri} label="QR code to add plantgate to your authenticator app" size={200} />
              <Stack gap={4}>
                <Text size="sm">Secret (shown only now):</Text>
                <code data-testid="totp-secret">{start.data.secret}</code>
              </Stack>
            </Group>
            <form
              onSubmit={confirmForm.submit((input) =>
                confirm.mutate(input.code, {
                  onSuccess: () => {
                    start.reset();
                    setMode('on');
                  },
                  onError: confirmForm.showError,
                }),
              )}
              noValidate
            >
              <Group align="flex-start">
                <TextInput label="First code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} {...confirmForm.field('code')} />
                <Button type="submit" mt={25} loading={confirm.isPending}>
                  Confirm and turn on
                </Button>
              </Group>
            </form>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
