import type { Command } from 'commander';
import type { Io } from '../context.ts';
import { registerOrgAccessCommands } from './org-access.ts';
import { registerOrgMemberCommands } from './org-members.ts';
import { registerOrgPlantCommands } from './org-plants.ts';

/**
 * `plantgate org …`: an organization's Admins and Moderators manage their own
 * organization (issue 8) through the endpoints of `orgApi` (src/core/wire/org.ts), called
 * with callEndpoint. ORG, PLANT, PORTFOLIO are names (or ids) and users are emails: the
 * server resolves them. What the caller may do is src/core/permissions.ts; the server
 * refuses the rest (403, exit code 3) with its own message.
 */
export function registerOrgCommands(program: Command, io: Io): void {
  const org = program
    .command('org')
    .description('your organizations: members, invitations, plants with subnets and devices, portfolios, job roles, cooperations, access, events')
    .addHelpText('after', '\nORG, PLANT and PORTFOLIO are names (or ids); users are emails. See docs/cli-org.md.');
  registerOrgMemberCommands(org, io);
  registerOrgPlantCommands(org, io);
  registerOrgAccessCommands(org, io);
}
