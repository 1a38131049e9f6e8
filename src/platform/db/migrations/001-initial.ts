// The foundation schema: accounts, users, invitations, the mail outbox, access keys and the audit log.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_norm', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('default_license', 'text', (c) => c.notNull())
    .addColumn('disable_remote_control', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enable_dial_out', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  // Name-prefix search is a range scan in code-point order (see platform/db/dialect.ts), so PostgreSQL's index
  // uses the "C" collation whatever the database's default.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create index accounts_name_norm on accounts (name_norm collate "C", id)`.execute(db);
  } else {
    await db.schema.createIndex('accounts_name_norm').on('accounts').columns(['name_norm', 'id']).execute();
  }

  await db.schema
    .createTable('signin_delegate_groups')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('signin_delegate_groups_pk', ['account_id', 'group_name'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_norm', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('user_type', 'text', (c) => c.notNull())
    .addColumn('license', 'text', (c) => c.notNull())
    .addColumn('registration_status', 'text', (c) => c.notNull())
    .addColumn('invitation_status', 'text')
    .addColumn('invited_on', 'text')
    .addColumn('registered_on', 'text')
    .addColumn('personal_pin', 'text')
    .addColumn('alexa_enabled', 'integer')
    .addColumn('alexa_room_arn', 'text')
    .addColumn('telephony_inbound', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('telephony_outbound', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('telephony_sms', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('pro_trial_ends_at', 'text')
    .addColumn('sessions_revoked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .execute();
  // Keyset pagination walks (account_id, id); ids are time-ordered, so this is creation order.
  await db.schema.createIndex('users_account_id').on('users').columns(['account_id', 'id']).execute();
  // One live membership per email and account; removed members keep their row for audit and billing.
  await db.schema
    .createIndex('users_account_email_live')
    .on('users')
    .columns(['account_id', 'email_norm'])
    .unique()
    .where(sql.ref('removed_at'), 'is', null)
    .execute();
  await db.schema.createIndex('users_email_norm').on('users').columns(['email_norm']).execute();
  await db.schema.createIndex('users_personal_pin').on('users').column('personal_pin').unique().execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('email_status', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invitations_user').on('invitations').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('invitation_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('access_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_account').on('audit_events').columns(['account_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_events', 'access_keys', 'outbox', 'invitations', 'users', 'signin_delegate_groups', 'accounts', 'settings']) {
    await db.schema.dropTable(table).execute();
  }
}
