import { orgApi } from '../../../core/wire/org.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { sourceAddress } from '../../http/source-address.ts';
import { acceptInvitation, invite, listInvitations, lookupInvitation, revokeInvitation } from './invitations-service.ts';
import { listMembers, removeMember, setMemberRole } from './members-service.ts';
import { orgAccess } from './org-access.ts';
import { listOrganizations, organizationSummary } from './orgs-service.ts';

const tag = 'organizations';

/** Organizations, their members and invitations (issue 8: organization self-service). */
export const orgsRoutes: RouteDef[] = [
  fromEndpoint(orgApi.organizations, {
    summary: 'The caller\u2019s organizations with their role; platform operators see every organization',
    tag,
    auth: 'user',
    handler: ({ ctx, caller }) => listOrganizations(ctx, caller),
  }),
  fromEndpoint(orgApi.organization, {
    summary: 'One organization (id or exact name) with counts and the caller\u2019s role',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => organizationSummary(await orgAccess(ctx, caller, params.org as string)),
  }),
  fromEndpoint(orgApi.members, {
    summary: 'Members and their org roles',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listMembers(ctx, await orgAccess(ctx, caller, params.org as string)),
  }),
  fromEndpoint(orgApi.setMemberRole, {
    summary: 'Change a member\u2019s org role (Admin); routes move at once',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) => setMemberRole(ctx, await orgAccess(ctx, caller, params.org as string), params.user as string, body.role),
  }),
  fromEndpoint(orgApi.removeMember, {
    summary: 'Remove a member with their job roles; their routes go at once',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removeMember(ctx, await orgAccess(ctx, caller, params.org as string), params.user as string),
  }),
  fromEndpoint(orgApi.invitations, {
    summary: 'Invitations with their status (pending, accepted, revoked, expired)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listInvitations(ctx, await orgAccess(ctx, caller, params.org as string)),
  }),
  fromEndpoint(orgApi.invite, {
    summary: 'Invite by email; the answer carries the show-once link (token after #). Moderators invite Members and Guests',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body, c }) => invite(ctx, await orgAccess(ctx, caller, params.org as string), body.email, body.role, new URL(c.req.url).origin),
  }),
  fromEndpoint(orgApi.revokeInvitation, {
    summary: 'Revoke a pending invitation: its link stops working',
    tag,
    auth: 'user',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await revokeInvitation(ctx, await orgAccess(ctx, caller, params.org as string), params.id as string);
      return undefined;
    },
  }),
  fromEndpoint(orgApi.lookupInvitation, {
    summary: 'What an invitation link leads to (no login; throttled like a login)',
    tag,
    auth: 'none',
    handler: ({ ctx, body, c }) => lookupInvitation(ctx, body.token, sourceAddress(c)),
  }),
  fromEndpoint(orgApi.acceptInvitation, {
    summary: 'Accept an invitation: an existing account gives its password (and second factor), else the account is created',
    tag,
    auth: 'none',
    handler: ({ ctx, body, c }) => acceptInvitation(ctx, body, sourceAddress(c)),
  }),
];
