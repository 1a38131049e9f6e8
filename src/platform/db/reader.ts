// Committed-data reads for the API's hottest queries, without the query builder's per-call work: each query is
// compiled once for the running engine and afterwards only rebound. The engines' readers are in database.ts.
import type { Compilable, CompiledQuery } from 'kysely';
import type { Executor } from './schema.js';

/**
 * A read the API makes on most calls, written once with the query builder. `query(ex, ...args)` runs it anywhere
 * (inside a transaction too); a Reader compiles it once and then binds each call's arguments by position.
 */
export type HotQuery<Row, Args extends string[]> = {
  /** Unique among hot queries; on PostgreSQL the prepared statement's name. */
  name: string;
  query: (ex: Executor, ...args: Args) => Compilable<Row> & { executeTakeFirst(): Promise<Row | undefined> };
};

/**
 * Reads outside the requests' transactions: they see what is committed, and never wait for another request's
 * transaction. On SQLite the reads of one event-loop turn share a snapshot, which ends before this process writes:
 * a write by another process (the CLI) is seen from the next turn.
 */
export interface Reader {
  first<Row, Args extends string[]>(hot: HotQuery<Row, Args>, ...args: Args): Promise<Row | undefined>;
}

/** A hot query compiled for one engine: its SQL, and where each bound value comes from. */
export type PreparedHotQuery = {
  sql: string;
  /** For each parameter of the SQL, the index of the call argument it takes, or the constant it always has. */
  bind: (args: readonly string[]) => unknown[];
};

/**
 * Compiles a hot query with a unique marker for each argument, then maps the SQL's parameters back to the
 * arguments. This holds whatever order the builder emits parameters in, and keeps constants as they are.
 */
export function prepareHotQuery(hot: HotQuery<unknown, string[]>, ex: Executor, arity: number): PreparedHotQuery {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000hot-argument-${i}\u0000`);
  const compiled: CompiledQuery = hot.query(ex, ...markers).compile();
  const sources = compiled.parameters.map((p) => (typeof p === 'string' ? markers.indexOf(p) : -1));
  const unused = markers.findIndex((_, i) => !sources.includes(i));
  if (unused !== -1) throw new Error(`Hot query ${hot.name} does not use its argument ${unused}.`);
  const constants = compiled.parameters;
  return {
    sql: compiled.sql,
    bind: (args) => {
      if (args.length !== arity) throw new Error(`Hot query ${hot.name} takes ${arity} arguments, not ${args.length}.`);
      return sources.map((source, i) => (source === -1 ? constants[i] : args[source]));
    },
  };
}
