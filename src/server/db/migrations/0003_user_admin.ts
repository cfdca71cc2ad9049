import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Operator basics (issue 7 item 15): users can be disabled, an operator-set password
 * must be replaced at the next login, and TOTP recovery codes (stored as SHA-256,
 * single use) stand in for a lost authenticator.
 */
export const userAdminMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
    await db.schema.alterTable('users').addColumn('password_must_change', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('totp_recovery_codes')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addPrimaryKeyConstraint('totp_recovery_codes_pk', ['user_id', 'code_hash'])
      .execute();
  },
};
