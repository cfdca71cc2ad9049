import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadDemoFleet } from '../../src/server/demo/demo.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { OPERATOR, http, login } from '../support/server.ts';

export const USERS = {
  alice: { email: 'alice@solarco.example', password: 'demo-alice-pw' },
  bob: { email: 'bob@solarco.example', password: 'demo-bob-pw' },
  carol: { email: 'carol@windserv.example', password: 'demo-carol-pw' },
  dave: { email: 'dave@solarco.example', password: 'demo-dave-pw' },
  vera: { email: 'vera@solarco.example', password: 'demo-vera-pw' },
};

/**
 * The demo fleet (two plants on 192.168.1.0/24, a cooperation, region "demo") plus
 * Vera, a member with only the Viewer job role (SPEC P4: no route).
 */
export async function loadWebFleet(server: RunningServer): Promise<void> {
  await loadDemoFleet(server.ctx);
  const document = parse(readFileSync(new URL('../../src/server/demo/fleet.yaml', import.meta.url), 'utf8'));
  document.users.push({ email: USERS.vera.email, name: 'Vera Viewer', password: USERS.vera.password });
  const solarco = document.organizations.find((o: { name: string }) => o.name === 'SolarCo');
  solarco.members.push({ email: USERS.vera.email, role: 'member' });
  solarco.jobRoles.push({ user: USERS.vera.email, plant: 'Park A', role: 'viewer' });
  const token = await login(server.url, OPERATOR.email, OPERATOR.password);
  const applied = await http(server.url, token).post('/api/v1/admin/fleet', { document });
  if (applied.status !== 200) throw new Error(`fleet apply failed: ${JSON.stringify(applied.body)}`);
}
