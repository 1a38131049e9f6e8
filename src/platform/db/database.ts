// Opens the database (embedded SQLite by default, PostgreSQL when DATABASE_URL is set) and runs the numbered
// migrations under the migrator's lock. Engine differences are confined to this module.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import type { Database, Db, Executor } from './schema.js';
import { prepareHotQuery, type HotQuery, type PreparedHotQuery, type Reader } from './reader.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
export type Engine = 'sqlite' | 'postgres';

/**
 * `reader` runs the hot queries (reader.ts) on committed data, outside the requests' transactions.
 * `notify` and `listen` carry a signal on a channel from a transaction's commit to listeners: every node's on
 * PostgreSQL (NOTIFY, which is delivered when the transaction commits), this process's on SQLite.
 */
export type OpenedDatabase = {
  db: Db;
  engine: Engine;
  reader: Reader;
  notify: (ex: Executor, channel: string) => Promise<void>;
  listen: (channel: string, onSignal: () => void, onError?: (e: unknown) => void) => Promise<() => Promise<void>>;
  close: () => Promise<void>;
};

/** The listeners of each channel, for the engine whose signals stay in this process. */
class LocalChannels {
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Channels signalled in the open transaction, fired when it commits (the single connection has one at a time). */
  private readonly pending = new Set<string>();

  listen(channel: string, onSignal: () => void): () => Promise<void> {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(onSignal);
    this.listeners.set(channel, set);
    return async () => void set.delete(onSignal);
  }

  signal(channel: string, inTransaction: boolean): void {
    if (inTransaction) this.pending.add(channel);
    else setImmediate(() => this.fire(channel));
  }

  committed(): void {
    for (const channel of this.pending) setImmediate(() => this.fire(channel));
    this.pending.clear();
  }

  rolledBack(): void {
    this.pending.clear();
  }

  private fire(channel: string): void {
    for (const l of this.listeners.get(channel) ?? []) l();
  }
}

/** Prepares each hot query the first time it runs, once per reader. */
function hotQueries<P>(db: Db, prepare: (hot: PreparedHotQuery) => P) {
  const prepared = new Map<string, P>();
  return (hot: HotQuery<unknown, string[]>, args: readonly string[]): P => {
    let p = prepared.get(hot.name);
    if (p === undefined) {
      p = prepare(prepareHotQuery(hot, db, args.length));
      prepared.set(hot.name, p);
    }
    return p;
  };
}

