import { Alert, Badge, Button, Card, Code, Loader, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { memo, useMemo } from 'react';
import type { RouteView } from '../../../../src/core/wire/api.ts';
import { CopyField } from '../../ui/CopyField.tsx';
import { type RouteSection, routeKey, routeSections } from './route-groups.ts';
import { type RouteAction, useRouteChoice, useRoutes } from './use-routes.ts';

const STATE: Record<RouteView['state'], { label: string; color: string; why: string }> = {
  active: { label: 'Native', color: 'green', why: 'no conflict' },
  priority: { label: 'Native', color: 'green', why: 'your priority' },
  shadowed: { label: 'Mapped only', color: 'gray', why: 'another plant has priority' },
  conflict: { label: 'Conflict', color: 'orange', why: 'unresolved: pick a priority' },
  disabled: { label: 'Disabled', color: 'red', why: 'switched off by you' },
};

export function RoutesPage() {
  const routes = useRoutes();
  const choice = useRouteChoice();
  const sections = useMemo(() => (routes.data ? routeSections(routes.data) : []), [routes.data]);
  const act = (action: RouteAction, route: RouteView) => choice.mutate({ action, route });
  const pending = choice.isPending ? choice.variables : undefined;

  return (
    <Stack maw={1400}>
      <Title order={1}>Routes</Title>
      <Text>
        Every plant subnet you reach, computed from your permissions. Each subnet always works under its mapped prefix (host part kept: device .17 is .17
        there); its native addresses work when no other route of yours overlaps it, or when you pick it as the priority of its conflict group.
      </Text>
      {choice.needsRefresh && (
        <Alert color="blue" variant="outline" title="Refresh your config file to use the native addresses" withCloseButton onClose={choice.dismissRefresh} closeButtonLabel="Dismiss">
          <Text size="sm">
            The native prefixes of your routes changed. Gateways apply this at once, but your WireGuard file lists the native prefixes in{' '}
            <Code>AllowedIPs</Code>. Update it with <Code>plantgate vpn refresh --config FILE</Code> (keeps your key), or rotate the profile on the Personal VPN page for a new file.
            Mapped prefixes keep working without a change.
          </Text>
        </Alert>
      )}
      {choice.error && (
        <Alert color="red" title="The change was not made" role="alert">
          {choice.error.message}
        </Alert>
      )}
      {routes.isPending && <Loader aria-label="Loading your routes" />}
      {routes.isError && (
        <Alert color="red" title="Your routes could not be loaded" role="alert">
          {routes.error.message}
        </Alert>
      )}
      {routes.data?.length === 0 && (
        <Card withBorder padding="lg">
          <Title order={2} size="h3">
            You reach no plant
          </Title>
          <Text mt="sm">
            Routes follow from permissions: a plant is yours with the Operator or Technical Manager job role on it (Operator within a cooperation), as a member
            of its organization who is not a guest. Ask an administrator of your organization.
          </Text>
        </Card>
      )}
      {sections.length > 0 && (
        <Table.ScrollContainer minWidth={980}>
          <Table verticalSpacing="xs" data-testid="routes-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Plant</Table.Th>
                <Table.Th>Organization</Table.Th>
                <Table.Th>Access</Table.Th>
                <Table.Th>Native subnet</Table.Th>
                <Table.Th>Mapped prefix</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Priority</Table.Th>
                <Table.Th>On</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sections.map((s) => (
                <Section key={s.kind === 'single' ? routeKey(s.route) : s.key} section={s} act={act} pendingKey={pending ? routeKey(pending.route) : null} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

type Act = (action: RouteAction, route: RouteView) => void;

function Section({ section, act, pendingKey }: { section: RouteSection; act: Act; pendingKey: string | null }) {
  if (section.kind === 'single') return <Row route={section.route} act={act} pending={pendingKey === routeKey(section.route)} inGroup={false} />;
  const subnets = [...new Set(section.routes.map((r) => r.subnet))].join(', ');
  return (
    <>
      <Table.Tr bg={section.unresolved ? 'orange.0' : 'gray.0'} data-testid="conflict-group">
        <Table.Td colSpan={8}>
          <Text fw={700} size="sm">
            Conflict group {subnets}: {section.unresolved ? 'unresolved, only mapped prefixes work' : section.priority ? `priority ${section.priority.plant}` : 'no native route active'}
          </Text>
        </Table.Td>
      </Table.Tr>
      {section.routes.map((r) => (
        <Row key={routeKey(r)} route={r} act={act} pending={pendingKey === routeKey(r)} inGroup />
      ))}
    </>
  );
}

const Row = memo(function Row({ route, act, pending, inGroup }: { route: RouteView; act: Act; pending: boolean; inGroup: boolean }) {
  const state = STATE[route.state];
  const label = `${route.plant} ${route.subnet}`;
  return (
    <Table.Tr data-testid="route-row" data-plant={route.plant} data-subnet={route.subnet} data-state={route.state} style={inGroup ? { borderLeft: '4px solid var(--mantine-color-orange-7)' } : undefined}>
      <Table.Td fw={600}>{route.plant}</Table.Td>
      <Table.Td>{route.organization}</Table.Td>
      <Table.Td>{route.via === 'own' ? 'Own' : 'Cooperation'}</Table.Td>
      <Table.Td>
        <code>{route.subnet}</code>
      </Table.Td>
      <Table.Td>
        <CopyField value={route.mapped} label={`mapped prefix of ${label}`} />
      </Table.Td>
      <Table.Td>
        <Badge variant="dot" color={state.color} size="md" tt="none">
          {state.label}
        </Badge>
        <Text size="xs">{state.why}</Text>
      </Table.Td>
      <Table.Td>
        {inGroup && route.state !== 'priority' && route.state !== 'disabled' && (
          <Button size="compact-sm" variant="outline" onClick={() => act('priority', route)} loading={pending} aria-label={`Make priority: ${label}`}>
            Make priority
          </Button>
        )}
        {route.state === 'priority' && <Text size="sm">Chosen</Text>}
      </Table.Td>
      <Table.Td>
        <Switch
          checked={route.state !== 'disabled'}
          onChange={() => act(route.state === 'disabled' ? 'enable' : 'disable', route)}
          disabled={pending}
          aria-label={`${label} on`}
        />
      </Table.Td>
    </Table.Tr>
  );
});
