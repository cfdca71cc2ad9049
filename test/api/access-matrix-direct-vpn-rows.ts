import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import type { Principal, Row, World } from './access-matrix-suite.ts';

/**
 * Direct plant VPN rows of the access matrix (issue 9, SPEC D10), on Park A of SolarCo.
 * Seeing: platform operator, SolarCo's Admin and Moderator, and the partner (carol, Operator
 * on Park A within the cooperation). Refused with 403: bob (Viewer on Park A) and gus (a
 * Guest, though Operator). otherOrg has no relation: the 404 of a missing plant (SPEC S2).
 * Managing: platform operator, Admin, Moderator only (cooperation users read only).
 */
const PLANT = '/plants/Park%20A/direct-vpns';
const SEES = ['operator', 'orgAdmin', 'moderator', 'partner'];
const MANAGES = ['operator', 'orgAdmin', 'moderator'];
const RELATED = ['operator', 'orgAdmin', 'moderator', 'partner', 'member', 'guest'];

const by = (allowed: string[], ok: number) => (p: Principal) => (allowed.includes(p) ? ok : RELATED.includes(p) ? 403 : 404);
const n = (p: Principal) => ({ operator: 1, orgAdmin: 2, moderator: 3 })[p as string] ?? 9;

function upload(cidr: string): string {
  const agent = generateWireGuardKeyPair();
  const router = generateWireGuardKeyPair();
  return `[Interface]\nPrivateKey = ${agent.privateKey}\nAddress = 10.99.0.2/32\n\n[Peer]\nPublicKey = ${router.publicKey}\nEndpoint = 192.0.2.1:51820\nAllowedIPs = ${cidr}\n`;
}

/** One direct VPN per managing principal, named after it, with a subnet of its own. */
async function createFor(w: World, prefix: string, octet: number): Promise<void> {
  for (const p of MANAGES as Principal[]) {
    const cidr = `10.${octet}.${n(p)}.0/24`;
    const r = await w.op.post(`/api/v1${PLANT}`, { name: `${prefix} ${p}`, direction: 'outgoing', protocol: 'wireguard', config: upload(cidr) });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  }
}

const vpnOf = (prefix: string, p: Principal) => `${PLANT}/${encodeURIComponent(`${prefix} ${p}`)}`;

/** A plant of another organization looks exactly like a missing one. */
const plantForeign = (suffix: string) => ({
  other: (_w: World, p: Principal) => ({ path: `/plants/${p === 'operator' ? 'No%20Such%20Park' : p === 'otherOrg' ? 'Park%20A' : 'Other%20Park'}/direct-vpns${suffix}` }),
  missing: () => ({ path: `/plants/No%20Such%20Park/direct-vpns${suffix}` }),
});

/** The organization rows before these end and re-grant cooperation job roles: carol is the cooperation's Operator on Park A again. */
async function partnerOperatorOnParkA(w: World): Promise<void> {
  const r = await w.op.post(`/api/v1/orgs/WindServ/cooperations/${w.scratch['coop-WindServ']}/job-roles`, { user: 'carol@windserv.example', plant: 'Park A', role: 'operator' });
  if (r.status !== 200 && r.status !== 201 && r.status !== 409) throw new Error(JSON.stringify(r.body));
}

const HOSTED = `${PLANT}/Hosted%20Matrix/clients`;

/** A hosted WireGuard server with a user client per managing principal to remove (issue 9 D9). */
async function hostedServer(w: World): Promise<void> {
  const r = await w.op.post(`/api/v1${PLANT}`, { name: 'Hosted Matrix', direction: 'hosted', protocol: 'wireguard', subnets: ['10.74.1.0/24'], listen: { host: 'agent.park-a.example' } });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  for (const p of MANAGES) {
    const c = await w.op.post(`/api/v1${HOSTED}`, { name: `doomed ${p}`, kind: 'user' });
    if (c.status !== 201) throw new Error(JSON.stringify(c.body));
  }
}

export const DIRECT_VPN_ROWS: Record<string, Row> = {
  // The plant and the caller's plant actions (the web UI's tabs): anyone related to the plant, a Guest and a Viewer too.
  'GET /plants/:id': {
    access: 'user',
    setup: partnerOperatorOnParkA,
    call: () => ({ path: '/plants/Park%20A' }),
    ok: (p) => (RELATED.includes(p) ? 200 : 404),
    foreign: {
      other: (_w: World, p: Principal) => ({ path: `/plants/${p === 'operator' ? 'No%20Such%20Park' : p === 'otherOrg' ? 'Park%20A' : 'Other%20Park'}` }),
      missing: () => ({ path: '/plants/No%20Such%20Park' }),
    },
  },
  'GET /plants/:id/direct-vpns': { access: 'user', setup: partnerOperatorOnParkA, call: () => ({ path: PLANT }), ok: by(SEES, 200), foreign: plantForeign('') },
  'POST /plants/:id/direct-vpns': {
    access: 'user',
    call: (_w, p) => ({ path: PLANT, body: { name: `Create ${p}`, direction: 'outgoing', protocol: 'wireguard', config: upload(`10.71.${n(p)}.0/24`) } }),
    ok: by(MANAGES, 201),
  },
  'GET /plants/:id/direct-vpns/:vpn': {
    access: 'user',
    setup: (w) => createFor(w, 'Matrix', 72),
    call: () => ({ path: vpnOf('Matrix', 'operator') }),
    ok: by(SEES, 200),
    foreign: plantForeign('/Matrix%20operator'),
  },
  'PUT /plants/:id/direct-vpns/:vpn': {
    access: 'user',
    call: (_w, p) => ({ path: vpnOf('Matrix', MANAGES.includes(p) ? p : 'operator'), body: { description: `edited by ${p}` } }),
    ok: by(MANAGES, 200),
  },
  'POST /plants/:id/direct-vpns/:vpn/disable': {
    access: 'user',
    call: (_w, p) => ({ path: `${vpnOf('Matrix', MANAGES.includes(p) ? p : 'operator')}/disable` }),
    ok: by(MANAGES, 200),
  },
  'POST /plants/:id/direct-vpns/:vpn/enable': {
    access: 'user',
    call: (_w, p) => ({ path: `${vpnOf('Matrix', MANAGES.includes(p) ? p : 'operator')}/enable` }),
    ok: by(MANAGES, 200),
  },
  'DELETE /plants/:id/direct-vpns/:vpn': {
    access: 'user',
    setup: (w) => createFor(w, 'Doomed', 73),
    call: (_w, p) => ({ path: vpnOf('Doomed', MANAGES.includes(p) ? p : 'operator') }),
    ok: by(MANAGES, 200),
  },
  'GET /plants/:id/direct-vpns/:vpn/clients': {
    access: 'user',
    setup: hostedServer,
    call: () => ({ path: HOSTED }),
    ok: by(SEES, 200),
    foreign: plantForeign('/Hosted%20Matrix/clients'),
  },
  'POST /plants/:id/direct-vpns/:vpn/clients': {
    access: 'user',
    call: (_w, p) => ({ path: HOSTED, body: { name: `user ${p}`, kind: 'user' } }),
    ok: by(MANAGES, 201),
  },
  'DELETE /plants/:id/direct-vpns/:vpn/clients/:client': {
    access: 'user',
    call: (_w, p) => ({ path: `${HOSTED}/${encodeURIComponent(`doomed ${MANAGES.includes(p) ? p : 'operator'}`)}` }),
    ok: by(MANAGES, 200),
  },
};
