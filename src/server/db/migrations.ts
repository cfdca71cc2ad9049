import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { stateChanges } from './migrations/0002_state_changes.ts';
import { userAdminMigration } from './migrations/0003_user_admin.ts';
import { fleetOps } from './migrations/0004_fleet_ops.ts';
import { orgSelfService } from './migrations/0005_org_self_service.ts';
import { directVpns } from './migrations/0011_direct_vpns.ts';
import { hostedDirectVpns } from './migrations/0012_hosted_direct_vpns.ts';
import { regionDrain } from './migrations/0020_region_drain.ts';
import { directVpnLive } from './migrations/0013_direct_vpn_live.ts';
import { sessionsMigration } from './migrations/0010_sessions.ts';
import { openVpnProfiles } from './migrations/0021_openvpn_profiles.ts';
import { webTargets } from './migrations/0018_web_targets.ts';
import { orgVpns } from './migrations/0019_org_vpns.ts';
import { orgVpnOpenVpn } from './migrations/0022_org_vpn_openvpn.ts';
import { orgVpnSessions } from './migrations/0022a_org_vpn_sessions.ts';
import type { Database } from './schema.ts';

export type Engine = 'sqlite' | 'postgres';

/**
 * Migrations are append-only: a released migration is never edited, a change is a new one.
 * The same steps run on SQLite and PostgreSQL; the few dialect differences are spelled out.
 */
