import { Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { z } from 'zod';
import { JOB_ROLES } from '../../../../../src/core/model.ts';
import type { OrgChangeResult } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { JOB_ROLE_LABEL } from '../labels.ts';
import type { JobRoleGrant } from './use-job-roles.ts';

export type TargetOption = { kind: 'plant' | 'portfolio'; id: string; name: string };

const GrantForm = z.object({
  user: z.string().min(1, 'pick a member'),
  target: z.string().min(1, 'pick a plant or portfolio'),
  role: z.enum(JOB_ROLES, { message: 'pick a job role' }),
});

/**
 * Grant a job role: a member, a plant or portfolio, a role. Used by the organization's
 * own job roles and by a cooperation partner's Admin on the shared targets.
 */
export function GrantJobRoleForm(props: {
  users: Array<{ email: string; name: string }>;
  targets: TargetOption[];
  grant: (input: JobRoleGrant, callbacks: { onSuccess: (r: z.infer<typeof OrgChangeResult>) => void; onError: (e: Error) => void }) => void;
  pending: boolean;
  idPrefix?: string;
}) {
  const form = useZodForm(GrantForm, { user: props.users[0]?.email ?? '', target: targetValue(props.targets[0]), role: 'operator' });
  const onSubmit = form.submit((input) => {
    const target = props.targets.find((t) => targetValue(t) === input.target);
    if (!target) return;
    const grant: JobRoleGrant = { user: input.user, role: input.role, ...(target.kind === 'plant' ? { plant: target.id } : { portfolio: target.id }) };
    props.grant(grant, { onSuccess: () => form.reset(), onError: form.showError });
  });
  if (props.users.length === 0 || props.targets.length === 0) {
    return <Text size="sm">{props.users.length === 0 ? 'No member to grant a job role to.' : 'No plant or portfolio to grant a job role on.'}</Text>;
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="xs">
        <Group align="flex-start">
          <NativeSelect
            label="Member"
            w={{ base: '100%', sm: 260 }}
            data={props.users.map((u) => ({ value: u.email, label: `${u.name} (${u.email})` }))}
            {...form.field('user')}
          />
          <NativeSelect
            label="Plant or portfolio"
            w={{ base: '100%', sm: 220 }}
            data={[
              { group: 'Plants', items: props.targets.filter((t) => t.kind === 'plant').map((t) => ({ value: targetValue(t), label: t.name })) },
              { group: 'Portfolios', items: props.targets.filter((t) => t.kind === 'portfolio').map((t) => ({ value: targetValue(t), label: t.name })) },
            ].filter((g) => g.items.length > 0)}
            {...form.field('target')}
          />
          <NativeSelect
            label="Job role"
            w={{ base: '100%', sm: 190 }}
            data={JOB_ROLES.map((r) => ({ value: r, label: JOB_ROLE_LABEL[r] }))}
            {...form.field('role')}
          />
          <Button type="submit" mt={{ base: 0, sm: 25 }} loading={props.pending}>
            Grant job role
          </Button>
        </Group>
        {form.formError && (
          <Text c="red.9" role="alert">
            {form.formError}
          </Text>
        )}
      </Stack>
    </form>
  );
}

function targetValue(t: TargetOption | undefined): string {
  return t ? `${t.kind}:${t.id}` : '';
}
