import { z } from 'zod';
import {
  LoginRequest,
  Me,
  NoContent,
  PasswordChangeRequest,
  ProfileConfigParts,
  ProfileGatewayStatus,
  ProfileInfo,
  ProfileKeyRequest,
  RouteSelector,
  RoutesQuery,
  RouteView,
  TokenCreated,
  TokenCreateRequest,
  TokenInfo,
  TotpCode,
  TotpConfirmed,
  TotpOrRecoveryCode,
  TotpStarted,
} from '../../../src/core/wire/api.ts';
import { auditApi } from '../../../src/core/wire/audit.ts';
import { type Endpoint, endpoint } from '../../../src/core/wire/endpoint.ts';
import { orgApi } from '../../../src/core/wire/org.ts';
import { SessionPage, SessionsQuery } from '../../../src/core/wire/sessions.ts';
import { WebLoginResponse } from '../../../src/core/wire/web-session.ts';

/**
 * The endpoints the web UI calls, with the server's own zod schemas (src/core/wire):
 * requests are checked before they leave, answers before the UI sees them.
 * test/web/endpoints.test.ts holds this table (and orgApi) against the server's route table.
 * Newer features declare their endpoints beside their wire schemas (src/core/wire/org.ts:
 * orgApi), shared with the server's route declarations and the CLI.
 */
export type { Endpoint };
export { auditApi, orgApi };

export const api = {
  login: endpoint({ method: 'POST', path: '/auth/login', body: LoginRequest, response: WebLoginResponse, webSession: true }),
  changePassword: endpoint({ method: 'POST', path: '/auth/password', body: PasswordChangeRequest, response: NoContent }),
  logout: endpoint({ method: 'POST', path: '/auth/logout', response: NoContent }),
  me: endpoint({ method: 'GET', path: '/me', response: Me }),
  tokens: endpoint({ method: 'GET', path: '/tokens', response: z.array(TokenInfo) }),
  createToken: endpoint({ method: 'POST', path: '/tokens', body: TokenCreateRequest, response: TokenCreated }),
  revokeToken: endpoint({ method: 'DELETE', path: '/tokens/:id', response: NoContent }),
  startTotp: endpoint({ method: 'POST', path: '/me/totp', response: TotpStarted }),
  confirmTotp: endpoint({ method: 'POST', path: '/me/totp/confirm', body: TotpCode, response: TotpConfirmed }),
  disableTotp: endpoint({ method: 'POST', path: '/me/totp/disable', body: TotpOrRecoveryCode, response: NoContent }),
  profile: endpoint({ method: 'GET', path: '/vpn/profile', response: ProfileConfigParts }),
  issueProfile: endpoint({ method: 'POST', path: '/vpn/profile', body: ProfileKeyRequest, response: ProfileConfigParts }),
  rotateProfile: endpoint({ method: 'POST', path: '/vpn/profile/rotate', body: ProfileKeyRequest, response: ProfileConfigParts }),
  revokeProfile: endpoint({ method: 'POST', path: '/vpn/profile/revoke', response: ProfileInfo }),
  profileStatus: endpoint({ method: 'GET', path: '/vpn/profile/status', response: z.array(ProfileGatewayStatus) }),
  routes: endpoint({ method: 'GET', path: '/vpn/routes', query: RoutesQuery, response: z.array(RouteView) }),
  preferRoute: endpoint({ method: 'PUT', path: '/vpn/routes/priority', body: RouteSelector, response: z.array(RouteView) }),
  disableRoute: endpoint({ method: 'PUT', path: '/vpn/routes/disabled', body: RouteSelector, response: z.array(RouteView) }),
  enableRoute: endpoint({ method: 'PUT', path: '/vpn/routes/enabled', body: RouteSelector, response: z.array(RouteView) }),
  sessions: endpoint({ method: 'GET', path: '/vpn/sessions', query: SessionsQuery, response: SessionPage }),
} as const;
