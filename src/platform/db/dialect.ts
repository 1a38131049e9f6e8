// The few places where SQLite and PostgreSQL differ in SQL, in one module.
import { PostgresAdapter, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from './schema.js';

export const isPostgres = (ex: Executor) => ex.getExecutor().adapter instanceof PostgresAdapter;

/** A text column compared and sorted in code-point (byte) order: SQLite's default BINARY collation, PostgreSQL's
 *  "C" collation (the indexes that serve such comparisons are declared with it, whatever the database's default). */
export function inCodePointOrder(ex: Executor, column: string): RawBuilder<string> {
  return isPostgres(ex) ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`;
}

/**
 * `column starts with prefix` as an index range. In code-point order the strings that start with `prefix` are
 * exactly those from `prefix` up to `prefix` + U+10FFFF.
 */
export function startsWith(ex: Executor, column: string, prefix: string): RawBuilder<SqlBool> & Expression<SqlBool> {
  const c = inCodePointOrder(ex, column);
  return sql<SqlBool>`(${c} >= ${prefix} and ${c} < ${prefix + '\u{10FFFF}'})`;
}

/** Unicode lower-casing of a column: PostgreSQL's lower(), or the unicode_lower() the SQLite connection defines. */
export function lowerUnicode(ex: Executor, column: string): RawBuilder<string> {
  return isPostgres(ex) ? sql<string>`lower(${sql.ref(column)})` : sql<string>`unicode_lower(${sql.ref(column)})`;
}
