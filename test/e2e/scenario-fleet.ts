import type { FleetFile } from '../../src/core/fleet-file/schema.ts';

/**
 * The fleet of the scenario tests. SolarCo owns Plant A and Plant B, both on
 * 192.168.1.0/24; WindServ cooperates on Plant A. One user per thing to assert.
 */
export const PLANT_A = 'Plant A';
export const PLANT_B = 'Plant B';
export const NATIVE = '192.168.1.0/24';

export const PEOPLE = {
  alice: 'alice@solarco.example', // Operator of Plant A
  bob: 'bob@solarco.example', // Operator of both plants: the conflict
  vic: 'vic@solarco.example', // Viewer of Plant A
  amy: 'amy@solarco.example', // Asset Manager of Plant A
  gus: 'gus@solarco.example', // Guest of SolarCo with an Operator job role
  carl: 'carl@windserv.example', // cooperation user, Technical Manager (not Operator)
  carol: 'carol@windserv.example', // cooperation Operator: loses it when the cooperation ends
  dave: 'dave@solarco.example', // Operator: revokes
  erin: 'erin@solarco.example', // Operator: loses the job role
  frank: 'frank@solarco.example', // Operator of Plant A with a crafted client
  bench: 'bench@solarco.example', // B3 benchmark
  olga: 'olga@solarco.example', // SolarCo Admin: changes the organization through the self-service API (issue 8)
  otto: 'otto@solarco.example', // SolarCo Member without a job role until olga grants one
} as const;

export const passwordOf = (email: string) => `pw-${email.split('@')[0]}-e2e`;

export type FleetChange = {
  /** erin's Operator job role on Plant A removed */
  erinRoleRemoved?: boolean;
  /** the SolarCo → WindServ cooperation ended */
  cooperationEnded?: boolean;
  /** Plant B deleted */
  plantBDeleted?: boolean;
  /** alice also becomes Operator of Plant B */
  aliceOnB?: boolean;
};

export function scenarioFleet(change: FleetChange = {}): FleetFile {
  const solarMember = (email: string, role: 'admin' | 'member' | 'guest' = 'member') => ({ email, role });
  const operator = (user: string, plant: string) => ({ user, plant, role: 'operator' as const });
  const jobRoles = [
    operator(PEOPLE.alice, PLANT_A),
    operator(PEOPLE.bob, PLANT_A),
    operator(PEOPLE.bob, PLANT_B),
    { user: PEOPLE.vic, plant: PLANT_A, role: 'viewer' as const },
    { user: PEOPLE.amy, plant: PLANT_A, role: 'asset-manager' as const },
    operator(PEOPLE.gus, PLANT_A),
    operator(PEOPLE.dave, PLANT_A),
    ...(change.erinRoleRemoved ? [] : [operator(PEOPLE.erin, PLANT_A)]),
    operator(PEOPLE.frank, PLANT_A),
    operator(PEOPLE.bench, PLANT_A),
    ...(change.aliceOnB && !change.plantBDeleted ? [operator(PEOPLE.alice, PLANT_B)] : []),
  ].filter((role) => !(change.plantBDeleted && role.plant === PLANT_B));
  const device = (name: string) => ({ name, ip: '192.168.1.10', kind: 'inverter', ports: [80, 502] });
  return {
    users: Object.values(PEOPLE).map((email) => ({ email, name: email.split('@')[0], password: passwordOf(email) })),
    organizations: [
      {
        name: 'SolarCo',
        members: [PEOPLE.alice, PEOPLE.bob, PEOPLE.vic, PEOPLE.amy, PEOPLE.dave, PEOPLE.erin, PEOPLE.frank, PEOPLE.bench, PEOPLE.otto]
          .map((email) => solarMember(email))
          .concat(solarMember(PEOPLE.gus, 'guest'), solarMember(PEOPLE.olga, 'admin')),
        portfolios: [],
        plants: [
          { name: PLANT_A, subnets: [NATIVE], devices: [device('inverter-a')] },
          ...(change.plantBDeleted ? [] : [{ name: PLANT_B, subnets: [NATIVE], devices: [device('inverter-b')] }]),
        ],
        jobRoles,
        cooperations: change.cooperationEnded
          ? []
          : [
              {
                partner: 'WindServ',
                plants: [PLANT_A],
                portfolios: [],
                jobRoles: [operator(PEOPLE.carol, PLANT_A), { user: PEOPLE.carl, plant: PLANT_A, role: 'technical-manager' as const }],
              },
            ],
      },
      {
        name: 'WindServ',
        members: [
          { email: PEOPLE.carl, role: 'member' },
          { email: PEOPLE.carol, role: 'member' },
        ],
        portfolios: [],
        plants: [],
        jobRoles: [],
        cooperations: [],
      },
    ],
  };
}
