// The directory's words (directory-search.ts), built for the members listed when it runs. The table is filled
// first and keyed after, so that each engine writes its key's tree in order instead of all over it: PostgreSQL
// adds the primary key to the filled table; SQLite, whose keyed table is the key's tree itself (without rowid),
// gathers the rows in a scratch table and moves them over in key order. The index by member, which only the upkeep
// uses, comes last. About 40 s for 1,000,000 members on SQLite, as long on PostgreSQL.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Db } from '../platform/db/schema.js';
import { INSERT_CHUNK, wordRowsOf, type DirectoryWordsTable } from './directory-search.js';

const MEMBERS_PER_BATCH = 5000;

export async function up(db: Kysely<any>): Promise<void> {
  // PostgreSQL runs each migration in a transaction; SQLite's runner does not, so this one makes its own, lest a
  // crash leave a half-built table that the next start trips over.
  if (db.isTransaction) return build(db);
  await db.transaction().execute(build);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('directory_words').execute();
}

async function build(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // Searches are ranges in code-point order (platform/db/dialect.ts), which the key serves in this collation.
  const wordType = postgres ? sql`text collate "C"` : sql`text`;
  const table = (name: string, keyed: boolean) => {
    const t = db.schema
      .createTable(name)
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('word', wordType, (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull());
    return keyed ? t.addPrimaryKeyConstraint('directory_words_pk', ['account_id', 'word', 'user_id']).modifyEnd(sql`without rowid`) : t;
  };
  const filled = postgres ? 'directory_words' : 'directory_words_build';
  await (postgres ? table(filled, false) : table(filled, false).temporary()).execute();
  await fill(db, filled, postgres);
  if (postgres) {
    await sql`alter table directory_words add constraint directory_words_pk primary key (account_id, word, user_id)`.execute(db);
  } else {
    await table('directory_words', true).execute();
    await sql`insert into directory_words select account_id, word, user_id from directory_words_build order by account_id, word, user_id`.execute(db);
    await db.schema.dropTable('directory_words_build').execute();
  }
  await db.schema.createIndex('directory_words_user').on('directory_words').column('user_id').execute();
  // Planner statistics at once, rather than at autovacuum's next visit.
  if (postgres) await sql`analyze directory_words`.execute(db);
}

/** The words of every listed member, read in batches of members in id order. */
async function fill(db: Kysely<any>, into: string, postgres: boolean): Promise<void> {
  const ex = db as Db;
  let afterId = '';
  for (;;) {
    const members = await ex
      .selectFrom('users')
      .select(['id', 'account_id', 'email', 'display_name', 'removed_at', 'registration_status'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(MEMBERS_PER_BATCH)
      .execute();
    if (members.length === 0) return;
    afterId = members.at(-1)!.id;
    const listed = members.filter((u) => u.removed_at === null && u.registration_status === 'Registered');
    await insertRows(db, into, postgres, wordRowsOf(listed.map((u) => ({ id: u.id, accountId: u.account_id, email: u.email, displayName: u.display_name }))));
  }
}

async function insertRows(db: Kysely<any>, into: string, postgres: boolean, rows: DirectoryWordsTable[]): Promise<void> {
  if (rows.length === 0) return;
  if (postgres) {
    // Three array parameters instead of three per row: less than half the time of a many-row VALUES.
    const column = (c: keyof DirectoryWordsTable) => rows.map((r) => r[c]);
    await sql`insert into ${sql.table(into)} (account_id, word, user_id)
      select * from unnest(${column('account_id')}::text[], ${column('word')}::text[], ${column('user_id')}::text[])`.execute(db);
    return;
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insertInto(into).values(rows.slice(i, i + INSERT_CHUNK)).execute();
}
