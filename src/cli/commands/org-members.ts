import type { Command } from 'commander';
import type { OrgRole } from '../../core/model.ts';
import { Me } from '../../core/wire/api.ts';
import { orgApi } from '../../core/wire/org.ts';
import { callEndpoint } from '../api-client.ts';
import { type Io, client, printJson } from '../context.ts';
import { orgRoleArgument } from '../org-args.ts';
import { renderInvitationCreated, renderInvitations, renderMembers, renderOrganization, renderOrganizations } from '../org-render.ts';
import { JSON_HELP, printChange } from './org-common.ts';

/** `org list|show`, members and invitations. */
export function registerOrgMemberCommands(org: Command, io: Io): void {
  org
    .command('list')
    .description('the organizations you belong to (a platform operator: all), with your role')
    .option('--json', JSON_HELP)
    .action(async (opts: { json?: boolean }) => {
      const orgs = await callEndpoint(client(io), orgApi.organizations);
      if (opts.json) return printJson(io, orgs);
      io.out(renderOrganizations(orgs));
    });

  org
    .command('show <org>')
    .description('one organization: your role, counts, and what you may do there')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { json?: boolean }) => {
      const api = client(io);
      const [summary, me] = await Promise.all([callEndpoint(api, orgApi.organization, { params: { org: name } }), api.get('/me', Me)]);
      if (opts.json) return printJson(io, summary);
      io.out(renderOrganization(summary, me.platformOperator));
    });

  org
    .command('members <org>')
    .description('members and their org roles')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { json?: boolean }) => {
      const members = await callEndpoint(client(io), orgApi.members, { params: { org: name } });
      if (opts.json) return printJson(io, members);
      io.out(renderMembers(members));
    });

  org
    .command('invite <org> <email>')
    .description('invite someone by email; prints the invitation link once (Moderators may invite Members and Guests)')
    .requiredOption('--role <role>', 'their org role: admin, moderator, member or guest', orgRoleArgument)
    .option('--json', 'print JSON (it holds the token too)')
    .action(async (name: string, email: string, opts: { role: OrgRole; json?: boolean }) => {
      const created = await callEndpoint(client(io), orgApi.invite, { params: { org: name }, body: { email, role: opts.role }, labels: { email: 'EMAIL', role: '--role' } });
      if (opts.json) return printJson(io, created);
      io.out(renderInvitationCreated(created));
    });

  org
    .command('invitations <org>')
    .description('invitations sent, with their status (never their links)')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { json?: boolean }) => {
      const invitations = await callEndpoint(client(io), orgApi.invitations, { params: { org: name } });
      if (opts.json) return printJson(io, invitations);
      io.out(renderInvitations(invitations));
    });

  org
    .command('invitation')
    .description('one invitation')
    .command('revoke <org> <id>')
    .description('revoke a pending invitation: its link stops working')
    .action(async (name: string, id: string) => {
      await callEndpoint(client(io), orgApi.revokeInvitation, { params: { org: name, id } });
      io.out(`invitation ${id} revoked: its link no longer works`);
    });

  org
    .command('set-role')
    .description('change a member\u2019s org role (Admins only)')
    .argument('<org>', 'the organization')
    .argument('<email>', 'the member')
    .argument('<role>', 'admin, moderator, member or guest', orgRoleArgument)
    .option('--json', JSON_HELP)
    .action(async (name: string, email: string, role: OrgRole, opts: { json?: boolean }) => {
      const result = await callEndpoint(client(io), orgApi.setMemberRole, { params: { org: name, user: email }, body: { role }, labels: { role: 'ROLE' } });
      printChange(io, result, opts.json);
    });

  org
    .command('remove-member <org> <email>')
    .description('remove a member: their job roles go and their routes to the organization\u2019s plants end within a sync cycle (Admins only)')
    .option('--json', JSON_HELP)
    .action(async (name: string, email: string, opts: { json?: boolean }) => {
      printChange(io, await callEndpoint(client(io), orgApi.removeMember, { params: { org: name, user: email } }), opts.json);
    });
}