export function openDatabase(options: { databaseUrl?: string | undefined; dataDir: string; onError?: (e: unknown) => void }): OpenedDatabase {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle pooled connection that the server ends (a restart, a terminated backend) is only reported here;
    // the pool replaces it on the next query. Unheard, the report would end the process.
    pool.on('error', options.onError ?? (() => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // A named statement is parsed and planned once per pooled connection, then only executed.
    const prepared = hotQueries(db, (hot) => hot);
    const reader: Reader = {
      first: async (hot, ...args) => {
        const p = prepared(hot as HotQuery<unknown, string[]>, args);
        const { rows } = await pool.query({ name: hot.name, text: p.sql, values: p.bind(args) });
        return rows[0];
      },
    };
    const listeners = new Set<pg.Client>();
    return {
      db,
      engine: 'postgres',
      reader,
      notify: async (ex, channel) => {
        await sql`select pg_notify(${channel}, '')`.execute(ex);
      },
      // A connection of its own per listener: a pooled one would be handed to other queries.
      listen: async (channel, onSignal, onError = () => undefined) => {
        let client: pg.Client | undefined;
        let stopped = false;
        const connect = async (): Promise<void> => {
          const c = new pg.Client({ connectionString: options.databaseUrl });
          c.on('notification', () => onSignal());
          c.on('error', (e) => {
            // Signals are an optimization over polling: reconnect in a while, and meanwhile the listener polls.
            if (stopped) return;
            onError(e);
            listeners.delete(c);
            c.end().catch(() => undefined);
            setTimeout(() => void connect().catch(onError), 1000).unref();
          });
          await c.connect();
          await c.query(`listen ${pg.escapeIdentifier(channel)}`);
          client = c;
          listeners.add(c);
          if (stopped) await c.end();
        };
        await connect();
        return async () => {
          stopped = true;
          if (client) {
            listeners.delete(client);
            await client.end().catch(() => undefined);
          }
        };
      },
      close: async () => {
        await Promise.all([...listeners].map((c) => c.end().catch(() => undefined)));
        await db.destroy();
      },
    };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const filename = path.join(options.dataDir, 'carillon.db');
  const file = new SQLite(filename);
  // WAL lets the CLI read and write while the server runs, and the reader below read while this connection
  // writes; busy_timeout waits out the other writer.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  // Checkpoints run on their own thread (sqlite-checkpointer.ts), not in this connection's commits.
  file.pragma('wal_autocheckpoint = 0');
  const checkpointer = startCheckpointer(filename);
  addFunctions(file);
  // better-sqlite3 compiles a statement on every prepare(); the same SQL text recurs on every request, so keep
  // the compiled statements (a single connection runs one statement at a time, so reuse is safe).
  const statements = new Map<string, SQLite.Statement>();
  const channels = new LocalChannels();
  const database = {
    close: () => file.close(),
    prepare(sql: string) {
      // Whatever this process writes next, the reader's following reads must see it.
      endHeldSnapshot();
      let statement = statements.get(sql);
      if (!statement) {
        statement = file.prepare(sql);
        // The query builder ends its transactions with these two statements: signals raised in a transaction go
        // out when it commits, and never when it rolls back.
        if (sql === 'commit') statement = afterRun(statement, () => channels.committed());
        if (sql === 'rollback') statement = afterRun(statement, () => channels.rolledBack());
        if (statements.size >= 2000) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
  };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  // The hot queries' own read-only connection: the query builder's single connection is held for the whole of
  // every transaction, and a read there would wait for it (and, between its statements, see its uncommitted rows).
  const readConnection = new SQLite(filename, { readonly: true, fileMustExist: true });
  readConnection.pragma('busy_timeout = 5000');
  addFunctions(readConnection);
  // Starting and ending a read transaction takes and drops a lock on the WAL index: two system calls, about
  // two thirds of a point read's cost on a VM. The reader keeps one read snapshot for the requests handled in
  // the same turn of the event loop, and ends it when the turn does, or before this process writes anything.
  const beginSnapshot = readConnection.prepare('BEGIN');
  const endSnapshot = readConnection.prepare('COMMIT');
  let snapshotHeld = false;
  function endHeldSnapshot(): void {
    if (!snapshotHeld) return;
    snapshotHeld = false;
    endSnapshot.run();
  }
  const prepared = hotQueries(db, (hot) => {
    // Rows come back as arrays and are made objects by a function compiled for the statement's columns:
    // better-sqlite3's own row objects cost a third of a lookup (each column name is made anew on each row).
    const statement = readConnection.prepare(hot.sql).raw(true);
    return { statement, bind: hot.bind, toRow: rowBuilder(statement.columns().map((c) => c.name)) };
  });
  const reader: Reader = {
    first: async (hot, ...args) => {
      const p = prepared(hot as HotQuery<unknown, string[]>, args);
      if (!snapshotHeld) {
        beginSnapshot.run();
        snapshotHeld = true;
        setImmediate(endHeldSnapshot);
      }
      const values = p.statement.get(p.bind(args)) as unknown[] | undefined;
      return (values && p.toRow(values)) as never;
    },
  };
  return {
    db,
    engine: 'sqlite',
    reader,
    notify: async (ex, channel) => channels.signal(channel, ex.isTransaction),
    listen: async (channel, onSignal) => channels.listen(channel, onSignal),
    close: async () => {
      endHeldSnapshot();
      await checkpointer.stop();
      readConnection.close();
      await db.destroy();
    },
  };
}

/** The statement, with `then` called each time it has run. */
function afterRun(statement: SQLite.Statement, then: () => void): SQLite.Statement {
  return new Proxy(statement, {
    get(target, prop) {
      if (prop === 'run') {
        return (...args: unknown[]) => {
          const result = target.run(...args);
          then();
          return result;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A function that makes an array of column values an object keyed by the column names (the last of a repeated
 *  name wins, as in better-sqlite3's own rows). The names are the statement's own columns, quoted as JSON. */
function rowBuilder(names: string[]): (values: unknown[]) => Record<string, unknown> {
  const fields = names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ');
  return new Function('values', `return { ${fields} };`) as (values: unknown[]) => Record<string, unknown>;
}

function addFunctions(connection: SQLite.Database): void {
  // SQLite's lower() folds ASCII only; this one folds every script, as PostgreSQL's does.
  connection.function('unicode_lower', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : s) as string | null);
}

/**
 * Brings the schema to the latest migration. On PostgreSQL several nodes starting at once serialize on the
 * migrator's advisory lock. SQLite has no such lock across processes (a server and the CLI starting together):
 * there the database write lock serializes the migration transactions, and the loser, which finds the tables
 * already made, rolls back and tries again to see that nothing is left to do.
 */
export async function migrateToLatest(db: Db, migrations: Record<string, Migration>, attempts = 10): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (!error && !failed) return;
  if (attempts > 1) {
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 80)); // let the other process finish its step
    return migrateToLatest(db, migrations, attempts - 1);
  }
  throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
}

/** Reverts every migration (used by the migration test to prove each `down` works). */
export async function migrateToZero(db: Db, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateDown();
  if (error) throw error;
  const remaining = await migrator.getMigrations();
  if (remaining.some((m) => m.executedAt)) await migrateToZero(db, migrations);
}

/**
 * The unique index a constraint violation broke, on either engine: PostgreSQL names the index, SQLite the columns
 * ("UNIQUE constraint failed: users.account_id, users.email_norm"). Undefined when it is no unique violation.
 */
export function violatedUnique(e: unknown): { index: string | undefined; columns: string[] } | undefined {
  const err = e as { code?: string; constraint?: string; message?: string };
  if (err?.code === '23505') return { index: err.constraint, columns: [] };
  if (err?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && err?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
  const list = /constraint failed: (.*)$/.exec(err.message ?? '')?.[1] ?? '';
  return { index: undefined, columns: list.split(',').map((c) => c.trim().split('.').pop()!) };
}

/** True when the error is a unique-constraint violation on either engine. */
export const isUniqueViolation = (e: unknown): boolean => violatedUnique(e) !== undefined;
