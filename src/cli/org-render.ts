import type { z } from 'zod';
import { type OrgAction, type OrgStanding, allowedOrgActions, invitableRoles } from '../core/permissions.ts';
import type { Invitation, InvitationCreated, OrgChangeResult, OrgMember, OrgSummary, PlantDetail, PlantSummary, PortfolioView } from '../core/wire/org.ts';
import { formatTable } from './table.ts';

/**
 * What `plantgate org …` prints for organizations, members, plants and portfolios.
 * Pure: data in, text out (cells are escaped by formatTable, every line again by main).
 */

/** A change's answer: the lines the server's fleet apply made, then the revision the gateways get. */
export function renderChanges(result: z.infer<typeof OrgChangeResult>): string {
  if (result.changes.length === 0) return `no changes (revision ${result.revision})`;
  const n = result.changes.length;
  return `${result.changes.join('\n')}\n${n} change${n === 1 ? '' : 's'} applied (revision ${result.revision})`;
}

export function renderOrganizations(orgs: OrgSummary[]): string {
  if (orgs.length === 0) return 'no organizations: you are a member of none (an invitation link adds you: plantgate invitation accept)';
  return formatTable(
    ['NAME', 'YOUR ROLE', 'MEMBERS', 'PLANTS', 'PORTFOLIOS', 'COOPERATIONS (OWNED/PARTNER)'],
    orgs.map((o) => [o.name, o.myRole ?? 'operator view', String(o.members), String(o.plants), String(o.portfolios), `${o.cooperationsOwned}/${o.cooperationsAsPartner}`]),
  );
}

/** Human words for each action of the shared permission table (src/core/permissions.ts). */
export const ACTION_WORDS: Record<OrgAction, string> = {
  'org.view': 'see the organization',
  'members.view': 'see members (org members)',
  'members.invite': 'invite members (org invite)',
  'members.set-role': 'change org roles (org set-role)',
  'members.remove': 'remove members (org remove-member)',
  'invitations.view': 'see invitations (org invitations)',
  'invitations.revoke': 'revoke invitations (org invitation revoke)',
  'plants.view': 'see plants (org plants, org plant show)',
  'plants.manage': 'add and rename plants, subnets and devices (org plant add|rename, org subnet, org device)',
  'plants.delete': 'remove plants (org plant remove)',
  'portfolios.manage': 'manage portfolios (org portfolio)',
  'job-roles.view': 'see job roles (org job-roles)',
  'job-roles.manage': 'grant and revoke job roles (org grant, org revoke)',
  'cooperations.view': 'see cooperations (org cooperations)',
  'cooperations.manage': 'offer, change and end cooperations (org cooperation offer|share|end)',
  'cooperation.assign-job-roles': 'as a partner, assign your members\u2019 job roles (org cooperation grant|revoke)',
  'cooperation.view-shared': 'as a partner, see what is shared with you (org cooperations)',
  'access.explain': 'explain a user\u2019s access (org explain)',
  'events.view': 'read the organization\u2019s events (org events)',
  'org-vpns.view': 'see organization VPNs, their plants and clients: plantgate org-vpn list, show',
  'org-vpns.manage': 'create and delete organization VPNs, choose plants, add and remove clients: plantgate org-vpn create, plant, client',
  'audit.read': 'read, export and verify its plants\u2019 audit trails: plantgate audit query, export, verify',
};

/** `org show`: the summary, then what the caller may do there (the same table the server enforces). */
export function renderOrganization(org: OrgSummary, platformOperator: boolean): string {
  const standing: OrgStanding = { role: org.myRole, platformOperator };
  const role = org.myRole ? org.myRole : platformOperator ? 'none (platform operator)' : 'none';
  const lines = [
    `${org.name}  (id ${org.id})`,
    `your role:     ${role}${org.myRole && platformOperator ? ' (and platform operator)' : ''}`,
    `members:       ${org.members}`,
    `plants:        ${org.plants}`,
    `portfolios:    ${org.portfolios}`,
    `cooperations:  ${org.cooperationsOwned} owned, ${org.cooperationsAsPartner} as partner`,
    '',
    'you may:',
    ...allowedOrgActions(standing).map((a) => `  ${ACTION_WORDS[a]}`),
  ];
  const roles = invitableRoles(standing);
  if (roles.length > 0) lines.push(`invitations you may send: ${roles.join(', ')}`);
  return lines.join('\n');
}

