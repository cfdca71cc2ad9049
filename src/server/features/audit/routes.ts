import { fastFlowBatch } from '../../../core/wire/audit-fast.ts';
import { MAX_INGEST_BODY, auditApi } from '../../../core/wire/audit.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import type { DaemonRow } from '../daemons/authenticate-daemon.ts';
import { ingestAgentFlows, ingestFlows } from './ingest-service.ts';
import { plantEvents } from './plant-events-service.ts';
import { exportPage, publicKey, queryRecords, verifyPlant } from './read-service.ts';

export const auditRoutes: RouteDef[] = [
  fromEndpoint(auditApi.ingest, {
    summary: 'A gateway delivers a batch of flow records and capture gaps (idempotent: a retried batch or record is stored once)',
    tag: 'audit',
    auth: 'gateway',
    maxBody: MAX_INGEST_BODY,
    fastBody: fastFlowBatch,
    handler: ({ ctx, daemon, body }) => ingestFlows(ctx, daemon as DaemonRow, body),
  }),
  fromEndpoint(auditApi.ingestAgent, {
    summary: 'A plant\u2019s agent delivers flow records of its hosted direct VPNs\u2019 clients (same batch, idempotency and chain; attributed to the agent\u2019s own plant only)',
    tag: 'audit',
    auth: 'agent',
    maxBody: MAX_INGEST_BODY,
    fastBody: fastFlowBatch,
    handler: ({ ctx, daemon, body }) => ingestAgentFlows(ctx, daemon as DaemonRow, body),
  }),
  fromEndpoint(auditApi.records, {
    summary: 'A plant\u2019s audit trail (Admins and Moderators of its organization), filtered, in chain order, cursor-paged',
    tag: 'audit',
    auth: 'user',
    handler: ({ ctx, caller, params, query }) => queryRecords(ctx, caller, params.plant as string, query),
  }),
  fromEndpoint(auditApi.verify, {
    summary: 'Verifies a plant\u2019s hash chain against its signed checkpoints; names the first record that fails',
    tag: 'audit',
    auth: 'user',
    handler: ({ ctx, caller, params }) => verifyPlant(ctx, caller, params.plant as string),
  }),
  fromEndpoint(auditApi.export, {
    summary: 'A page of a plant\u2019s chain as stored (records with hashes, checkpoints with signatures) for export and offline verification',
    tag: 'audit',
    auth: 'user',
    handler: ({ ctx, caller, params, query }) => exportPage(ctx, caller, params.plant as string, query),
  }),
  fromEndpoint(auditApi.events, {
    summary: 'SPEC A4 events concerning a plant (its edits, direct VPNs, route moves, its users\u2019 profiles and logins), oldest first, for the same readers as its trail',
    tag: 'audit',
    auth: 'user',
    handler: ({ ctx, caller, params, query }) => plantEvents(ctx, caller, params.plant as string, query),
  }),
  fromEndpoint(auditApi.publicKey, {
    summary: 'The public key that verifies audit checkpoints (for auditors)',
    tag: 'audit',
    auth: 'none',
    handler: async ({ ctx }) => publicKey(ctx),
  }),
];
