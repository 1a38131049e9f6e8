// The reader of hot queries: arguments bound by position whatever order the builder emits them in, rows shaped as
// the query builder shapes them, and only committed data, without waiting for a transaction held elsewhere.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import { allMigrations } from '../src/app-services.js';
import type { HotQuery } from '../src/platform/db/reader.js';
import type { AccountsTable } from '../src/platform/db/schema.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let database: TestDatabase;
let dataDir: string;
let opened: OpenedDatabase;

const account = (id: string, name: string, type = 'Team'): AccountsTable => ({
  id,
  name,
  name_norm: name.toLowerCase(),
  type,
  status: 'Active',
  default_license: 'Pro',
  disable_remote_control: 0,
  enable_dial_out: 1,
  created_at: '2026-11-28T10:00:00.000Z',
  updated_at: '2026-11-28T10:00:00.000Z',
  deleted_at: null,
});

// Arguments in the opposite order to the builder's parameters, and a constant among them.
const byNameAndId: HotQuery<AccountsTable, [id: string, name: string]> = {
  name: 'test_accounts_by_name_and_id',
  query: (ex, id, name) => ex.selectFrom('accounts').selectAll().where('name', '=', name).where('type', '=', 'Team').where('id', '=', id),
};

before(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-reader-'));
  opened = openDatabase({ databaseUrl: database.databaseUrl, dataDir });
  await migrateToLatest(opened.db, allMigrations());
  await opened.db.insertInto('accounts').values([account('a-1', 'Acme'), account('a-2', 'Globex'), account('a-3', 'Initech', 'EnterpriseLWA')]).execute();
});

after(async () => {
  await opened.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('arguments are bound by position whatever order the builder emits them in; constants stay', async () => {
  assert.equal((await opened.reader.first(byNameAndId, 'a-2', 'Globex'))?.name, 'Globex');
  assert.equal(await opened.reader.first(byNameAndId, 'a-2', 'Acme'), undefined);
  assert.equal(await opened.reader.first(byNameAndId, 'a-3', 'Initech'), undefined, 'the constant type = Team still applies');
  // Many calls alternate between the same prepared statement's bindings.
  const names = await Promise.all(['a-1', 'a-2', 'a-1'].map((id, i) => opened.reader.first(byNameAndId, id, ['Acme', 'Globex', 'Acme'][i]!)));
  assert.deepEqual(names.map((r) => r?.id), ['a-1', 'a-2', 'a-1']);
});

test('rows have the shape and values the query builder gives', async () => {
  const viaBuilder = await byNameAndId.query(opened.db, 'a-1', 'Acme').executeTakeFirst();
  const viaReader = await opened.reader.first(byNameAndId, 'a-1', 'Acme');
  assert.deepEqual(viaReader, viaBuilder);
  assert.deepEqual(Object.keys(viaReader!), Object.keys(viaBuilder!));
});

test('a query that leaves an argument unused is refused when first prepared', async () => {
  const careless: HotQuery<AccountsTable, [id: string, name: string]> = {
    name: 'test_accounts_careless',
    query: (ex, id) => ex.selectFrom('accounts').selectAll().where('id', '=', id),
  };
  await assert.rejects(opened.reader.first(careless, 'a-1', 'Acme'), /does not use its argument 1/);
});

test('the reader sees only committed rows, and does not wait for a transaction held by another request', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let inserted!: () => void;
  const insertedYet = new Promise<void>((r) => (inserted = r));
  const transaction = opened.db.transaction().execute(async (trx) => {
    await trx.insertInto('accounts').values(account('a-9', 'Umbrella')).execute();
    await trx.updateTable('accounts').set({ name: 'Acme Renamed' }).where('id', '=', 'a-1').execute();
    inserted();
    await held;
  });
  await insertedYet;
  // While the transaction is open: neither its insert nor its update is visible, and the reads return at once.
  assert.equal(await opened.reader.first(byNameAndId, 'a-9', 'Umbrella'), undefined);
  assert.equal((await opened.reader.first(byNameAndId, 'a-1', 'Acme'))?.name, 'Acme');
  release();
  await transaction;
  assert.equal((await opened.reader.first(byNameAndId, 'a-9', 'Umbrella'))?.name, 'Umbrella');
  assert.equal(await opened.reader.first(byNameAndId, 'a-1', 'Acme'), undefined);
  assert.equal((await opened.reader.first(byNameAndId, 'a-1', 'Acme Renamed'))?.id, 'a-1');
});

test('a read after this process writes sees the write at once; on SQLite, a write by another process is seen from the next turn of the event loop', async () => {
  assert.equal((await opened.reader.first(byNameAndId, 'a-2', 'Globex'))?.name, 'Globex');
  // This process's write, awaited in the same turn as the read before it and the read after it: the read after sees it.
  await opened.db.updateTable('accounts').set({ name: 'Globex Two' }).where('id', '=', 'a-2').execute();
  assert.equal((await opened.reader.first(byNameAndId, 'a-2', 'Globex Two'))?.id, 'a-2');
  if (opened.engine === 'sqlite') {
    // Another process's write (the CLI's, here a connection of the test's own), made while the snapshot is held:
    // the reads of the following turns see it.
    const other = new SQLite(path.join(dataDir, 'carillon.db'));
    other.prepare(`UPDATE accounts SET name = 'Globex Three' WHERE id = 'a-2'`).run();
    other.close();
    await new Promise((r) => setImmediate(r));
    assert.equal((await opened.reader.first(byNameAndId, 'a-2', 'Globex Three'))?.id, 'a-2');
  }
  await opened.db.updateTable('accounts').set({ name: 'Globex' }).where('id', '=', 'a-2').execute();
  assert.equal((await opened.reader.first(byNameAndId, 'a-2', 'Globex'))?.id, 'a-2');
});