export function renderMembers(members: OrgMember[]): string {
  if (members.length === 0) return 'no members';
  return formatTable(
    ['EMAIL', 'NAME', 'ROLE', 'STATE'],
    members.map((m) => [m.email, m.name, m.role, m.disabled ? 'disabled' : 'active']),
  );
}

export function renderInvitations(invitations: Invitation[]): string {
  if (invitations.length === 0) return 'no invitations';
  return formatTable(
    ['ID', 'EMAIL', 'ROLE', 'STATUS', 'INVITED BY', 'CREATED', 'EXPIRES'],
    invitations.map((i) => [i.id, i.email, i.role, i.status, i.invitedBy ?? '-', i.createdAt, i.expiresAt]),
  );
}

/** The link is printed once, alone on its line (easy to copy), and said to be shown only now. */
export function renderInvitationCreated(created: InvitationCreated): string {
  return [
    `invitation for ${created.email} as ${created.role} (id ${created.id}, valid until ${created.expiresAt}):`,
    '',
    created.link,
    '',
    'This link is shown only now: send it to the invitee yourself (anyone holding it can accept it).',
    `They open it in a browser, or run: plantgate invitation accept   (and paste the link). Revoke it with: plantgate org invitation revoke ORG ${created.id}`,
  ].join('\n');
}

export function renderPlants(plants: PlantSummary[]): string {
  if (plants.length === 0) return 'no plants';
  return formatTable(
    ['PLANT', 'SUBNETS (NATIVE → MAPPED)', 'DEVICES', 'PORTFOLIOS', 'AGENT'],
    plants.map((p) => [
      p.name,
      p.subnets.map((s) => `${s.cidr} → ${s.mapped}`).join(', ') || '-',
      String(p.devices),
      p.portfolios.map((f) => f.name).join(', ') || '-',
      agentText(p.agent),
    ]),
  );
}

export function renderPlant(plant: PlantDetail): string {
  const lines = [
    `${plant.name}  (organization ${plant.organization.name}; id ${plant.id})`,
    `agent:        ${agentText(plant.agent)}`,
    `portfolios:   ${plant.portfolios.map((f) => f.name).join(', ') || '-'}`,
    `shared with:  ${plant.sharedWith.map((o) => o.name).join(', ') || '-'}`,
    '',
    plant.subnets.length === 0
      ? 'no subnets'
      : formatTable(
          ['SUBNET', 'MAPPED PREFIX', 'DEVICES'],
          plant.subnets.map((s) => [s.cidr, s.mapped, String(s.devices)]),
        ),
    '',
    plant.devicesList.length === 0
      ? 'no devices'
      : formatTable(
          ['DEVICE', 'IP', 'MAPPED ADDRESS', 'SUBNET', 'KIND', 'PORTS'],
          plant.devicesList.map((d) => [d.name, d.ip, d.mappedIp ?? '- (in no subnet)', d.subnet ?? '-', d.kind, d.ports.join(',') || '-']),
        ),
  ];
  return lines.join('\n');
}

function agentText(agent: PlantSummary['agent']): string {
  if (!agent) return 'none enrolled';
  const state = agent.connected ? 'connected' : `not connected (last seen ${agent.lastSeenAt ?? 'never'})`;
  return `${agent.name}: ${state}`;
}

export function renderPortfolios(portfolios: PortfolioView[]): string {
  if (portfolios.length === 0) return 'no portfolios';
  return formatTable(
    ['PORTFOLIO', 'PLANTS'],
    portfolios.map((f) => [f.name, f.plants.map((p) => p.name).join(', ') || '-']),
  );
}
