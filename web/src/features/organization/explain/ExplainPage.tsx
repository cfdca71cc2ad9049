import { Alert, Autocomplete, Badge, Button, Card, Group, List, NativeSelect, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { type AccessExplanation, ExplainQuery, type OrgSummary } from '../../../../../src/core/wire/org.ts';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { CopyField } from '../../../ui/CopyField.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { TableScroll } from '../../../ui/TableScroll.tsx';
import { useJobRoles } from '../job-roles/use-job-roles.ts';
import { useMembers } from '../members/use-members.ts';
import { usePlants } from '../plants/use-plants.ts';
import { orgKey } from '../use-org.ts';

/** "Why does Bob reach / not reach Park A": the verdict, each check in order, the routes it gives. */
export function ExplainPage({ org }: { org: OrgSummary }) {
  const members = useMembers(org.id);
  // Partner members who hold job roles on this organization's plants are suggested too.
  const jobRoles = useJobRoles(org.id);
  const plants = usePlants(org.id);
  const people = [...new Set([...(members.data ?? []).map((m) => m.email), ...(jobRoles.data ?? []).map((j) => j.user.email)])].sort();
  const [asked, setAsked] = useState<{ user: string; plant: string } | null>(null);
  const form = useZodForm(ExplainQuery, { user: '', plant: '' });
  const firstPlant = plants.data?.[0]?.id;
  const { setValues } = form;
  useEffect(() => {
    if (firstPlant) setValues((v) => (v.plant ? v : { ...v, plant: firstPlant }));
  }, [firstPlant, setValues]);
  const explanation = useQuery({
    queryKey: orgKey(org.id, 'explain', asked?.user, asked?.plant),
    queryFn: () => request(orgApi.explainAccess, { params: { org: org.id }, query: asked ?? undefined }),
    enabled: asked !== null,
  });
  const onSubmit = form.submit((input) => setAsked({ user: input.user, plant: input.plant }));

  return (
    <Stack>
      <Card withBorder padding="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Title order={2} size="h3">
              Explain access
            </Title>
            <Text size="sm">Pick a person and a plant: plantgate shows whether they reach it through the personal VPN, and which rule decides.</Text>
            <Group align="flex-start">
              <Autocomplete
                label="User (email)"
                w={{ base: '100%', sm: 320 }}
                data={people}
                {...form.field('user')}
                onChange={(value) => form.field('user').onChange({ currentTarget: { value } })}
              />
              <NativeSelect
                label="Plant"
                w={{ base: '100%', sm: 240 }}
                data={(plants.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
                disabled={!plants.data?.length}
                {...form.field('plant')}
              />
              <Button type="submit" mt={{ base: 0, sm: 25 }} loading={explanation.isFetching}>
                Explain
              </Button>
            </Group>
            {plants.isError && (
              <Text c="red.9" role="alert">
                The plants could not be loaded: {plants.error.message}
              </Text>
            )}
            {plants.data?.length === 0 && <Text>{org.name} has no plant to explain.</Text>}
          </Stack>
        </form>
      </Card>
      {asked && (
        <Loadable query={explanation} what="explanation">
          {(e) => <Verdict explanation={e} />}
        </Loadable>
      )}
    </Stack>
  );
}

function Verdict({ explanation: e }: { explanation: AccessExplanation }) {
  return (
    <Card withBorder padding="lg" data-testid="explanation" data-reaches={String(e.reaches)}>
      <Stack>
        <Group gap="sm">
          <Badge size="lg" variant="dot" color={e.reaches ? 'green' : 'red'} tt="none">
            {e.reaches ? 'Reaches' : 'Does not reach'}
          </Badge>
          <Title order={2} size="h3">
            {e.user.name} {e.reaches ? 'reaches' : 'does not reach'} {e.plant.name}
            {e.via === 'cooperation' ? ' (through a cooperation)' : ''}
          </Title>
        </Group>
        <Text>
          Decided by: <strong data-testid="decisive">{e.decisive}</strong>
        </Text>
        <List spacing={4} listStyleType="none" data-testid="explain-steps">
          {e.steps.map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the steps are an ordered list without ids
            <List.Item key={i} data-ok={String(s.ok)}>
              <span aria-hidden="true" className={s.ok ? 'step-ok' : 'step-no'}>
                {s.ok ? '✓' : '✗'}
              </span>{' '}
              <VisuallyHidden>{s.ok ? 'passed:' : 'failed:'}</VisuallyHidden> {s.text}
            </List.Item>
          ))}
        </List>
        {e.reaches && !e.hasActiveProfile && (
          <Alert color="blue" variant="outline" title="No active personal VPN profile">
            {e.user.name} has the permission but no active profile: the routes reach nothing until they issue one.
          </Alert>
        )}
        {e.routes.length > 0 && (
          <TableScroll label="explain routes" minWidth={420}>
            <Table className="stack-table" data-testid="explain-routes" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Native subnet</Table.Th>
                  <Table.Th>Mapped prefix</Table.Th>
                  <Table.Th>State</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {e.routes.map((r) => (
                  <Table.Tr key={r.subnet}>
                    <Table.Td data-label="Native subnet">
                      <code>{r.subnet}</code>
                    </Table.Td>
                    <Table.Td data-label="Mapped prefix">
                      <CopyField value={r.mapped} label={`mapped prefix of ${r.subnet}`} />
                    </Table.Td>
                    <Table.Td data-label="State">{r.state}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Stack>
    </Card>
  );
}
