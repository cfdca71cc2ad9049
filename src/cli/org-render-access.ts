import type { z } from 'zod';
import type { AccessExplanation, CooperationView, EventPage, JobRoleView } from '../core/wire/org.ts';
import { formatTable } from './table.ts';

/** What `plantgate org …` prints for job roles, cooperations, explain access and events. Pure. */

export function renderJobRoles(roles: JobRoleView[]): string {
  if (roles.length === 0) return 'no job roles';
  return formatTable(
    ['ID', 'USER', 'ROLE', 'ON', 'COOPERATION'],
    roles.map((r) => [r.id, r.user.email, r.role, `${r.target.kind} ${r.target.name}`, r.cooperationId ?? '-']),
  );
}

export function renderCooperations(cooperations: CooperationView[]): string {
  if (cooperations.length === 0) return 'no cooperations';
  const table = formatTable(
    ['ID', 'SIDE', 'OWNER', 'PARTNER', 'PLANTS', 'PORTFOLIOS', 'JOB ROLES', 'CREATED', 'ENDED'],
    cooperations.map((c) => [
      c.id,
      c.side,
      c.owner.name,
      c.partner.name,
      c.plants.map((p) => p.name).join(', ') || '-',
      c.portfolios.map((f) => `${f.name} (${f.plants.map((p) => p.name).join(', ') || 'empty'})`).join(', ') || '-',
      String(c.jobRoles.length),
      c.createdAt,
      c.endedAt ?? '-',
    ]),
  );
  // The partner's assignments are visible to both sides (issue 8): list them below the table.
  const assigned = cooperations.filter((c) => c.jobRoles.length > 0);
  if (assigned.length === 0) return table;
  return [table, '', ...assigned.map((c) => `job roles within cooperation ${c.id} (${c.owner.name} → ${c.partner.name}):\n${indent(renderJobRoles(c.jobRoles))}`)].join('\n');
}

/** `org explain`: the verdict, each check ✓/✗ in order, then the routes it gives now. */
export function renderExplanation(e: AccessExplanation): string {
  const via = e.via === 'own' ? 'own organization' : e.via === 'cooperation' ? 'a cooperation' : null;
  const verdict = e.reaches
    ? `${e.user.email} reaches ${e.plant.name} (${e.plant.organization.name})${via ? ` through ${via}` : ''}`
    : `${e.user.email} does NOT reach ${e.plant.name} (${e.plant.organization.name})`;
  const lines = [verdict, `decided by: ${e.decisive}`, '', ...e.steps.map((s) => `  ${s.ok ? '\u2713' : '\u2717'} ${s.text}`), ''];
  if (e.routes.length === 0) lines.push('routes: none');
  else lines.push(formatTable(['SUBNET', 'MAPPED PREFIX', 'STATE'], e.routes.map((r) => [r.subnet, r.mapped, r.state])));
  if (!e.hasActiveProfile) lines.push('', `${e.user.email} has no active personal VPN profile: routes reach nothing until one is issued (plantgate vpn issue).`);
  return lines.join('\n');
}

export function renderEvents(page: z.infer<typeof EventPage>): string {
  if (page.events.length === 0) return 'no events';
  const table = formatTable(
    ['ID', 'AT', 'KIND', 'ACTOR', 'SUBJECT', 'DETAILS'],
    page.events.map((e) => [String(e.id), e.at, e.kind, e.actor ?? '-', e.subject ?? '-', summariseDetails(e.details)]),
  );
  return page.nextBefore === null ? table : `${table}\nolder events: add --before ${page.nextBefore}`;
}

/** `key: value; list: a, b, c (+2)` — one line per event. */
export function summariseDetails(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    // list items may be objects (a direct VPN's stripped/ignored lines): JSON, never "[object Object]"
    if (Array.isArray(value)) parts.push(`${key}: ${value.length ? value.slice(0, 3).map(detailItem).join(', ') + (value.length > 3 ? ` (+${value.length - 3})` : '') : '-'}`);
    else parts.push(`${key}: ${value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join('; ');
}

function detailItem(item: unknown): string {
  return item !== null && typeof item === 'object' ? JSON.stringify(item) : String(item);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
