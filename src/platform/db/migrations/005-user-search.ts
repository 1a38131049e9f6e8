// The console's user search on large accounts. Each of its filters has an index that serves the filter and the
// listing order at once, so a page costs about its own size however many members the account has, and a filter
// that matches few (or no) members reads only those. An email-prefix search is listed in email order, which the
// live-email index already serves on SQLite; PostgreSQL gets one in code-point order (see platform/db/dialect.ts).
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Each filter's index also holds the other filters' columns, so a combination of filters is checked in the index,
// without reading the rows that fail it: the members of a large account that match a combination can be few.
const filterIndexes = { users_account_status: 'registration_status', users_account_type: 'user_type', users_account_license: 'license' };

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, column] of Object.entries(filterIndexes)) {
    const others = Object.values(filterIndexes).filter((c) => c !== column);
    await db.schema
      .createIndex(name)
      .on('users')
      .columns(['account_id', column, 'id', ...others, 'pro_trial_ends_at'])
      .where(sql.ref('removed_at'), 'is', null)
      .execute();
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create index users_account_email_c on users (account_id, email_norm collate "C") where removed_at is null`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_account_email_c`.execute(db);
  for (const name of Object.keys(filterIndexes)) await db.schema.dropIndex(name).execute();
}
