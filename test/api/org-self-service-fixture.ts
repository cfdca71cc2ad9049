import type { FleetFile } from '../../src/core/fleet-file/schema.ts';
import { baseFleet } from './fleet-fixture.ts';

/**
 * The org self-service tests' fleet: the API fixture (SolarCo shares Park A with WindServ)
 * plus a Moderator in SolarCo, an Admin in WindServ (the partner) and OtherCo, an
 * organization unrelated to both.
 */
export function orgFleet(): FleetFile {
  const fleet = baseFleet();
  fleet.users.push(
    { email: 'mona@solarco.example', name: 'Mona', password: 'mona-password' },
    { email: 'wanda@windserv.example', name: 'Wanda', password: 'wanda-password' },
    { email: 'otto@otherco.example', name: 'Otto', password: 'otto-password' },
  );
  fleet.organizations[0]!.members.push({ email: 'mona@solarco.example', role: 'moderator' });
  fleet.organizations[0]!.cooperations[0]!.plants.push('Park C');
  fleet.organizations[1]!.members.push({ email: 'wanda@windserv.example', role: 'admin' });
  fleet.organizations.push({
    name: 'OtherCo',
    members: [{ email: 'otto@otherco.example', role: 'admin' }],
    portfolios: [],
    plants: [{ name: 'Other Park', subnets: ['10.60.0.0/24'], devices: [] }],
    jobRoles: [],
    cooperations: [],
  });
  return fleet;
}
