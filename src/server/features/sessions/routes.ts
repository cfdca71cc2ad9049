import { SessionPage, SessionsQuery } from '../../../core/wire/sessions.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { ownSessions } from './service.ts';

export const sessionRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/vpn/sessions',
    summary: 'Your own VPN sessions, newest first: start, end (null while connected), source address, country, bytes, region and gateway (SPEC P7)',
    tag: 'vpn',
    auth: 'user',
    query: SessionsQuery,
    response: SessionPage,
    handler: ({ ctx, caller, query }) => ownSessions(ctx, caller.userId, query),
  }),
];
