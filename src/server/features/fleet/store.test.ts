import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, SqliteDialect } from 'kysely';
import type { FleetFile } from '../../../core/fleet-file/schema.ts';
import { cidr } from '../../../core/net/ipv4.ts';
import { migrateToLatest } from '../../db/migrations.ts';
import type { Database } from '../../db/schema.ts';
import { openSqlite } from '../../db/sqlite-adapter.ts';
import { applyFleetFile } from '../../fleet/apply-fleet.ts';
import { exportFleetFile } from './store.ts';

const fleet: FleetFile = {
  users: ['a@s.test', 'b@s.test', 'c@w.test', 'd@o.test'].map((email) => ({ email, name: email })),
  organizations: [
    {
      name: 'SolarCo',
      members: [
        { email: 'a@s.test', role: 'admin' },
        { email: 'b@s.test', role: 'member' },
      ],
      portfolios: [{ name: 'North', plants: ['Park A'] }],
      plants: [
        { name: 'Park A', subnets: ['192.168.1.0/24'], devices: [{ name: 'inv', ip: '192.168.1.17', kind: 'inverter', ports: [502] }] },
        { name: 'Park B', subnets: ['10.1.0.0/24', '10.2.0.0/24'], devices: [] },
      ],
      jobRoles: [
        { user: 'a@s.test', portfolio: 'North', role: 'operator' },
        { user: 'b@s.test', plant: 'Park B', role: 'viewer' },
      ],
      cooperations: [{ partner: 'WindServ', plants: ['Park B'], portfolios: ['North'], jobRoles: [{ user: 'c@w.test', plant: 'Park B', role: 'operator' }] }],
    },
    {
      name: 'WindServ',
      members: [{ email: 'c@w.test', role: 'admin' }],
      portfolios: [],
      plants: [{ name: 'W1', subnets: ['10.9.0.0/24'], devices: [] }],
      jobRoles: [],
      cooperations: [],
    },
    { name: 'OtherCo', members: [{ email: 'd@o.test', role: 'admin' }], portfolios: [], plants: [], jobRoles: [], cooperations: [] },
  ],
};

describe('exportFleetFile of some organizations (the part an organization edit changes)', () => {
  it('holds exactly those organizations as the whole export has them, and the users they name', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
    try {
      await migrateToLatest(db, 'sqlite');
      await db
        .transaction()
        .execute((trx) => applyFleetFile(trx, fleet, { mappedSpace: cidr('100.80.0.0/12'), now: '2026-01-01T00:00:00.000Z', prune: false, force: false }));
      const whole = await exportFleetFile(db);
      const ids = new Map((await db.selectFrom('organizations').select(['id', 'name']).execute()).map((o) => [o.name, o.id]));
      for (const names of [['SolarCo'], ['WindServ'], ['OtherCo'], ['SolarCo', 'OtherCo']]) {
        const part = await exportFleetFile(db, new Set(names.map((n) => ids.get(n) as string)));
        assert.deepEqual(
          part.organizations,
          whole.organizations.filter((o) => names.includes(o.name)),
          names.join(),
        );
        const named = new Set(
          part.organizations.flatMap((o) => [
            ...o.members.map((m) => m.email),
            ...o.jobRoles.map((j) => j.user),
            ...o.cooperations.flatMap((c) => c.jobRoles.map((j) => j.user)),
          ]),
        );
        assert.deepEqual(
          part.users,
          whole.users.filter((u) => named.has(u.email)),
          names.join(),
        );
      }
      assert.deepEqual(
        (await exportFleetFile(db, new Set([ids.get('SolarCo') as string]))).users.map((u) => u.email),
        ['a@s.test', 'b@s.test', 'c@w.test'],
        'the partner member holding a cooperation job role too',
      );
    } finally {
      await db.destroy();
    }
  });
});
