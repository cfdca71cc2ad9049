import type { FleetFile } from '../../src/core/fleet-file/schema.ts';

/** The fleet of the API and CLI tests: two plants of SolarCo share 192.168.1.0/24. */
export function baseFleet(): FleetFile {
  return {
    users: [
      { email: 'alice@solarco.example', name: 'Alice', password: 'alice-password' },
      { email: 'bob@solarco.example', name: 'Bob', password: 'bob-password' },
      { email: 'gus@solarco.example', name: 'Gus', password: 'gus-password' },
      { email: 'carol@windserv.example', name: 'Carol', password: 'carol-password' },
    ],
    organizations: [
      {
        name: 'SolarCo',
        members: [
          { email: 'alice@solarco.example', role: 'admin' },
          { email: 'bob@solarco.example', role: 'member' },
          { email: 'gus@solarco.example', role: 'guest' },
        ],
        portfolios: [{ name: 'North', plants: ['Park A', 'Park C'] }],
        plants: [
          { name: 'Park A', subnets: ['192.168.1.0/24'], devices: [{ name: 'inverter-1', ip: '192.168.1.17', kind: 'inverter', ports: [80, 502] }] },
          { name: 'Park B', subnets: ['192.168.1.0/24'], devices: [] },
          { name: 'Park C', subnets: ['10.30.0.0/24'], devices: [] },
        ],
        jobRoles: [
          { user: 'alice@solarco.example', portfolio: 'North', role: 'operator' },
          { user: 'alice@solarco.example', plant: 'Park B', role: 'technical-manager' },
          { user: 'bob@solarco.example', plant: 'Park A', role: 'viewer' },
          { user: 'gus@solarco.example', plant: 'Park A', role: 'operator' },
        ],
        cooperations: [{ partner: 'WindServ', plants: ['Park A'], portfolios: [], jobRoles: [{ user: 'carol@windserv.example', plant: 'Park A', role: 'operator' }] }],
      },
      { name: 'WindServ', members: [{ email: 'carol@windserv.example', role: 'member' }], portfolios: [], plants: [], jobRoles: [], cooperations: [] },
    ],
  };
}
