import { z } from 'zod';
import { EnrolmentInfo } from '../../../core/wire/daemon.ts';
import { listEnrolments, revokeEnrolment } from '../../daemons/enrolment.ts';
import { type RouteDef, route } from '../registry.ts';

/** Operators see and withdraw enrolment tokens that were printed but not redeemed (issue 7 item 3). */
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
];
