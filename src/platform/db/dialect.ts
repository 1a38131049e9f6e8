// The few places where SQLite and PostgreSQL differ in SQL, in one module.
import { PostgresAdapter, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from './schema.js';

export const isPostgres = (ex: Executor) => ex.getExecutor().adapter instanceof PostgresAdapter;

/**
 * `column starts with prefix` as an index range. Both engines compare in code-point (byte) order here: SQLite's
 * default BINARY collation, and PostgreSQL's "C" collation (its index is declared with the same collation), so
 * the strings that start with `prefix` are exactly those from `prefix` up to `prefix` + U+10FFFF.
 */
export function startsWith(ex: Executor, column: string, prefix: string): RawBuilder<SqlBool> & Expression<SqlBool> {
  const upper = prefix + '\u{10FFFF}';
  return isPostgres(ex)
    ? sql<SqlBool>`(${sql.ref(column)} collate "C" >= ${prefix} and ${sql.ref(column)} collate "C" < ${upper})`
    : sql<SqlBool>`(${sql.ref(column)} >= ${prefix} and ${sql.ref(column)} < ${upper})`;
}

/** Unicode lower-casing of a column: PostgreSQL's lower(), or the unicode_lower() the SQLite connection defines. */
export function lowerUnicode(ex: Executor, column: string): RawBuilder<string> {
  return isPostgres(ex) ? sql<string>`lower(${sql.ref(column)})` : sql<string>`unicode_lower(${sql.ref(column)})`;
}
