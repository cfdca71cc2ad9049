import { Alert, Button, Card, Code, CopyButton, Group, Modal, NativeSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { invitableRoles } from '../../../../../src/core/permissions.ts';
import { InvitationRequest, type OrgSummary } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { formatDate, ROLE_LABEL } from '../labels.ts';
import type { OrgAccess } from '../use-org.ts';
import { useInvite } from './use-members.ts';

/** Invite by email with a role the caller may hand out; the link (with its token) is shown once. */
export function InviteCard({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const roles = invitableRoles(access.standing);
  const invite = useInvite(org.id);
  const form = useZodForm(InvitationRequest, { email: '', role: roles.includes('member') ? 'member' : (roles[0] ?? '') });
  const onSubmit = form.submit((input) => invite.mutate(input, { onSuccess: () => form.reset(), onError: form.showError }));
  const created = invite.data;

  return (
    <Card withBorder padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} size="h3">
            Invite someone
          </Title>
          <Text size="sm">
            The invitation link lets the person create an account (or use their existing one) and join {org.name} with the role you choose. It works once and
            expires.
          </Text>
          <Group align="flex-start">
            <TextInput label="Email" type="email" placeholder="name@example.com" w={{ base: '100%', sm: 320 }} {...form.field('email')} />
            <NativeSelect
              label="Org role"
              w={{ base: '100%', sm: 180 }}
              data={roles.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
              {...form.field('role')}
            />
            <Button type="submit" mt={{ base: 0, sm: 25 }} loading={invite.isPending}>
              Create invitation
            </Button>
          </Group>
          {form.formError && (
            <Text c="red.9" role="alert">
              {form.formError}
            </Text>
          )}
        </Stack>
      </form>
      {created && (
        <Modal
          opened
          onClose={() => invite.reset()}
          title={`Invitation for ${created.email}`}
          size="lg"
          centered
          closeOnClickOutside={false}
          closeButtonProps={{ 'aria-label': 'Close' }}
        >
          <Stack>
            <Alert color="red" variant="outline" title="Shown only now" role="alert">
              Copy the link now and send it to {created.email} yourself. plantgate keeps only a hash of it and cannot show it again; if it is lost, revoke this
              invitation and create a new one.
            </Alert>
            <Code block data-testid="invitation-link" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {created.link}
            </Code>
            <CopyButton value={created.link}>
              {({ copied, copy }) => (
                <Button variant={copied ? 'light' : 'filled'} onClick={copy} w={{ base: '100%', sm: 'auto' }}>
                  {copied ? 'Link copied' : 'Copy invitation link'}
                </Button>
              )}
            </CopyButton>
            <Text size="sm">
              Role {ROLE_LABEL[created.role]}; valid until {formatDate(created.expiresAt)}.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => invite.reset()}>
                I have copied it, close
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Card>
  );
}
