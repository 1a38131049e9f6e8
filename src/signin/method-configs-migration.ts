// Per-account configuration of sign-in methods (an account's directory or identity provider), with the secret
// fields sealed by the master key.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signin_method_configs')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // The configuration without its secrets, as JSON.
    .addColumn('config', 'text', (c) => c.notNull())
    // The secret fields, as JSON sealed with the master key (secret-box.ts).
    .addColumn('secrets_ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('signin_method_configs_pk', ['account_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signin_method_configs').execute();
}
