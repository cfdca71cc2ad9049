import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Browser proxy (issue 12, SPEC O2; docs/browser-proxy.md). `web_targets`: a network device
 * of a plant opened in the browser through the region gateways, each on its own origin
 * (`host` is the fixed subdomain label). `proxy_sessions`: one user's opening of one target,
 * bound to the API token (platform session) it was opened with. Only the SHA-256 of the
 * one-time grant token is stored, never the token. Removing a target, its device or plant,
 * the user or the token removes its sessions (cascade); a session closed otherwise keeps its
 * row with `closed_at` and the reason.
 */
export const webTargets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('web_targets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('plant_id', 'text', (c) => c.notNull().references('plants.id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('host', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text')
      .addColumn('scheme', 'text', (c) => c.notNull())
      .addColumn('port', 'integer', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('web_targets_plant').on('web_targets').column('plant_id').execute();
    await db.schema
      .createTable('proxy_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('target_id', 'text', (c) => c.notNull().references('web_targets.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_id', 'text', (c) => c.notNull().references('api_tokens.id').onDelete('cascade'))
      .addColumn('grant_hash', 'text', (c) => c.notNull().unique())
      .addColumn('grant_expires_at', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'text')
      .addColumn('close_reason', 'text')
      .execute();
    await db.schema.createIndex('proxy_sessions_open').on('proxy_sessions').columns(['closed_at', 'expires_at']).execute();
    await db.schema.createIndex('proxy_sessions_token').on('proxy_sessions').column('token_id').execute();
    await db.schema.createIndex('proxy_sessions_user').on('proxy_sessions').column('user_id').execute();
  },
};
