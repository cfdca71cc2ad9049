import type { Principal, Row, World } from './access-matrix-suite.ts';

/**
 * Access-matrix rows of direct VPN operations and discovery (issue 9 D7, D11), on Park A of
 * SolarCo (the matrix's agent is Park A's). Restart: Admin, Moderator, platform operator
 * (direct-vpn.manage); logs and diagnose: whoever sees the direct VPN (direct-vpn.view, the
 * cooperation partner included). Discovery sends packets into the plant: plant.discover, the
 * own organization's Admins and Moderators only. Runs after DIRECT_VPN_ROWS (their "Matrix …" VPNs).
 */
const PLANT = '/plants/Park%20A/direct-vpns';
const SEES = ['operator', 'orgAdmin', 'moderator', 'partner'];
const MANAGES = ['operator', 'orgAdmin', 'moderator'];
const RELATED = ['operator', 'orgAdmin', 'moderator', 'partner', 'member', 'guest'];
const by = (allowed: string[], ok: number) => (p: Principal) => (allowed.includes(p) ? ok : RELATED.includes(p) ? 403 : 404);
const vpnOf = (p: Principal) => `${PLANT}/${encodeURIComponent(`Matrix ${MANAGES.includes(p) ? p : 'operator'}`)}`;
const foreign = (suffix: string) => ({
  other: (_w: World, p: Principal) => ({ path: `/plants/${p === 'operator' ? 'No%20Such%20Park' : p === 'otherOrg' ? 'Park%20A' : 'Other%20Park'}${suffix}` }),
  missing: () => ({ path: `/plants/No%20Such%20Park${suffix}` }),
});

async function pendingDiscoveryOfParkA(w: World): Promise<void> {
  const plant = await w.server.ctx.store.db.selectFrom('plants').select('id').where('name', '=', 'Park A').executeTakeFirstOrThrow();
  const row = await w.server.ctx.store.db.selectFrom('discoveries').select('id').where('plant_id', '=', plant.id).where('status', '=', 'pending').executeTakeFirstOrThrow();
  w.scratch.discovery = row.id;
}

const answer = { hosts: [{ ip: '192.168.1.10', icmp: true, openPorts: [502], rttMs: 0.3 }], truncated: false, startedAt: '2026-11-30T12:00:00Z', finishedAt: '2026-11-30T12:00:05Z', error: null };

export const OPS_ROWS: Record<string, Row> = {
  'POST /plants/:id/direct-vpns/:vpn/restart': { access: 'user', call: (_w, p) => ({ path: `${vpnOf(p)}/restart` }), ok: by(MANAGES, 200) },
  'GET /plants/:id/direct-vpns/:vpn/logs': { access: 'user', call: () => ({ path: `${vpnOf('operator')}/logs` }), ok: by(SEES, 200), foreign: foreign('/direct-vpns/Matrix%20operator/logs') },
  'GET /plants/:id/direct-vpns/:vpn/diagnose': { access: 'user', call: () => ({ path: `${vpnOf('operator')}/diagnose` }), ok: by(SEES, 200), foreign: foreign('/direct-vpns/Matrix%20operator/diagnose') },
  'POST /plants/:id/discoveries': {
    access: 'user',
    call: () => ({ path: '/plants/Park%20A/discoveries', body: { ports: [502] } }),
    ok: by(MANAGES, 201),
  },
  'POST /agents/:id/discoveries/:discovery': {
    access: 'agent',
    setup: pendingDiscoveryOfParkA,
    call: (w) => ({ path: `/agents/${w.agent.id}/discoveries/${w.scratch.discovery}`, body: answer }),
    ok: 204,
    missing: (w) => ({ path: `/agents/${w.agent.id}/discoveries/00000000-0000-0000-0000-000000000000`, body: answer }),
    foreign: { other: (w) => ({ path: `/agents/${w.spareAgent.id}/discoveries/${w.scratch.discovery}`, body: answer }), missing: () => ({ path: `/agents/${crypto.randomUUID()}/discoveries/x`, body: answer }) },
  },
  'GET /plants/:id/discoveries/:discovery': {
    access: 'user',
    call: (w) => ({ path: `/plants/Park%20A/discoveries/${w.scratch.discovery}` }),
    ok: by(MANAGES, 200),
  },
};
