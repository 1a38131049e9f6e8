// One person, one account: an address is a registered (Registered or Suspended) live member of at most one account,
// held by a unique index, so that two requests racing cannot both make it one. And the license an administrator
// chose for an invitee is remembered, so that accepting keeps it instead of taking the account's default.
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '../platform/ids.js';

export async function up(db: Kysely<any>): Promise<void> {
  // Installations from before held some addresses as registered members of two accounts. The membership the person
  // signs in with (linked to an identity), else the most recently registered one, stays; the others end as if
  // removed, which the audit log records.
  const duplicates = await sql<{ id: string; account_id: string; email_norm: string }>`
    select id, account_id, email_norm from (
      select id, account_id, email_norm, row_number() over (
        partition by email_norm
        order by case when identity_id is null then 1 else 0 end, registered_on desc, id desc) as rank
      from users
      where removed_at is null and registration_status in ('Registered', 'Suspended')) ranked
    where rank > 1`.execute(db);
  const now = new Date().toISOString();
  for (const d of duplicates.rows) {
    await sql`update users set removed_at = ${now}, sessions_revoked_at = ${now}, updated_at = ${now} where id = ${d.id}`.execute(db);
    await sql`insert into audit_events (id, occurred_at, actor_type, actor_id, action, resource_type, resource_id, account_id, details)
      values (${uuidv7()}, ${now}, 'system', 'migration', 'RemoveUser', 'user', ${d.id}, ${d.account_id}, ${JSON.stringify({ email: d.email_norm, via: 'one account per person (migration 010)' })})`.execute(db);
  }
  await db.schema
    .createIndex('users_one_registered_account')
    .on('users')
    .column('email_norm')
    .unique()
    .where(sql<boolean>`removed_at is null and registration_status in ('Registered', 'Suspended')`)
    .execute();
  await db.schema.alterTable('users').addColumn('license_chosen_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('license_chosen_at').execute();
  await db.schema.dropIndex('users_one_registered_account').execute();
}
