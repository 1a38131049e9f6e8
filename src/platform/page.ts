// Keyset pages: repositories fetch one row past the limit to learn whether another page follows.
export type Page<T> = { items: T[]; lastId: string | undefined };

export function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, lastId: rows.length > limit ? items[items.length - 1]!.id : undefined };
}
