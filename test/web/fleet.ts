import { loadDemoFleet } from '../../src/server/demo/demo.ts';
import type { RunningServer } from '../../src/server/main.ts';

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
