// Directory search for signed-in people: registered, unsuspended members of the searcher's own account whose
// email or name starts with the query. Nobody outside the account ever appears.
import { sql } from 'kysely';
import type { Db } from '../platform/db/schema.js';
import { lowerUnicode } from '../platform/db/dialect.js';

export type DirectoryEntry = { userId: string; email: string; displayName: string | null };

const likePrefix = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c) + '%';

export async function searchDirectory(db: Db, accountId: string, query: string, limit = 20): Promise<DirectoryEntry[]> {
  const q = query.trim().toLowerCase();
  if (q.length === 0) return [];
  const prefix = likePrefix(q);
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name'])
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .where('registration_status', '=', 'Registered')
    .where((eb) =>
      eb.or([
        eb(sql<string>`email_norm`, 'like', sql<string>`${prefix} escape '\\'`),
        eb(lowerUnicode(db, 'display_name'), 'like', sql<string>`${prefix} escape '\\'`),
      ]),
    )
    .orderBy('email_norm')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ userId: r.id, email: r.email, displayName: r.display_name }));
}
