import { loadDemoFleet } from '../../src/server/demo/demo.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { OPERATOR, http, login } from '../support/server.ts';

/** The demo fleet's users (src/server/demo/fleet.yaml): one per kind of access. */
export const USERS = {
  /** SolarCo Admin; Operator on the North portfolio (Park A, Park C), Technical Manager on Park B. */
  alice: { email: 'alice@solarco.example', password: 'demo-alice-pw' },
  /** SolarCo Moderator, no job role. */
  mona: { email: 'mona@solarco.example', password: 'demo-mona-pw' },
  /** SolarCo Member, Operator on Park A (routes). */
  bob: { email: 'bob@solarco.example', password: 'demo-bob-pw' },
  /** SolarCo Member with only the Viewer job role (SPEC P4: no route). */
  vera: { email: 'vera@solarco.example', password: 'demo-vera-pw' },
  /** SolarCo Guest. */
  dave: { email: 'dave@solarco.example', password: 'demo-dave-pw' },
  /** WindServ Admin (the cooperation partner); Operator on Park A within the cooperation. */
  carol: { email: 'carol@windserv.example', password: 'demo-carol-pw' },
  /** WindServ Member without a job role (the partner Admin can give one). */
  walt: { email: 'walt@windserv.example', password: 'demo-walt-pw' },
};

/** The demo fleet (two plants on 192.168.1.0/24, a cooperation, region "demo"), as `plantgate server --demo` loads it. */
export async function loadWebFleet(server: RunningServer): Promise<void> {
  const lines = await loadDemoFleet(server.ctx);
  if (!lines[0]?.startsWith('demo fleet:')) throw new Error(lines.join('\n'));
}

/** The user of the long route list (bench/web-budgets.ts, test/web/long-route-list.test.ts). */
export const ROUTES_USER = { email: 'bench@plants.example', password: 'bench-password-1' };

/**
 * One organization, `routes` plants with one /24 and one device each; every tenth pair of
 * plants shares a range, so the page also draws conflict groups. The user is Operator on all of them.
 */
export async function loadRoutesFleet(server: RunningServer, routes: number): Promise<void> {
  const plants = Array.from({ length: routes }, (_, i) => {
    const net = i % 10 < 2 ? `192.168.${Math.floor(i / 10)}` : `10.${Math.floor(i / 250)}.${i % 250}`;
    return {
      name: `Plant ${String(i + 1).padStart(4, '0')}`,
      subnets: [`${net}.0/24`],
      devices: [{ name: 'logger', ip: `${net}.10`, kind: 'data-logger', ports: [80] }],
    };
  });
  const document = {
    users: [{ email: ROUTES_USER.email, name: 'Bench User', password: ROUTES_USER.password }],
    organizations: [
      {
        name: 'BenchCo',
        members: [{ email: ROUTES_USER.email, role: 'member' }],
        portfolios: [{ name: 'All', plants: plants.map((p) => p.name) }],
        plants,
        jobRoles: [{ user: ROUTES_USER.email, portfolio: 'All', role: 'operator' }],
      },
    ],
  };
  const token = await login(server.url, OPERATOR.email, OPERATOR.password);
  const applied = await http(server.url, token).post('/api/v1/admin/fleet', { document });
  if (applied.status !== 200) throw new Error(`fleet apply failed: ${JSON.stringify(applied.body)}`);
}
