import { Alert, Card, Code, Group, Loader, Stack, Text, TextInput, Title } from '@mantine/core';
import { memo, type Ref, useCallback, useDeferredValue, useMemo, useRef, useState } from 'react';
import type { RouteView } from '../../../../src/core/wire/api.ts';
import { useWindowVirtual } from '../../lib/use-window-virtual.ts';
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
  const [filter, setFilter] = useState('');
  const deferredFilter = useDeferredValue(filter);
  const allSections = useMemo(() => (routes.data ? routeSections(routes.data) : []), [routes.data]);
  const sections = useMemo(() => matching(allSections, deferredFilter), [allSections, deferredFilter]);
  const mutate = choice.mutate;
  // Stable, so rows that did not change are not drawn again (Row is memoised).
  const act = useCallback((action: RouteAction, route: RouteView) => mutate({ action, route }), [mutate]);
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
      {routes.data && routes.data.length > 0 && (
        <TextInput
          label="Filter"
          description="Plant, organization, subnet, mapped prefix or device"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          maw={420}
        />
      )}
      {routes.data && routes.data.length > 0 && sections.length === 0 && <Text>No route matches “{filter}”.</Text>}
      {sections.length > 0 && <RouteTable sections={sections} act={act} pendingKey={pending ? routeKey(pending.route) : null} />}
    </Stack>
  );
}

const COLUMNS = ['Plant', 'Organization', 'Access', 'Native subnet', 'Mapped prefix', 'Devices (mapped address)', 'State', 'Priority', 'On'];
const WIDTHS = ['12%', '9%', '7%', '11%', '14%', '21%', '12%', '8%', '6%'];

/**
 * Plain elements, not Mantine components, per row, and only the sections near the
 * viewport are drawn (each section is its own <tbody>, measured after it is drawn): 500
 * routes must render in < 300 ms (bench/web-budgets.ts). aria-rowcount/-rowindex tell
 * assistive technology the whole table's size.
 */
