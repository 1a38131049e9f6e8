// The directory's words: where a search may start in a name and an address (pure rules), and the migration that
// builds the words of the members an installation already has, run on whichever engine the suite runs on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Migrator } from 'kysely';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { AccountsService } from '../src/accounts/accounts-service.js';
import { allMigrations } from '../src/app-services.js';
import { AuditLog } from '../src/audit/audit-log.js';
import { systemClock } from '../src/platform/clock.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import type { UsersTable } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { searchDirectory } from '../src/users/directory-search.js';
import { normalizeForDirectory, wordsOf, wordsOfMember } from '../src/users/directory-words.js';
import { UsersService } from '../src/users/users-service.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

describe('words', () => {
  test('an address is cut at . _ - + @: its local part from each piece, its domain from each label', () => {
    assert.deepEqual(wordsOf('Dave.Diaz_x-y+tag@Mail.Example.COM'), [
      'dave.diaz_x-y+tag@mail.example.com',
      'diaz_x-y+tag@mail.example.com',
      'x-y+tag@mail.example.com',
      'y+tag@mail.example.com',
      'tag@mail.example.com',
      'mail.example.com',
      'example.com',
      'com',
    ]);
  });

  test('a name from each word, white space made single, every script lower-cased and composed', () => {
    assert.deepEqual(wordsOf('  Jean-Luc   O\'Brien '), ["jean-luc o'brien", "luc o'brien", "o'brien", 'brien']);
    assert.deepEqual(wordsOf('ÉLODIE Łukasiewicz'), ['élodie łukasiewicz', 'łukasiewicz']);
    // A decomposed é (e + U+0301) is one letter: no word starts at its mark, and it is stored composed.
    assert.deepEqual(wordsOf('Rene\u0301e Zoe\u0308'), ['renée zoë', 'zoë']);
    assert.equal(normalizeForDirectory('Rene\u0301E'), 'renée');
  });

  test('the whole text is always a start, even when it begins with punctuation; digits start words', () => {
    assert.deepEqual(wordsOf('(Bob) 2nd'), ['(bob) 2nd', 'bob) 2nd', '2nd']);
    assert.deepEqual(wordsOf('100% Sure'), ['100% sure', 'sure']);
    assert.deepEqual(wordsOf(null), []);
    assert.deepEqual(wordsOf('   '), []);
  });

  test('a member has each word once, from the address and the name', () => {
    assert.deepEqual(wordsOfMember({ email: 'com@x.com', displayName: 'Com' }), ['com@x.com', 'x.com', 'com']);
  });
});

/** A fresh database of the engine under test, for one describe block. */
function freshDatabase(): { opened: () => OpenedDatabase } {
  let database: TestDatabase;
  let dataDir: string;
  let opened: OpenedDatabase;
  before(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-words-'));
    opened = openDatabase({ databaseUrl: database.databaseUrl, dataDir });
  });
  after(async () => {
    await opened.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { opened: () => opened };
}

describe('search', () => {
  const fresh = freshDatabase();

  test('members matching by many words each are listed once, and the search reads the index on until it has 20', async () => {
    const opened = fresh.opened();
    await migrateToLatest(opened.db, allMigrations());
    const audit = new AuditLog({ db: opened.db, clock: systemClock });
    const accounts = new AccountsService({ db: opened.db, clock: systemClock, audit });
    const users = new UsersService({ db: opened.db, reader: opened.reader, clock: systemClock, audit, accounts });
    const account = await accounts.createAccount({ type: 'system', id: 'test' }, 'Echoes');
    // Each member's rows lie together in the index (four words starting "echo07": three of the name, one of the
    // address), so the first read of 60 rows holds 15 members and the search must read on.
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      const n = `echo${String(i).padStart(2, '0')}`;
      expected.push(`${n}@example.com`);
      await users.createUser({ type: 'system', id: 'test' }, account.id, { email: `${n}@example.com`, username: `${n} ${n} ${n}` });
    }
    const found = await users.searchDirectory(account.id, 'echo');
    assert.deepEqual(found.map((e) => e.email), expected.slice(0, 20));
    assert.deepEqual((await users.searchDirectory(account.id, 'echo', 5)).map((e) => e.email), expected.slice(0, 5));
    assert.deepEqual((await users.searchDirectory(account.id, 'echo29')).map((e) => e.email), [expected[29]]);
  });

  test('the words follow the member: none for invitees, added on registering, gone on removal and suspension, back on unsuspension', async () => {
    const opened = fresh.opened();
    await migrateToLatest(opened.db, allMigrations());
    const actor = { type: 'system' as const, id: 'test' };
    const audit = new AuditLog({ db: opened.db, clock: systemClock });
    const accounts = new AccountsService({ db: opened.db, clock: systemClock, audit });
    const users = new UsersService({ db: opened.db, reader: opened.reader, clock: systemClock, audit, accounts });
    const account = await accounts.createAccount(actor, 'Upkeep');
    const wordsOfUser = async (userId: string) =>
      (await opened.db.selectFrom('directory_words').select(['account_id', 'word']).where('user_id', '=', userId).execute()).map((r) => {
        assert.equal(r.account_id, account.id);
        return r.word;
      }).sort();
    const now = new Date().toISOString();
    const invitee = { ...users.blankMember(account.id, 'Ivy.Ives@example.com', now), id: uuidv7(), invitationStatus: 'Pending' as const, invitedOn: now };
    await opened.db.transaction().execute((trx) => users.addInvitees(trx, [invitee]));
    assert.deepEqual(await wordsOfUser(invitee.id), [], 'an invitation writes no words');
    const registered = await opened.db.transaction().execute(async (trx) => users.registerInvitee(trx, { user: invitee, account: await accounts.getAccount(account.id, trx), identityId: uuidv7(), displayName: 'Ivy Ives' }));
    assert.deepEqual(registered, []);
    assert.deepEqual(await wordsOfUser(invitee.id), ['com', 'example.com', 'ives', 'ives@example.com', 'ivy ives', 'ivy.ives@example.com']);

    const created = await users.createUser(actor, account.id, { email: 'cy@example.com', username: 'Cy Cole' });
    assert.deepEqual(await wordsOfUser(created.id), ['cole', 'com', 'cy cole', 'cy@example.com', 'example.com']);
    // Team: suspension removes the member.
    await users.batchSuspendUsers(actor, account.id, [created.id]);
    assert.deepEqual(await wordsOfUser(created.id), []);
    // Enterprise LWA: suspended and back.
    await accountsRepository.update(opened.db, account.id, { type: 'EnterpriseLWA' }, now);
    await users.batchSuspendUsers(actor, account.id, [invitee.id]);
    assert.deepEqual(await wordsOfUser(invitee.id), []);
    await users.batchUnsuspendUsers(actor, account.id, [invitee.id]);
    assert.equal((await wordsOfUser(invitee.id)).length, 6);
    // Other changes leave the words alone (and cost no statement on them).
    await users.updateUser(actor, account.id, invitee.id, { userType: 'SharedDevice' });
    assert.equal((await wordsOfUser(invitee.id)).length, 6);
  });
});

