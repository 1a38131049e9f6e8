// Claimed domains. One row per (account, domain) claim; a unique index over verified claims makes a domain have one
// owner however verifications race; `next_check_at` is when the DNS sweep looks at the claim next. Members and
// identities get their address's domain as a generated column with an index, so that converting an account finds
// the people of a domain, and releasing one finds its members, without reading every row.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('domains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('verification_value', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .addColumn('last_checked_at', 'text')
    .addColumn('last_check_result', 'text')
    .addColumn('record_missing_since', 'text')
    .addColumn('checks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_check_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('domains_account_name').on('domains').columns(['account_id', 'name']).unique().execute();
  await db.schema.createIndex('domains_one_owner').on('domains').column('name').unique().where(sql<boolean>`status = 'Verified'`).execute();
  await db.schema.createIndex('domains_name').on('domains').columns(['name', 'status']).execute();
  await db.schema.createIndex('domains_due').on('domains').column('next_check_at').where(sql<boolean>`next_check_at is not null`).execute();

  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const table of ['users', 'identities']) {
    // SQLite adds only virtual generated columns to an existing table (computed on read, stored in the index);
    // PostgreSQL only stored ones.
    const expr = postgres ? sql`substr(email_norm, strpos(email_norm, '@') + 1)` : sql`substr(email_norm, instr(email_norm, '@') + 1)`;
    await sql`alter table ${sql.table(table)} add column email_domain text generated always as (${expr}) ${postgres ? sql`stored` : sql`virtual`}`.execute(db);
  }
  await db.schema.createIndex('users_email_domain').on('users').columns(['email_domain', 'account_id']).where(sql<boolean>`removed_at is null`).execute();
  await db.schema.createIndex('identities_email_domain').on('identities').columns(['email_domain', 'email_norm']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('identities_email_domain').execute();
  await db.schema.dropIndex('users_email_domain').execute();
  for (const table of ['users', 'identities']) await db.schema.alterTable(table).dropColumn('email_domain').execute();
  await db.schema.dropTable('domains').execute();
}