function RouteTable({ sections, act, pendingKey }: { sections: RouteSection[]; act: Act; pendingKey: string | null }) {
  const table = useRef<HTMLTableElement>(null);
  const keys = useMemo(() => sections.map(sectionKey), [sections]);
  // Row index (1-based, the header row is 1) of each section's first row.
  const rowIndex = useMemo(() => {
    const out = [2];
    for (const s of sections) out.push((out[out.length - 1] as number) + (s.kind === 'single' ? 1 : s.routes.length + 1));
    return out;
  }, [sections]);
  const phone = typeof window !== 'undefined' && window.matchMedia('(max-width: 640px)').matches;
  const estimate = useCallback(
    (i: number) => {
      const s = sections[i] as RouteSection;
      const rows = s.kind === 'single' ? 1 : s.routes.length;
      return phone ? rows * 290 + (s.kind === 'single' ? 0 : 60) : rows * 58 + (s.kind === 'single' ? 0 : 38);
    },
    [sections, phone],
  );
  const virtual = useWindowVirtual({ keys, estimate, container: table });
  return (
    <div className="table-scroll">
      <table
        className="routes-table"
        data-testid="routes-table"
        ref={table}
        aria-rowcount={(rowIndex[sections.length] as number) - 1}
        data-sections={sections.length}
      >
        <colgroup>
          {WIDTHS.map((w, i) => (
            <col key={COLUMNS[i]} style={{ width: w }} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        {virtual.before > 0 && <Spacer height={virtual.before} />}
        {sections.slice(virtual.start, virtual.end).map((s, i) => {
          const index = virtual.start + i;
          const key = keys[index] as string;
          return (
            <Section
              key={key}
              ref={virtual.measure(key)}
              section={s}
              act={act}
              pendingKey={pendingKey}
              first={index === 0}
              rowIndex={rowIndex[index] as number}
            />
          );
        })}
        {virtual.after > 0 && <Spacer height={virtual.after} />}
      </table>
    </div>
  );
}

/** The room of the sections not drawn, so the page scrolls as if they were there. */
function Spacer({ height }: { height: number }) {
  return (
    <tbody aria-hidden="true" className="spacer">
      <tr style={{ height }}>
        <td colSpan={COLUMNS.length} />
      </tr>
    </tbody>
  );
}

const sectionKey = (s: RouteSection): string => (s.kind === 'single' ? routeKey(s.route) : s.key);

/** Sections with a route whose plant, organization, subnets or devices contain `text` (case-insensitive). */
function matching(sections: RouteSection[], text: string): RouteSection[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return sections;
  const hit = (r: RouteView) =>
    [r.plant, r.organization, r.subnet, r.mapped, ...(r.devices ?? []).flatMap((d) => [d.name, d.ip, d.mappedIp])].some((v) =>
      v.toLowerCase().includes(needle),
    );
  return sections.filter((s) => (s.kind === 'single' ? hit(s.route) : s.routes.some(hit)));
}

type Act = (action: RouteAction, route: RouteView) => void;

function Section({
  section,
  act,
  pendingKey,
  first,
  rowIndex,
  ref,
}: {
  section: RouteSection;
  act: Act;
  pendingKey: string | null;
  first: boolean;
  rowIndex: number;
  ref: Ref<HTMLTableSectionElement>;
}) {
  if (section.kind === 'single') {
    return (
      <tbody ref={ref}>
        <Row route={section.route} act={act} pending={pendingKey === routeKey(section.route)} inGroup={false} first={first} rowIndex={rowIndex} />
      </tbody>
    );
  }
  const subnets = [...new Set(section.routes.map((r) => r.subnet))].join(', ');
  return (
    <tbody ref={ref} className="conflict-section">
      <tr className={section.unresolved ? 'group-row unresolved' : 'group-row'} data-testid="conflict-group" aria-rowindex={rowIndex}>
        <th colSpan={COLUMNS.length} scope="rowgroup">
          Conflict group {subnets}:{' '}
          {section.unresolved ? 'unresolved, only mapped prefixes work' : section.priority ? `priority ${section.priority.plant}` : 'no native route active'}
        </th>
      </tr>
      {section.routes.map((r, i) => (
        <Row key={routeKey(r)} route={r} act={act} pending={pendingKey === routeKey(r)} inGroup first={first && i === 0} rowIndex={rowIndex + 1 + i} />
      ))}
    </tbody>
  );
}

// Element Timing: the browser reports when the first route, and each route, was painted (bench/web-budgets.ts).
const FIRST_ROW_TIMING = { elementtiming: 'routes-first-row' };
const ROW_TIMING = { elementtiming: 'route-row' };

const Row = memo(function Row({
  route,
  act,
  pending,
  inGroup,
  first,
  rowIndex,
}: {
  route: RouteView;
  act: Act;
  pending: boolean;
  inGroup: boolean;
  first: boolean;
  rowIndex: number;
}) {
  const state = STATE[route.state];
  const label = `${route.plant} ${route.subnet}`;
  return (
    <tr
      className={inGroup ? 'in-group' : undefined}
      data-testid="route-row"
      data-plant={route.plant}
      data-subnet={route.subnet}
      data-state={route.state}
      aria-rowindex={rowIndex}
    >
      <td data-label="Plant" className="strong" {...(first ? FIRST_ROW_TIMING : ROW_TIMING)}>
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
      <td data-label="Devices">
        {route.devices && route.devices.length > 0 ? (
          <ul className="devices" data-testid="route-devices">
            {route.devices.map((d) => (
              <li key={d.name} data-testid="route-device" data-device={d.name}>
                <span className="device-name">{d.name}</span> <code>{d.mappedIp}</code>{' '}
                <CopyText value={d.mappedIp} label={`mapped address of ${d.name} in ${label}`} />
                <span className="why">
                  {' '}
                  ({d.ip}, {d.kind})
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <span className="why">none listed</span>
        )}
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
