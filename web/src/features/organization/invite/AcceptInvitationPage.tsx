import { Alert, Button, Center, Loader, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiRequestError } from '../../../api/client.ts';
import { navigate } from '../../../app/router.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { setSignInNotice } from '../../auth/sign-in-notice.ts';
import { useSession, useSignOut } from '../../auth/use-session.ts';
import { formatDate, ROLE_LABEL } from '../labels.ts';
import { ExistingAccountForm, NewAccountForm, readInvitationToken, useAcceptInvitation, useInvitationLookup } from './use-invitation.ts';

/** `/invite#pgi_…`: who invites whom with which role, then a new account or the existing one's password. */
export function AcceptInvitationPage() {
  const [token] = useState(() => readInvitationToken(window.location.hash));
  const lookup = useInvitationLookup(token);

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={480} component="main">
        <Stack>
          <Title order={1} size="h2">
            Join an organization
          </Title>
          {token === null && (
            <Alert color="red" title="This link has no invitation in it" role="alert">
              Open the complete link you were sent (the part after # is the invitation), or ask for a new invitation.
            </Alert>
          )}
          {lookup.isPending && token !== null && <Loader aria-label="Loading the invitation" />}
          {lookup.isError && (
            <Alert color="red" title="This invitation cannot be used" role="alert">
              {lookup.error.message} Ask the person who invited you for a new link.
            </Alert>
          )}
          {lookup.data && token && <AcceptForm token={token} invitation={lookup.data} />}
        </Stack>
      </Paper>
    </Center>
  );
}

type Lookup = { organization: string; email: string; role: 'admin' | 'moderator' | 'member' | 'guest'; expiresAt: string; accountExists: boolean };

function AcceptForm({ token, invitation }: { token: string; invitation: Lookup }) {
  const accept = useAcceptInvitation();
  const session = useSession().data;
  const signOut = useSignOut();
  const [needsTotp, setNeedsTotp] = useState(false);
  const form = useZodForm(invitation.accountExists ? ExistingAccountForm : NewAccountForm, { name: '', password: '', repeat: '', totp: '' });

  const onSubmit = form.submit((input) => {
    const body = invitation.accountExists
      ? { token, password: input.password, ...((input as { totp?: string }).totp ? { totp: (input as { totp: string }).totp } : {}) }
      : { token, name: (input as { name: string }).name, password: input.password };
    accept.mutate(body, {
      onSuccess: (done) => {
        window.history.replaceState(null, '', '/invite');
        if (session && session.email === done.user.email) return navigate('/orgs');
        setSignInNotice(`You joined ${done.organization.name} as ${ROLE_LABEL[done.role]}. Sign in as ${done.user.email}.`);
        if (session) signOut.mutate(undefined, { onSettled: () => navigate('/') });
        else navigate('/');
      },
      onError: (error) => {
        if (error instanceof ApiRequestError && error.code === 'totp-required') return setNeedsTotp(true);
        form.showError(error);
      },
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        <dl className="facts">
          <dt>Organization</dt>
          <dd data-testid="invitation-org">{invitation.organization}</dd>
          <dt>Email</dt>
          <dd data-testid="invitation-email">{invitation.email}</dd>
          <dt>Role</dt>
          <dd data-testid="invitation-role">{ROLE_LABEL[invitation.role]}</dd>
          <dt>Valid until</dt>
          <dd>{formatDate(invitation.expiresAt)}</dd>
        </dl>
        {invitation.accountExists ? (
          <>
            <Text size="sm">An account with this email exists. Confirm with its password to join.</Text>
            <PasswordInput label="Password of your account" autoComplete="current-password" {...form.field('password')} />
            {needsTotp && <TextInput label="Authenticator code" autoComplete="one-time-code" maxLength={19} autoFocus {...form.field('totp')} />}
          </>
        ) : (
          <>
            <Text size="sm">Create your account for {invitation.email}.</Text>
            <TextInput label="Your name" autoComplete="name" {...form.field('name')} />
            <PasswordInput label="Password" description="At least 8 characters" autoComplete="new-password" {...form.field('password')} />
            <PasswordInput label="Repeat password" autoComplete="new-password" {...form.field('repeat')} />
          </>
        )}
        {form.formError && (
          <Alert color="red" variant="outline" title="Not joined" role="alert">
            {form.formError}
          </Alert>
        )}
        <Button type="submit" loading={accept.isPending || signOut.isPending}>
          {invitation.accountExists ? `Join ${invitation.organization}` : `Create account and join ${invitation.organization}`}
        </Button>
      </Stack>
    </form>
  );
}