describe('migration 011 builds the words of existing members', () => {
  const fresh = freshDatabase();

  test('registered live members are found by any word; invitees, suspended and removed members are not; down drops the table', async () => {
    const opened = fresh.opened();
    const all = allMigrations();
    assert.ok(all['011-directory-words'], 'migration 011 is registered');
    const before011 = Object.fromEntries(Object.entries(all).filter(([name]) => name < '011'));
    await migrateToLatest(opened.db, before011);
    const accounts = new AccountsService({ db: opened.db, clock: systemClock, audit: new AuditLog({ db: opened.db, clock: systemClock }) });
    const account = await accounts.createAccount({ type: 'system', id: 'test' }, 'Before words');
    const other = await accounts.createAccount({ type: 'system', id: 'test' }, 'Other');
    const now = new Date().toISOString();
    // Rows as an installation from before this migration holds them (more than one of its batches).
    const member = (accountId: string, email: string, displayName: string | null, status = 'Registered', removedAt: string | null = null): UsersTable => ({
      id: uuidv7(), account_id: accountId, email, email_norm: email.toLowerCase(), display_name: displayName, user_type: 'PrivateUser', license: 'Pro',
      registration_status: status, invitation_status: null, invited_on: null, registered_on: now, personal_pin: null, alexa_enabled: null, alexa_room_arn: null,
      telephony_inbound: 1, telephony_outbound: 1, telephony_sms: 1, pro_trial_ends_at: null, sessions_revoked_at: null, created_at: now, updated_at: now,
      removed_at: removedAt, identity_id: null, license_chosen_at: null,
    });
    const rows = [
      member(account.id, 'dave.diaz@example.com', 'Dave Diaz'),
      member(account.id, 'ivy.diaz@example.com', 'Ivy Diaz', 'Unregistered'),
      member(account.id, 'sue.diaz@example.com', 'Sue Diaz', 'Suspended'),
      member(account.id, 'rae.diaz@example.com', 'Rae Diaz', 'Registered', now),
      member(other.id, 'ola.diaz@example.com', 'Ola Diaz'),
      ...Array.from({ length: 5200 }, (_, i) => member(account.id, `filler${i}@example.com`, `Filler ${i}`)),
    ];
    for (let i = 0; i < rows.length; i += 500) await opened.db.insertInto('users').values(rows.slice(i, i + 500)).execute();

    await migrateToLatest(opened.db, allMigrations());
    const emails = async (accountId: string, q: string) => (await searchDirectory(opened.db, accountId, q)).map((e) => e.email);
    assert.deepEqual(await emails(account.id, 'diaz'), ['dave.diaz@example.com']);
    assert.deepEqual(await emails(other.id, 'diaz'), ['ola.diaz@example.com']);
    assert.deepEqual(await emails(account.id, 'filler 5199'), ['filler5199@example.com'], 'the last batch too');
    assert.equal((await emails(account.id, 'example')).length, 20);

    const migrator = new Migrator({ db: opened.db, provider: { getMigrations: async () => allMigrations() } });
    const { error } = await migrator.migrateTo('010-one-account-per-person');
    assert.equal(error, undefined);
    assert.ok(!(await opened.db.introspection.getTables()).some((t) => t.name === 'directory_words'));
    await migrateToLatest(opened.db, allMigrations());
    assert.deepEqual(await emails(account.id, 'diaz'), ['dave.diaz@example.com'], 'built again');
  });
});
