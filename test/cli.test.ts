// The `carillon` command, run as a real subprocess against the same data as a running server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ChimeClient,
  CreateAccountCommand,
  DeleteAccountCommand,
  ForbiddenException,
  GetAccountCommand,
  InviteUsersCommand,
  ListAccountsCommand,
  NotFoundException,
  UpdateAccountCommand,
} from '@aws-sdk/client-chime';
import type { Database } from '../src/platform/db/schema.js';
import { testEngine } from './support/database.js';
import { runCarillon } from './support/cli.js';
import { startTestServer, type Credentials, type TestServer } from './support/server.js';


let dataDir: string;
let server: TestServer;
let admin: Credentials;
let adminClient: ChimeClient;
const clients: ChimeClient[] = [];
/** Every secret the CLI printed in this file: none may ever show up in a listing or in storage. */
const printedSecrets: string[] = [];

const carillon = (...args: string[]) => runCarillon(server.env, ...args);

type CreatedKey = { AccessKeyId: string; SecretAccessKey: string; Name: string; Role: string; AccountId?: string; CreatedAt: string };

async function createKeyWithCli(...args: string[]): Promise<CreatedKey> {
  const run = await carillon('keys', 'create', ...args);
  assert.equal(run.code, 0, `keys create failed: ${run.stderr}`);
  const key = JSON.parse(run.stdout) as CreatedKey;
  printedSecrets.push(key.SecretAccessKey);
  return key;
}

function clientFor(creds: Credentials): ChimeClient {
  const c = new ChimeClient({ endpoint: server.url, region: 'eu-central-1', credentials: creds, maxAttempts: 1 });
  clients.push(c);
  return c;
}

const credsOf = (k: CreatedKey): Credentials => ({ accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });

async function createAccount(name: string): Promise<string> {
  const { Account } = await adminClient.send(new CreateAccountCommand({ Name: name }));
  return Account!.AccountId!;
}

const SCAN = `
const fs = require('node:fs');
const path = require('node:path');
const [dir, ...secrets] = process.argv.slice(1);
const files = fs.readdirSync(dir);
const hits = [];
for (const f of files) {
  const bytes = fs.readFileSync(path.join(dir, f));
  secrets.forEach((s, i) => { if (bytes.indexOf(Buffer.from(s, 'utf8')) !== -1) hits.push(f + ': secret #' + i); });
}
process.stdout.write(JSON.stringify({ files, hits }));
`;

/** Searches every file of `dir` for the given strings, from a child process. */
function scanFilesForSecrets(dir: string, secrets: string[]): Promise<{ files: string[]; hits: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', SCAN, dir, ...secrets], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as { files: string[]; hits: string[] })));
  });
}

/** Rows of `keys list`: header skipped, columns separated by runs of two or more spaces. */
function keyRows(stdout: string): Map<string, string[]> {
  const lines = stdout.trim().split('\n').slice(1);
  return new Map(lines.map((l) => l.trim().split(/\s{2,}/)).map((cols) => [cols[0]!, cols]));
}

before(async () => {
  server = await startTestServer();
  dataDir = server.dataDir;
  admin = server.admin;
  adminClient = clientFor(admin);
});

after(async () => {
  for (const c of clients) c.destroy();
  await server?.stop();
});

