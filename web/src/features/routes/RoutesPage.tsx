import { Alert, Card, Code, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { memo, startTransition, useEffect, useMemo, useState } from 'react';
import type { RouteView } from '../../../../src/core/wire/api.ts';
import { CopyText } from '../../ui/CopyText.tsx';
import { RefreshConfigButton } from '../personal-vpn/RefreshConfigButton.tsx';
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
  const shown = useProgressiveCount(sections.length);
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
        <Alert
          color="blue"
          variant="outline"
          title="Refresh your config file to use the native addresses"
          withCloseButton
          onClose={choice.dismissRefresh}
          closeButtonLabel="Dismiss"
        >
          <Text size="sm">
            The native prefixes of your routes changed. Gateways apply this at once, but your WireGuard file lists the native prefixes in{' '}
            <Code>AllowedIPs</Code>. Update it here (choose the file: it is read in this browser and your key stays in it) or with{' '}
            <Code>plantgate vpn refresh --config FILE</Code>. Mapped prefixes keep working without a change.
          </Text>
          <Group mt="sm">
            <RefreshConfigButton label="Choose your config file to refresh it…" />
          </Group>
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
        // Plain elements, not Mantine components, per row: 500 routes must render in < 300 ms (bench/web-budgets.ts).
        <div className="table-scroll">
          <table className="routes-table" data-testid="routes-table">
            <colgroup>
              <col style={{ width: '14%' }} />
              <col style={{ width: '12%' }} />
              <col style={{ width: '9%' }} />
              <col style={{ width: '13%' }} />
              <col style={{ width: '17%' }} />
              <col style={{ width: '16%' }} />
              <col style={{ width: '12%' }} />
              <col style={{ width: '7%' }} />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Plant</th>
                <th scope="col">Organization</th>
                <th scope="col">Access</th>
                <th scope="col">Native subnet</th>
                <th scope="col">Mapped prefix</th>
                <th scope="col">State</th>
                <th scope="col">Priority</th>
                <th scope="col">On</th>
              </tr>
            </thead>
            <tbody>
              {sections.slice(0, shown).map((s, i) => (
                <Section
                  key={s.kind === 'single' ? routeKey(s.route) : s.key}
                  section={s}
                  act={act}
                  pendingKey={pending ? routeKey(pending.route) : null}
                  first={i === 0}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Stack>
  );
}

type Act = (action: RouteAction, route: RouteView) => void;

const FIRST_SECTIONS = 30;
const MORE_SECTIONS = 120;

/**
 * How many sections to draw: the first screenfuls at once, the rest in the frames after
 * it as non-urgent updates, so a user with hundreds of routes sees (and can use) the top
 * of the list without waiting for the layout of all of it (bench/web-budgets.ts).
 */
function useProgressiveCount(total: number): number {
  const [count, setCount] = useState(FIRST_SECTIONS);
  useEffect(() => {
    if (count >= total) return;
    // rAF then a task: the next step starts after the browser painted this one.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => startTransition(() => setCount((c) => c + MORE_SECTIONS)), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [count, total]);
  return Math.min(count, total);
}

function Section({ section, act, pendingKey, first }: { section: RouteSection; act: Act; pendingKey: string | null; first: boolean }) {
  if (section.kind === 'single') return <Row route={section.route} act={act} pending={pendingKey === routeKey(section.route)} inGroup={false} first={first} />;
  const subnets = [...new Set(section.routes.map((r) => r.subnet))].join(', ');
  return (
    <>
      <tr className={section.unresolved ? 'group-row unresolved' : 'group-row'} data-testid="conflict-group">
        <th colSpan={8} scope="rowgroup">
          Conflict group {subnets}:{' '}
          {section.unresolved ? 'unresolved, only mapped prefixes work' : section.priority ? `priority ${section.priority.plant}` : 'no native route active'}
        </th>
      </tr>
      {section.routes.map((r, i) => (
        <Row key={routeKey(r)} route={r} act={act} pending={pendingKey === routeKey(r)} inGroup first={first && i === 0} />
      ))}
    </>
  );
}

// Element Timing: the browser reports when the first route was painted (bench/web-budgets.ts).
const FIRST_ROW_TIMING = { elementtiming: 'routes-first-row' };

const Row = memo(function Row({ route, act, pending, inGroup, first }: { route: RouteView; act: Act; pending: boolean; inGroup: boolean; first: boolean }) {
  const state = STATE[route.state];
  const label = `${route.plant} ${route.subnet}`;
  return (
    <tr className={inGroup ? 'in-group' : undefined} data-testid="route-row" data-plant={route.plant} data-subnet={route.subnet} data-state={route.state}>
      <td data-label="Plant" className="strong" {...(first ? FIRST_ROW_TIMING : {})}>
        {route.plant}
      </td>
      <td data-label="Organization">{route.organization}</td>
      <td data-label="Access">{route.via === 'own' ? 'Own' : 'Cooperation'}</td>
      <td data-label="Native subnet">
        <code>{route.subnet}</code>
      </td>
      <td data-label="Mapped prefix">
        <code>{route.mapped}</code> <CopyText value={route.mapped} label={`mapped prefix of ${label}`} />
      </td>
      <td data-label="State">
        <span className={`state-badge state-${state.color}`}>{state.label}</span>
        <div className="why">{state.why}</div>
      </td>
      <td data-label="Priority">
        {inGroup && route.state !== 'priority' && route.state !== 'disabled' && (
          <button type="button" className="small-button" onClick={() => act('priority', route)} disabled={pending} aria-label={`Make priority: ${label}`}>
            Make priority
          </button>
        )}
        {route.state === 'priority' && 'Chosen'}
      </td>
      <td data-label="On">
        <input
          type="checkbox"
          role="switch"
          aria-checked={route.state !== 'disabled'}
          className="switch"
          checked={route.state !== 'disabled'}
          onChange={() => act(route.state === 'disabled' ? 'enable' : 'disable', route)}
          disabled={pending}
          aria-label={`${label} on`}
        />
      </td>
    </tr>
  );
});
