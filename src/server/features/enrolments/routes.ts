import { z } from 'zod';
import { EnrolRequest, EnrolResponse, EnrolmentCreateAgent, EnrolmentCreateGateway, EnrolmentCreated, EnrolmentInfo } from '../../../core/wire/daemon.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { createEnrolment, listEnrolments, redeemEnrolment, revokeEnrolment } from './service.ts';

/** Enrolment tokens: operators create, list and withdraw them (issue 7 item 3); a gateway or agent redeems one. */
export const enrolmentRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/admin/enrolments',
    summary: 'List unused enrolment tokens (never their secrets); expired ones are flagged',
    tag: 'daemons',
    auth: 'operator',
    response: z.array(EnrolmentInfo),
    handler: ({ ctx }) => listEnrolments(ctx),
  }),
  route({
    method: 'delete',
    path: '/admin/enrolments/:id',
    summary: 'Revoke an unused enrolment token',
    tag: 'daemons',
    auth: 'operator',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await revokeEnrolment(ctx, caller.userId, params.id as string);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/admin/gateways/enrolments',
    summary: 'Create a show-once, single-use enrolment token for a gateway of a region',
    tag: 'daemons',
    auth: 'operator',
    body: EnrolmentCreateGateway,
    response: EnrolmentCreated,
    status: 201,
    handler: ({ ctx, caller, body }) => createEnrolment(ctx, caller.userId, { kind: 'gateway', region: body.region }, body.expiresInMinutes),
  }),
  route({
    method: 'post',
    path: '/admin/agents/enrolments',
    summary: 'Create a show-once, single-use enrolment token for the agent of a plant',
    tag: 'daemons',
    auth: 'operator',
    body: EnrolmentCreateAgent,
    response: EnrolmentCreated,
    status: 201,
    handler: ({ ctx, caller, body }) => createEnrolment(ctx, caller.userId, { kind: 'agent', plant: body.plant }, body.expiresInMinutes),
  }),
  route({
    method: 'post',
    path: '/enrol',
    summary: 'A gateway or agent trades its enrolment token for a credential of its own (shown once)',
    tag: 'daemons',
    auth: 'none',
    body: EnrolRequest,
    response: EnrolResponse,
    status: 201,
    handler: ({ ctx, body }) => redeemEnrolment(ctx, body.token, body.name),
  }),
];