describe('keys', () => {
  test('keys create prints a full key that the server accepts', async () => {
    const key = await createKeyWithCli('--name', 'ci');
    assert.match(key.AccessKeyId, /^[A-Z0-9]{20}$/);
    assert.equal(key.SecretAccessKey.length, 40);
    assert.match(key.SecretAccessKey, /^[A-Za-z0-9+/]{40}$/);
    assert.equal(key.Name, 'ci');
    assert.equal(key.Role, 'full');
    assert.equal(key.AccountId, undefined);
    assert.ok(!Number.isNaN(Date.parse(key.CreatedAt)));

    const client = clientFor(credsOf(key));
    const { Account } = await client.send(new CreateAccountCommand({ Name: 'Made by CI' }));
    const got = await client.send(new GetAccountCommand({ AccountId: Account!.AccountId }));
    assert.equal(got.Account?.Name, 'Made by CI');

    // The server checks the signature against this key's secret, not just the key id.
    const tampered = key.SecretAccessKey.slice(0, -1) + (key.SecretAccessKey.endsWith('A') ? 'B' : 'A');
    await assert.rejects(clientFor({ accessKeyId: key.AccessKeyId, secretAccessKey: tampered }).send(new ListAccountsCommand({})), (e: Error) => {
      assert.equal(e.name, 'InvalidSignatureException');
      return true;
    });
  });

  test('a read-only key can read but is refused CreateAccount', async () => {
    const key = await createKeyWithCli('--name', 'auditor', '--role', 'read-only');
    assert.equal(key.Role, 'read-only');
    const client = clientFor(credsOf(key));
    const accountId = await createAccount('Visible To Auditor');
    const got = await client.send(new GetAccountCommand({ AccountId: accountId }));
    assert.equal(got.Account?.AccountId, accountId);
    await assert.rejects(client.send(new CreateAccountCommand({ Name: 'Not Allowed' })), ForbiddenException);
    await assert.rejects(client.send(new UpdateAccountCommand({ AccountId: accountId, Name: 'Renamed By Auditor' })), ForbiddenException);
    const after = await adminClient.send(new GetAccountCommand({ AccountId: accountId }));
    assert.equal(after.Account?.Name, 'Visible To Auditor');
  });

  test('--account scopes a key to one account', async () => {
    const mine = await createAccount('Scoped Home');
    const other = await createAccount('Scoped Elsewhere');
    const key = await createKeyWithCli('--name', 'scoped', '--account', mine);
    assert.equal(key.AccountId, mine);
    const client = clientFor(credsOf(key));

    assert.equal((await client.send(new GetAccountCommand({ AccountId: mine }))).Account?.Name, 'Scoped Home');
    await assert.rejects(client.send(new GetAccountCommand({ AccountId: other })), ForbiddenException);
    await assert.rejects(client.send(new UpdateAccountCommand({ AccountId: other, Name: 'Hijacked' })), ForbiddenException);
    await assert.rejects(client.send(new CreateAccountCommand({ Name: 'Scoped Key Account' })), ForbiddenException);
    const listed = await client.send(new ListAccountsCommand({}));
    assert.deepEqual(listed.Accounts?.map((a) => a.AccountId), [mine]);
    assert.equal((await adminClient.send(new GetAccountCommand({ AccountId: other }))).Account?.Name, 'Scoped Elsewhere');

    // A key cannot be scoped to an account that does not exist.
    const missing = await carillon('keys', 'create', '--name', 'nowhere', '--account', '0190a8c2-0000-7000-8000-000000000000');
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
  });

  test('command-line mistakes exit with code 2 and create nothing', async () => {
    const mistakes: Record<string, string[]> = {
      'unknown role': ['keys', 'create', '--name', 'bad-role-key', '--role', 'superuser'],
      'missing --name': ['keys', 'create', '--role', 'full'],
      'name too long': ['keys', 'create', '--name', 'x'.repeat(101)],
      'unknown command': ['keys', 'frobnicate'],
      'bad --since': ['audit', '--since', 'not-a-date'],
      'bad --status': ['mail', 'list', '--status', 'bounced'],
      'unknown option': ['keys', 'create', '--name', 'unknown-flag-key', '--colour', 'blue'],
      'option without its value': ['keys', 'create', '--name'],
    };
    const runs = await Promise.all(Object.values(mistakes).map((args) => carillon(...args)));
    const codes = Object.fromEntries(Object.keys(mistakes).map((label, i) => [label, runs[i]!.code]));
    assert.deepEqual(codes, Object.fromEntries(Object.keys(mistakes).map((label) => [label, 2])));
    for (const run of runs) {
      assert.equal(run.stdout.includes('SecretAccessKey'), false);
      assert.ok(run.stderr.length > 0, 'a usage error explains itself on stderr');
    }
    const list = await carillon('keys', 'list');
    assert.equal(list.code, 0);
    assert.equal(list.stdout.includes('bad-role-key'), false);
    assert.equal(list.stdout.includes('unknown-flag-key'), false);
  });

  test('keys list shows every key with its role and scope, never a secret', async () => {
    const scopeAccount = await createAccount('Listed Scope');
    const key = await createKeyWithCli('--name', 'lister', '--role', 'user-management', '--account', scopeAccount);
    const run = await carillon('keys', 'list');
    assert.equal(run.code, 0);
    const rows = keyRows(run.stdout);
    const row = rows.get(key.AccessKeyId);
    assert.ok(row, 'the new key is listed');
    assert.equal(row[1], 'lister');
    assert.equal(row[2], 'user-management');
    assert.equal(row[3], scopeAccount);
    assert.ok(rows.has(admin.accessKeyId), 'keys made by other means are listed too');
    for (const secret of [...printedSecrets, admin.secretAccessKey]) {
      assert.equal(run.stdout.includes(secret), false, 'a secret appears in keys list');
      assert.equal(run.stderr.includes(secret), false);
    }
  });

  test('keys revoke stops a key from working', async () => {
    // A key revoked before its first use is refused at once.
    const unused = await createKeyWithCli('--name', 'never-used');
    const revokeUnused = await carillon('keys', 'revoke', unused.AccessKeyId);
    assert.equal(revokeUnused.code, 0);
    await assert.rejects(clientFor(credsOf(unused)).send(new ListAccountsCommand({})), (e: Error) => {
      assert.equal(e.name, 'UnrecognizedClientException');
      return true;
    });

    // A key in use (so cached by the server, for up to 5 s) stops working within about a second of its revocation
    // by the CLI, another process: the server watches for revocations.
    const key = await createKeyWithCli('--name', 'temporary');
    const client = clientFor(credsOf(key));
    await client.send(new ListAccountsCommand({}));
    const revoke = await carillon('keys', 'revoke', key.AccessKeyId);
    assert.equal(revoke.code, 0);
    const deadline = Date.now() + 3_500;
    let refusal: Error | undefined;
    while (!refusal) {
      try {
        await client.send(new ListAccountsCommand({}));
      } catch (e) {
        refusal = e as Error;
        break;
      }
      assert.ok(Date.now() < deadline, 'the revoked key still works 3.5 s after the CLI revoked it');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(refusal.name, 'UnrecognizedClientException');

    const list = await carillon('keys', 'list');
    const rows = keyRows(list.stdout);
    for (const id of [unused.AccessKeyId, key.AccessKeyId]) {
      const revokedAt = rows.get(id)?.[5];
      assert.ok(revokedAt && !Number.isNaN(Date.parse(revokedAt)), `${id} shows when it was revoked`);
    }
    assert.equal(rows.get(admin.accessKeyId)?.[5], undefined, 'other keys are not revoked');
    // The admin key still works.
    await adminClient.send(new ListAccountsCommand({}));

    const [again, unknown] = await Promise.all([carillon('keys', 'revoke', key.AccessKeyId), carillon('keys', 'revoke', 'CKIAAAAAAAAAAAAAAAAA')]);
    assert.equal(again.code, 1, 'a key cannot be revoked twice');
    assert.equal(unknown.code, 1, 'an unknown key cannot be revoked');
  });

  test('secrets are not stored in plain text anywhere in the database', async () => {
    const key = await createKeyWithCli('--name', 'vault');
    // Use it once so that every code path that touches the secret has run.
    await clientFor(credsOf(key)).send(new ListAccountsCommand({}));
    const secrets = [...printedSecrets, admin.secretAccessKey];

    const row = await server.services.db.selectFrom('access_keys').selectAll().where('id', '=', key.AccessKeyId).executeTakeFirst();
    assert.ok(row, 'the key is stored');
    assert.notEqual(row.secret_ciphertext, key.SecretAccessKey);

    const tables: Array<keyof Database> = ['settings', 'accounts', 'signin_delegate_groups', 'users', 'invitations', 'outbox', 'access_keys', 'audit_events'];
    for (const table of tables) {
      const dump = JSON.stringify(await server.services.db.selectFrom(table).selectAll().execute());
      for (const secret of secrets) assert.equal(dump.includes(secret), false, `a secret in plain text in table ${table}`);
    }
    if (testEngine === 'sqlite') {
      // The bytes are read in a separate process: opening and closing the database file in this process would
      // drop the POSIX locks of the server's SQLite connection (the classic SQLite pitfall).
      const found = await scanFilesForSecrets(dataDir, secrets);
      assert.ok(found.files.includes('carillon.db'));
      assert.deepEqual(found.hits, [], 'a secret in plain text in the data directory');
    }
  });
});

test('mail list shows invitations queued while no SMTP is configured', async () => {
  const accountId = await createAccount('Mailroom Ltd');
  await adminClient.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['queued@example.com'] }));
  const stored = await server.services.db.selectFrom('outbox').selectAll().where('recipient', '=', 'queued@example.com').executeTakeFirstOrThrow();

  const [run, json, sent] = await Promise.all([
    carillon('mail', 'list'),
    carillon('mail', 'list', '--to', 'queued@example.com', '--json'),
    carillon('mail', 'list', '--status', 'sent'),
  ]);
  assert.equal(run.code, 0);
  assert.ok(run.stdout.includes('queued@example.com'), 'recipient shown');
  assert.ok(run.stdout.includes(stored.subject), 'subject shown');
  assert.ok(stored.subject.includes('Mailroom Ltd'));
  assert.ok(run.stdout.includes('pending'));

  assert.equal(json.code, 0);
  const mails = JSON.parse(json.stdout) as Array<{ recipient: string; subject: string; status: string; attempts: number }>;
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.recipient, 'queued@example.com');
  assert.equal(mails[0]!.status, 'pending');
  assert.equal(mails[0]!.attempts, 0);
  assert.equal(mails[0]!.subject, stored.subject);

  assert.equal(sent.code, 0);
  assert.equal(sent.stdout.includes('queued@example.com'), false);
});

