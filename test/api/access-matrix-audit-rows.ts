import { randomUUID } from 'node:crypto';
import type { Principal, Row, World } from './access-matrix-suite.ts';

/**
 * Audit rows of the access matrix (issue 10, SPEC A2): a plant's trail is read only by
 * the Admins and Moderators of its organization (SolarCo: orgAdmin, moderator). Everyone
 * else — a member, the guest, a cooperation partner, another organization, the platform
 * operator (by default) — gets the answer of a plant that does not exist.
 */
const READERS = ['orgAdmin', 'moderator'];
const plantRow = (suffix: string): Row => ({
  access: 'user',
  call: () => ({ path: `/audit/plants/Park%20A${suffix}` }),
  ok: (p: Principal) => (READERS.includes(p) ? 200 : 404),
  foreign: {
    other: (_w: World, p: Principal) => ({ path: `/audit/plants/${p === 'otherOrg' ? 'Park%20A' : 'Other%20Park'}${suffix}` }),
    missing: () => ({ path: `/audit/plants/No%20Such%20Plant${suffix}` }),
  },
});

export const AUDIT_ROWS: Record<string, Row> = {
  'POST /gateways/:id/flows': {
    access: 'gateway',
    call: (w) => ({ path: `/gateways/${w.gateway.id}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
    ok: 200,
    missing: () => ({ path: `/gateways/${randomUUID()}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
    foreign: {
      other: (w) => ({ path: `/gateways/${w.spareGateway.id}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
      missing: () => ({ path: `/gateways/${randomUUID()}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
    },
  },
  'POST /agents/:id/flows': {
    access: 'agent',
    call: (w) => ({ path: `/agents/${w.agent.id}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
    ok: 200,
    missing: () => ({ path: `/agents/${randomUUID()}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
    foreign: {
      other: (w) => ({ path: `/agents/${w.spareAgent.id}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
      missing: () => ({ path: `/agents/${randomUUID()}/flows`, body: { batchId: randomUUID(), records: [], gaps: [] } }),
    },
  },
  'GET /audit/plants/:plant/records': plantRow('/records'),
  'GET /audit/plants/:plant/verify': plantRow('/verify'),
  'GET /audit/plants/:plant/export': plantRow('/export'),
  'GET /audit/plants/:plant/events': plantRow('/events'),
  'GET /audit/public-key': { access: 'public', call: () => ({ path: '/audit/public-key' }), ok: 200 },
};
