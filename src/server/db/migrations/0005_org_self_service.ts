import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Organization self-service (issue 8):
 * - events name the organization they belong to, so an organization's Admins read and
 *   page its own events (`GET /orgs/:org/events`) without seeing anyone else's;
 * - invitations by email: the token is stored as SHA-256 only, shown once in the link.
 */
export const orgSelfService: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('events').addColumn('org_id', 'text').execute();
    await db.schema.createIndex('events_org').on('events').columns(['org_id', 'id']).execute();
    await db.schema
      .createTable('invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('invited_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('invitations_org').on('invitations').columns(['org_id', 'created_at']).execute();
  },
};
