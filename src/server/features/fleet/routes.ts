import { FleetFileSchema } from '../../../core/fleet-file/schema.ts';
import { FleetApplyRequest, FleetApplyResponse } from '../../../core/wire/api.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { applyFleetRequest, exportFleet } from './service.ts';

export const fleetRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/admin/fleet',
    summary: 'Apply a fleet file (idempotent, one transaction); removes what it lacks only with `prune` or `complete: true`',
    tag: 'admin',
    auth: 'operator',
    body: FleetApplyRequest,
    response: FleetApplyResponse,
    // A 10,000-user fleet file is a few MiB of JSON; nothing else needs more than the default.
    maxBody: 64 * 1024 * 1024,
    handler: ({ ctx, caller, body }) => applyFleetRequest(ctx, caller.userId, body.document, { dryRun: body.dryRun, prune: body.prune, force: body.force }),
  }),
  route({
    method: 'get',
    path: '/admin/fleet',
    summary: 'The stored fleet as a fleet file that applies as "no changes" (users without passwords)',
    tag: 'admin',
    auth: 'operator',
    response: FleetFileSchema,
    handler: ({ ctx }) => exportFleet(ctx),
  }),
];
