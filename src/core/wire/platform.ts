import { z } from 'zod';
import { NoContent, ProfileInfo, RegionCreateRequest, RegionHealthInfo, RegionInfo } from './api.ts';
import { DaemonInfo, EnrolmentCreateAgent, EnrolmentCreated, EnrolmentCreateGateway, EnrolmentInfo } from './daemon.ts';
import { endpoint } from './endpoint.ts';
import { EventPage, EventsQuery } from './org.ts';
import { PasswordReset, PasswordResetRequest, UserInfo } from './users.ts';

/**
 * The platform operators' endpoints (issue 8, platform pages): users, regions, gateways
 * and agents, enrolment tokens, events. The server's route declarations use the same
 * schemas; the web UI calls them through this table (test/web/endpoints.test.ts holds
 * it against the server's routes). Organizations are `orgApi.organizations` (an
 * operator gets every organization).
 */

/** `DELETE /admin/regions/:name?force=true` also removes the region's enrolled gateways. */
export const RegionRemoveQuery = z.object({ force: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false') });

export const platformApi = {
  users: endpoint({ method: 'GET', path: '/admin/users', response: z.array(UserInfo) }),
  disableUser: endpoint({ method: 'POST', path: '/admin/users/:user/disable', response: NoContent }),
  enableUser: endpoint({ method: 'POST', path: '/admin/users/:user/enable', response: NoContent }),
  deleteUser: endpoint({ method: 'DELETE', path: '/admin/users/:user', response: NoContent }),
  resetPassword: endpoint({ method: 'POST', path: '/admin/users/:user/password', body: PasswordResetRequest, response: PasswordReset }),
  resetTotp: endpoint({ method: 'POST', path: '/admin/users/:user/totp/reset', response: NoContent }),
  revokeProfile: endpoint({ method: 'POST', path: '/admin/users/:user/profile/revoke', response: ProfileInfo }),
  grantOperator: endpoint({ method: 'PUT', path: '/admin/users/:user/operator', response: NoContent }),
  revokeOperator: endpoint({ method: 'DELETE', path: '/admin/users/:user/operator', response: NoContent }),

  regions: endpoint({ method: 'GET', path: '/admin/regions', response: z.array(RegionInfo) }),
  addRegion: endpoint({ method: 'POST', path: '/admin/regions', body: RegionCreateRequest, response: RegionInfo }),
  removeRegion: endpoint({ method: 'DELETE', path: '/admin/regions/:name', query: RegionRemoveQuery, response: NoContent }),
  drainRegion: endpoint({ method: 'POST', path: '/admin/regions/:name/drain', response: RegionInfo }),
  undrainRegion: endpoint({ method: 'POST', path: '/admin/regions/:name/undrain', response: RegionInfo }),
  regionHealth: endpoint({ method: 'GET', path: '/regions/:name/health', response: RegionHealthInfo }),

  gateways: endpoint({ method: 'GET', path: '/admin/gateways', response: z.array(DaemonInfo) }),
  agents: endpoint({ method: 'GET', path: '/admin/agents', response: z.array(DaemonInfo) }),
  removeGateway: endpoint({ method: 'DELETE', path: '/admin/gateways/:id', response: NoContent }),
  removeAgent: endpoint({ method: 'DELETE', path: '/admin/agents/:id', response: NoContent }),
  createGatewayEnrolment: endpoint({ method: 'POST', path: '/admin/gateways/enrolments', body: EnrolmentCreateGateway, response: EnrolmentCreated }),
  createAgentEnrolment: endpoint({ method: 'POST', path: '/admin/agents/enrolments', body: EnrolmentCreateAgent, response: EnrolmentCreated }),
  enrolments: endpoint({ method: 'GET', path: '/admin/enrolments', response: z.array(EnrolmentInfo) }),
  revokeEnrolment: endpoint({ method: 'DELETE', path: '/admin/enrolments/:id', response: NoContent }),

  /** Newest first, filtered by kind, user (actor or subject) and time, paged by `before` (the previous page's `nextBefore`). */
  events: endpoint({ method: 'GET', path: '/admin/events/page', query: EventsQuery, response: EventPage }),
} as const;