test('audit lists the API changes of an account with their request ids and source address', async () => {
  const created = await adminClient.send(new CreateAccountCommand({ Name: 'Audited Co' }));
  const accountId = created.Account!.AccountId!;
  const renamed = await adminClient.send(new UpdateAccountCommand({ AccountId: accountId, Name: 'Audited Company' }));
  const invited = await adminClient.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['ivy@example.com', 'jon@example.com'] }));
  await adminClient.send(new GetAccountCommand({ AccountId: accountId })); // a read: not audited
  const otherAccount = await createAccount('Unrelated Co');

  const [text, json, filtered] = await Promise.all([
    carillon('audit', '--account', accountId),
    carillon('audit', '--account', accountId, '--json'),
    carillon('audit', '--account', accountId, '--action', 'UpdateAccount', '--json'),
  ]);
  assert.equal(text.code, 0);
  for (const action of ['CreateAccount', 'UpdateAccount', 'InviteUser']) assert.ok(text.stdout.includes(action), `${action} listed in:\n${text.stdout}\n${text.stderr}`);
  assert.equal(text.stdout.includes('GetAccount'), false);
  assert.equal(text.stdout.includes(otherAccount), false, 'events of other accounts are not listed');

  assert.equal(json.code, 0);
  type Event = { action: string; actorType: string; actorId: string; accountId: string; requestId: string | null; sourceIp: string | null; resourceId: string };
  const events = JSON.parse(json.stdout) as Event[];
  assert.deepEqual(events.map((e) => e.action).sort(), ['CreateAccount', 'InviteUser', 'InviteUser', 'UpdateAccount']);
  for (const e of events) {
    assert.equal(e.accountId, accountId);
    assert.equal(e.actorType, 'access_key');
    assert.equal(e.actorId, admin.accessKeyId);
    assert.ok(e.sourceIp && /(^|:)127\.0\.0\.1$/.test(e.sourceIp), `source ip ${e.sourceIp}`);
  }
  const requestIdOf = (action: string) => events.filter((e) => e.action === action).map((e) => e.requestId);
  assert.deepEqual(requestIdOf('CreateAccount'), [created.$metadata.requestId]);
  assert.deepEqual(requestIdOf('UpdateAccount'), [renamed.$metadata.requestId]);
  assert.deepEqual(requestIdOf('InviteUser'), [invited.$metadata.requestId, invited.$metadata.requestId]);
  assert.ok(created.$metadata.requestId && renamed.$metadata.requestId !== created.$metadata.requestId);
  assert.deepEqual(
    events.filter((e) => e.action === 'InviteUser').map((e) => e.resourceId).sort(),
    invited.Invites!.map((i) => i.InviteId!).sort(),
  );

  assert.equal(filtered.code, 0);
  assert.deepEqual((JSON.parse(filtered.stdout) as Event[]).map((e) => e.action), ['UpdateAccount']);
});

