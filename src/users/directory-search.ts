// Directory search for signed-in people: the registered, unsuspended members of the searcher's own account whose
// name or address has a word starting with the query (directory-words.ts says what a word is). Its table holds
// each listed member's words under their account, so a search is one range of one index however large the
// account; the users repository keeps it in step whenever a member is listed or stops being listed.
import { sql } from 'kysely';
import type { Db, Executor } from '../platform/db/schema.js';
import { inCodePointOrder, startsWith } from '../platform/db/dialect.js';
import { normalizeForDirectory, wordsOfMember } from './directory-words.js';

/** One row per word of a listed (live, Registered) member; its key (account_id, word, user_id) serves the search. */
export interface DirectoryWordsTable {
  account_id: string;
  /** The normalized text from a word's start to its end (PostgreSQL: in the "C" collation, code-point order). */
  word: string;
  user_id: string;
}

declare module '../platform/db/schema.js' {
  interface Database {
    directory_words: DirectoryWordsTable;
  }
}

export type DirectoryEntry = { userId: string; email: string; displayName: string | null };

/** A member as the directory lists them. */
export type ListedMember = { id: string; accountId: string; email: string; displayName: string | null };

/** Rows per insert: 3 bound values each, well inside both engines' limits. */
export const INSERT_CHUNK = 2000;

/** The rows of the members' words, each (account, word, user) once. */
export function wordRowsOf(members: ListedMember[]): DirectoryWordsTable[] {
  return members.flatMap((m) => wordsOfMember(m).map((word) => ({ account_id: m.accountId, word, user_id: m.id })));
}

/** The upkeep, called by the users repository in the transaction of the change. */
export const directoryIndex = {
  /** Members who have just become listed (created or registered): their words, in as few statements as rows allow. */
  async add(ex: Executor, members: ListedMember[]): Promise<void> {
    const rows = wordRowsOf(members);
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await ex.insertInto('directory_words').values(rows.slice(i, i + INSERT_CHUNK)).execute();
  },

  /** Members who stopped being listed (removed, suspended): gone from the directory at once. */
  async remove(ex: Executor, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    await ex.deleteFrom('directory_words').where('user_id', 'in', userIds).execute();
  },

  /** Members whose name or status may have changed: their words again, from their rows as they now are. */
  async refresh(ex: Executor, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    await directoryIndex.remove(ex, userIds);
    const listed = await ex
      .selectFrom('users')
      .select(['id', 'account_id', 'email', 'display_name'])
      .where('id', 'in', userIds)
      .where('removed_at', 'is', null)
      .where('registration_status', '=', 'Registered')
      .execute();
    await directoryIndex.add(ex, listed.map((u) => ({ id: u.id, accountId: u.account_id, email: u.email, displayName: u.display_name })));
  },
};

/**
 * Up to `limit` members, in the order of the words they matched (code-point order, so a word equal to the query
 * comes before longer ones), then of their ids (creation order). A member who matches by several words is listed
 * once, at the first. The index is read a few rows per member expected, from where the last read stopped, until
 * there are enough members or no more rows; the join re-checks each row against its member (same account, live,
 * Registered), so the table can never show someone the directory should not.
 */
export async function searchDirectory(db: Db, accountId: string, query: string, limit = 20): Promise<DirectoryEntry[]> {
  const q = normalizeForDirectory(query);
  if (q.length === 0 || limit <= 0) return [];
  const batch = limit * 3;
  const word = inCodePointOrder(db, 'w.word');
  const found = new Map<string, DirectoryEntry>();
  let after: { word: string; userId: string } | undefined;
  for (;;) {
    let select = db
      .selectFrom('directory_words as w')
      .innerJoin('users as u', 'u.id', 'w.user_id')
      .select(['w.word', 'w.user_id', 'u.email', 'u.display_name'])
      .where('w.account_id', '=', accountId)
      .where(startsWith(db, 'w.word', q))
      .where('u.account_id', '=', accountId)
      .where('u.removed_at', 'is', null)
      .where('u.registration_status', '=', 'Registered');
    if (after) select = select.where(sql<boolean>`(${word}, ${sql.ref('w.user_id')}) > (${after.word}, ${after.userId})`);
    const rows = await select.orderBy(word).orderBy('w.user_id').limit(batch).execute();
    for (const r of rows) {
      if (found.size < limit && !found.has(r.user_id)) found.set(r.user_id, { userId: r.user_id, email: r.email, displayName: r.display_name });
    }
    const last = rows.at(-1);
    if (found.size >= limit || rows.length < batch || !last) break;
    after = { word: last.word, userId: last.user_id };
  }
  return [...found.values()];
}
