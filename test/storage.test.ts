// Storage contract, run on whichever engine the suite runs on (SQLite and PostgreSQL): migrations up and
// down, concurrent start-up, constraint translation, keyset order, and all-or-nothing transactions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { AccountsService } from '../src/accounts/accounts-service.js';
import { AuditLog, type AuditEntry } from '../src/audit/audit-log.js';
import { systemClock } from '../src/platform/clock.js';
import { migrateToLatest, migrateToZero, openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import { allMigrations } from '../src/app-services.js';
import type { Executor } from '../src/platform/db/schema.js';
import { AppError } from '../src/platform/errors.js';
import { uuidv7 } from '../src/platform/ids.js';
import type { Actor } from '../src/platform/types.js';
import { UsersService } from '../src/users/users-service.js';
import { createTestDatabase, testEngine, type TestDatabase } from './support/database.js';

const actor: Actor = { type: 'system', id: 'storage-test' };
let database: TestDatabase;
let dataDir: string;
let opened: OpenedDatabase;

async function tableNames(db: OpenedDatabase): Promise<string[]> {
  const tables = await db.db.introspection.getTables();
  return tables.map((t) => t.name).filter((n) => !n.startsWith('kysely_')).sort();
}

before(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-storage-'));
  opened = openDatabase({ databaseUrl: database.databaseUrl, dataDir });
});

after(async () => {
  await opened.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('migrations run up, down to nothing, and up again', async () => {
  await migrateToLatest(opened.db, allMigrations());
  const latest = await tableNames(opened);
  for (const t of ['access_keys', 'accounts', 'audit_events', 'identities', 'invitations', 'outbox', 'sessions', 'settings', 'signin_delegate_groups', 'users']) {
    assert.ok(latest.includes(t), `missing table ${t}`);
  }
  await migrateToZero(opened.db, allMigrations());
  assert.deepEqual(await tableNames(opened), []);
  await migrateToLatest(opened.db, allMigrations());
  assert.deepEqual(await tableNames(opened), latest);
});

test('several nodes starting at once migrate once and all come up', async () => {
  const fresh = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-storage-'));
  const nodes = [0, 1, 2].map(() => openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: dir }));
  try {
    await Promise.all(nodes.map((n) => migrateToLatest(n.db, allMigrations())));
    const executed = await sql<{ n: number | string }>`select count(*) as n from kysely_migration`.execute(nodes[0]!.db);
    assert.equal(Number(executed.rows[0]!.n), Object.keys(allMigrations()).length);
  } finally {
    for (const n of nodes) await n.close();
    await fresh.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a duplicate member email racing in two requests becomes user.email_taken, never a raw constraint error', async () => {
  const audit = new AuditLog({ db: opened.db, clock: systemClock });
  const accounts = new AccountsService({ db: opened.db, clock: systemClock, audit });
  const users = new UsersService({ db: opened.db, reader: opened.reader, clock: systemClock, audit, accounts });
  const account = await accounts.createAccount(actor, 'Race');
  const results = await Promise.allSettled([0, 1, 2, 3].map(() => users.createUser(actor, account.id, { email: 'Same@Example.com' })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) {
    if (r.status === 'rejected') {
      assert.ok(r.reason instanceof AppError, `unexpected ${String(r.reason)}`);
      assert.equal(r.reason.code, 'user.email_taken');
    }
  }
});

test('a failure after the change inside a request rolls the whole change back', async () => {
  // An audit log that fails stands in for a crash between the change and its commit.
  class FailingAudit extends AuditLog {
    override async record(ex: Executor, a: Actor, entry: AuditEntry): Promise<void> {
      await super.record(ex, a, entry);
      throw new Error('simulated crash');
    }
  }
  const accounts = new AccountsService({ db: opened.db, clock: systemClock, audit: new FailingAudit({ db: opened.db, clock: systemClock }) });
  const before = await opened.db.selectFrom('accounts').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  const auditBefore = await opened.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  await assert.rejects(accounts.createAccount(actor, 'Never'), /simulated crash/);
  const afterCount = await opened.db.selectFrom('accounts').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  const auditAfter = await opened.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(afterCount.n), Number(before.n));
  assert.equal(Number(auditAfter.n), Number(auditBefore.n));
});

test('keyset pages follow creation order and rows added meanwhile never shift a page', async () => {
  const audit = new AuditLog({ db: opened.db, clock: systemClock });
  const accounts = new AccountsService({ db: opened.db, clock: systemClock, audit });
  const users = new UsersService({ db: opened.db, reader: opened.reader, clock: systemClock, audit, accounts });
  const account = await accounts.createAccount(actor, 'Pages');
  const created: string[] = [];
  for (let i = 0; i < 9; i++) created.push((await users.createUser(actor, account.id, { email: `u${i}@example.com` })).id);
  const seen: string[] = [];
  let afterId: string | undefined;
  let pages = 0;
  do {
    const page = await users.listUsers({ accountId: account.id, afterId, limit: 4 });
    seen.push(...page.items.map((u) => u.id));
    afterId = page.lastId;
    pages++;
    if (pages === 1) created.push((await users.createUser(actor, account.id, { email: 'late@example.com' })).id);
  } while (afterId);
  assert.deepEqual(seen, created);
  assert.equal(pages, 3);
});

test(`the engine under test is the one requested (${testEngine})`, async () => {
  assert.equal(opened.engine, testEngine);
});

test('ids keep creation order through a standing clock, a backwards clock step and a used-up sequence', () => {
  const ids: string[] = [];
  const t = Date.now();
  for (let i = 0; i < 6000; i++) ids.push(uuidv7(t));
  for (let i = 0; i < 100; i++) ids.push(uuidv7(t - 10_000));
  ids.push(uuidv7(t + 5));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});