test('accounts list-deleted and accounts restore bring a deleted account back', async () => {
  const accountId = await createAccount('Lazarus Inc');
  await adminClient.send(new DeleteAccountCommand({ AccountId: accountId }));
  await assert.rejects(adminClient.send(new GetAccountCommand({ AccountId: accountId })), NotFoundException);

  const deleted = await carillon('accounts', 'list-deleted');
  assert.equal(deleted.code, 0);
  assert.ok(deleted.stdout.includes(accountId));
  assert.ok(deleted.stdout.includes('Lazarus Inc'));

  const notDeleted = await createAccount('Alive Inc');
  const [restore, restoreLive, restoreMissing] = await Promise.all([
    carillon('accounts', 'restore', accountId),
    carillon('accounts', 'restore', notDeleted),
    carillon('accounts', 'restore', '0190a8c2-0000-7000-8000-000000000001'),
  ]);
  assert.equal(restore.code, 0, restore.stderr);
  assert.equal(restoreLive.code, 1, 'restoring a live account is refused');
  assert.equal(restoreMissing.code, 1, 'restoring an unknown account is refused');

  const got = await adminClient.send(new GetAccountCommand({ AccountId: accountId }));
  assert.equal(got.Account?.Name, 'Lazarus Inc');
  const listed = await adminClient.send(new ListAccountsCommand({ Name: 'Lazarus' }));
  assert.deepEqual(listed.Accounts?.map((a) => a.AccountId), [accountId]);

  const [after, audit] = await Promise.all([carillon('accounts', 'list-deleted'), carillon('audit', '--account', accountId, '--json')]);
  assert.equal(after.stdout.includes(accountId), false);
  const events = JSON.parse(audit.stdout) as Array<{ action: string; actorType: string }>;
  assert.deepEqual(events.map((e) => e.action), ['RestoreAccount', 'DeleteAccount', 'CreateAccount']);
  assert.equal(events[0]!.actorType, 'cli');
});