export function migrations(engine: Engine): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        const text = 'text' as const;
        await db.schema.createTable('meta').addColumn('key', text, (c) => c.primaryKey()).addColumn('value', text, (c) => c.notNull()).execute();
        await db.schema
          .createTable('state_revision')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('revision', 'bigint', (c) => c.notNull())
          .execute();
        await sql`insert into state_revision (id, revision) values (1, 0)`.execute(db);
        await db.schema
          .createTable('users')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('email', text, (c) => c.notNull().unique())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('password_hash', text)
          .addColumn('platform_operator', 'integer', (c) => c.notNull().defaultTo(0))
          // TOTP secret sealed with the master key; enabled once the user confirmed a code.
          .addColumn('totp_secret', text)
          .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('totp_last_step', 'bigint')
          .addColumn('created_at', text, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('api_tokens')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('secret_hash', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('expires_at', text)
          .addColumn('revoked_at', text)
          .addColumn('last_used_at', text)
          .execute();
        await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();
        await db.schema
          .createTable('organizations')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('name', text, (c) => c.notNull().unique())
          .addColumn('created_at', text, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('memberships')
          .addColumn('org_id', text, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('role', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('memberships_pk', ['org_id', 'user_id'])
          .execute();
        await db.schema
          .createTable('plants')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('org_id', text, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addUniqueConstraint('plants_org_name', ['org_id', 'name'])
          .execute();
        await db.schema
          .createTable('subnets')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('plant_id', text, (c) => c.notNull().references('plants.id').onDelete('cascade'))
          .addColumn('cidr', text, (c) => c.notNull())
          .addColumn('mapped', text, (c) => c.notNull().unique())
          .addColumn('created_at', text, (c) => c.notNull())
          .addUniqueConstraint('subnets_plant_cidr', ['plant_id', 'cidr'])
          .execute();
        await db.schema
          .createTable('devices')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('plant_id', text, (c) => c.notNull().references('plants.id').onDelete('cascade'))
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('ip', text, (c) => c.notNull())
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('ports', text, (c) => c.notNull())
          .addUniqueConstraint('devices_plant_name', ['plant_id', 'name'])
          .execute();
        await db.schema
          .createTable('portfolios')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('org_id', text, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('name', text, (c) => c.notNull())
          .addUniqueConstraint('portfolios_org_name', ['org_id', 'name'])
          .execute();
        await db.schema
          .createTable('portfolio_plants')
          .addColumn('portfolio_id', text, (c) => c.notNull().references('portfolios.id').onDelete('cascade'))
          .addColumn('plant_id', text, (c) => c.notNull().references('plants.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('portfolio_plants_pk', ['portfolio_id', 'plant_id'])
          .execute();
        await db.schema
          .createTable('cooperations')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('owner_org_id', text, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('partner_org_id', text, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('ended_at', text)
          .execute();
        await db.schema
          .createTable('cooperation_plants')
          .addColumn('cooperation_id', text, (c) => c.notNull().references('cooperations.id').onDelete('cascade'))
          .addColumn('plant_id', text, (c) => c.notNull().references('plants.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('cooperation_plants_pk', ['cooperation_id', 'plant_id'])
          .execute();
        await db.schema
          .createTable('cooperation_portfolios')
          .addColumn('cooperation_id', text, (c) => c.notNull().references('cooperations.id').onDelete('cascade'))
          .addColumn('portfolio_id', text, (c) => c.notNull().references('portfolios.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('cooperation_portfolios_pk', ['cooperation_id', 'portfolio_id'])
          .execute();
        await db.schema
          .createTable('job_roles')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('plant_id', text, (c) => c.references('plants.id').onDelete('cascade'))
          .addColumn('portfolio_id', text, (c) => c.references('portfolios.id').onDelete('cascade'))
          .addColumn('role', text, (c) => c.notNull())
          .addColumn('cooperation_id', text, (c) => c.references('cooperations.id').onDelete('cascade'))
          .execute();
        await db.schema.createIndex('job_roles_user').on('job_roles').column('user_id').execute();
        await db.schema
          .createTable('route_prefs')
          .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('subnet_id', text, (c) => c.notNull().references('subnets.id').onDelete('cascade'))
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('route_prefs_pk', ['user_id', 'subnet_id'])
          .execute();
        await db.schema
          .createTable('profiles')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('public_key', text, (c) => c.notNull())
          .addColumn('tunnel_ip', text, (c) => c.notNull())
          .addColumn('tunnel_ip_num', 'bigint', (c) => c.notNull())
          .addColumn('status', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('rotated_at', text)
          .addColumn('revoked_at', text)
          .execute();
        // One active profile per user and per tunnel IP; revoked ones stay for the audit trail.
        await sql`create unique index profiles_one_active on profiles (user_id) where status = 'active'`.execute(db);
        await sql`create unique index profiles_active_ip on profiles (tunnel_ip) where status = 'active'`.execute(db);
        await sql`create unique index profiles_active_key on profiles (public_key) where status = 'active'`.execute(db);
        // Keys a rotation replaced: never accepted again, so a compromised key stays dead.
        await db.schema
          .createTable('retired_keys')
          .addColumn('public_key', text, (c) => c.primaryKey())
          .addColumn('profile_id', text, (c) => c.notNull())
          .addColumn('retired_at', text, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('regions')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('name', text, (c) => c.notNull().unique())
          .addColumn('endpoint', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('enrolment_tokens')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('secret_hash', text, (c) => c.notNull())
          .addColumn('region_id', text, (c) => c.references('regions.id').onDelete('cascade'))
          .addColumn('plant_id', text, (c) => c.references('plants.id').onDelete('cascade'))
          .addColumn('created_by', text)
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('expires_at', text, (c) => c.notNull())
          .addColumn('used_at', text)
          .execute();
        await db.schema
          .createTable('daemons')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('region_id', text, (c) => c.references('regions.id').onDelete('cascade'))
          .addColumn('plant_id', text, (c) => c.references('plants.id').onDelete('cascade'))
          .addColumn('credential_id', text, (c) => c.notNull().unique())
          .addColumn('credential_hash', text, (c) => c.notNull())
          .addColumn('public_key', text)
          .addColumn('endpoint', text)
          .addColumn('tunnel_ip', text, (c) => c.notNull().unique())
          .addColumn('tunnel_ip_num', 'bigint', (c) => c.notNull())
          .addColumn('enrolled_at', text, (c) => c.notNull())
          .addColumn('last_seen_at', text)
          .addColumn('status', text)
          .execute();
        // One agent per plant (SPEC Vocabulary).
        await sql`create unique index daemons_one_agent on daemons (plant_id) where kind = 'agent'`.execute(db);
        await db.schema
          .createTable('events')
          .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', text, (c) => c.notNull())
          .addColumn('actor_user_id', text)
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('subject_user_id', text)
          .addColumn('details', text, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('events_subject').on('events').column('subject_user_id').execute();
      },
    },
    '0002_state_changes': stateChanges,
    '0003_user_admin': userAdminMigration,
    '0004_fleet_ops': fleetOps,
    '0005_org_self_service': orgSelfService,
    '0010_sessions': sessionsMigration,
    // 0011 after 0010: main ran 0010 first; migrations are append-only and run in name order (the next one is 0012).
    '0011_direct_vpns': directVpns,
    '0012_hosted_direct_vpns': hostedDirectVpns,
    '0013_direct_vpn_live': directVpnLive,
    '0018_web_targets': webTargets,
    '0019_org_vpns': orgVpns,
    '0020_region_drain': regionDrain,
    '0021_openvpn_profiles': openVpnProfiles,
    '0022_org_vpn_openvpn': orgVpnOpenVpn,
    '0022a_org_vpn_sessions': orgVpnSessions,
  };
}

export async function migrateToLatest(db: Kysely<Database>, engine: Engine): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(engine) };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
