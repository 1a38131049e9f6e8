// The AWS CLI (`aws chime ...`), unmodified, driven as a subprocess against a live server: a scripted
// administration session from account creation to deletion, paging, and errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CreateAccountCommand } from '@aws-sdk/client-chime';
import { startTestServer, type TestServer } from './support/server.js';

// Prefer the Debian package (awscli v2); fall back to whatever `aws` is on PATH.
const AWS = fs.existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

type Run = { code: number; stdout: string; stderr: string; json: any };

let server: TestServer;
let env: NodeJS.ProcessEnv;
/** Exit code of the CLI for a service error: 254 for awscli v2, 255 for v1. */
let serviceErrorExit: number;

function run(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr, json });
    });
  });
}

/** `aws chime <args>` against the test server. */
const chime = (...args: string[]) => run(AWS, ['chime', ...args, '--endpoint-url', server.url, '--output', 'json']);

async function ok(...args: string[]): Promise<any> {
  const r = await chime(...args);
  assert.equal(r.code, 0, `aws chime ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.json;
}

/** Asserts that the call fails as the CLI reports a modelled service error. */
async function fails(exception: string, ...args: string[]): Promise<Run> {
  const r = await chime(...args);
  assert.equal(r.code, serviceErrorExit, `aws chime ${args.join(' ')}: expected exit ${serviceErrorExit}, got ${r.code}: ${r.stderr}`);
  assert.ok(r.stderr.includes(`(${exception})`), `expected ${exception} on stderr, got: ${r.stderr}`);
  assert.equal(r.stdout.trim(), '');
  return r;
}

before(async () => {
  server = await startTestServer();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  env = {
    ...inherited,
    AWS_ACCESS_KEY_ID: server.admin.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.admin.secretAccessKey,
    AWS_DEFAULT_REGION: 'eu-central-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const version = await run(AWS, ['--version']);
  assert.equal(version.code, 0, `${AWS} --version failed: ${version.stderr}`);
  const banner = (version.stdout + version.stderr).trim();
  const major = /aws-cli\/(\d+)\./.exec(banner)?.[1];
  assert.ok(major === '1' || major === '2', `unexpected version banner: ${banner}`);
  serviceErrorExit = major === '2' ? 254 : 255;
  console.log(`AWS CLI: ${AWS} (${banner.split('\n')[0]})`);
});

after(() => server?.stop());

describe('an administration session through the AWS CLI', () => {
  let accountId: string;
  const userIds = new Map<string, string>();

  test('create-account', async () => {
    const out = await ok('create-account', '--name', 'CLI Orchestra');
    assert.equal(out.Account.Name, 'CLI Orchestra');
    assert.equal(out.Account.AccountType, 'Team');
    assert.equal(typeof out.Account.AccountId, 'string');
    accountId = out.Account.AccountId;
    const got = await ok('get-account', '--account-id', accountId);
    assert.equal(got.Account.AccountId, accountId);
    assert.equal(got.Account.Name, 'CLI Orchestra');
    assert.ok(!Number.isNaN(Date.parse(got.Account.CreatedTimestamp)), 'CreatedTimestamp parses');
  });

  test('list-accounts pages through every account', async () => {
    const created: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const { Account } = await server.client.send(new CreateAccountCommand({ Name: `Paged Ensemble ${i}` }));
      created.push(Account!.AccountId!);
    }
    // Watch the server's page requests.
    const accounts = server.services.accounts;
    const original = accounts.listAccounts.bind(accounts);
    const pageRequests: Array<{ limit: number; afterId: string | undefined }> = [];
    accounts.listAccounts = (f) => {
      pageRequests.push({ limit: f.limit, afterId: f.afterId });
      return original(f);
    };
    let all: any;
    try {
      all = await ok('list-accounts', '--name', 'Paged Ensemble', '--page-size', '2');
    } finally {
      accounts.listAccounts = original;
    }
    assert.deepEqual(all.Accounts.map((a: any) => a.AccountId), created, 'all five accounts, in creation order');
    assert.equal(all.NextToken, undefined);
    assert.equal(pageRequests.length, 3, 'the CLI fetched three pages of two');
    assert.ok(pageRequests.every((p) => p.limit === 2));
    assert.equal(pageRequests[0]!.afterId, undefined);
    assert.equal(pageRequests[1]!.afterId, created[1]);
    assert.equal(pageRequests[2]!.afterId, created[3]);

    // Walk them by hand with --max-items and the returned NextToken.
    const walked: string[] = [];
    let token: string | undefined;
    const sizes: number[] = [];
    for (let round = 0; round < 5; round++) {
      const out = await ok('list-accounts', '--name', 'Paged Ensemble', '--max-items', '2', ...(token ? ['--starting-token', token] : []));
      sizes.push(out.Accounts.length);
      walked.push(...out.Accounts.map((a: any) => a.AccountId));
      token = out.NextToken;
      if (!token) break;
    }
    assert.deepEqual(sizes, [2, 2, 1]);
    assert.deepEqual(walked, created);
  });

  test('invite-users and list-users', async () => {
    const emails = ['ada@example.com', 'bert@example.com', 'carla@example.com'];
    const out = await ok('invite-users', '--account-id', accountId, '--user-email-list', ...emails);
    assert.equal(out.Invites.length, 3);
    assert.deepEqual(out.Invites.map((i: any) => i.EmailAddress).sort(), emails);
    for (const i of out.Invites) {
      assert.equal(i.Status, 'Pending');
      assert.equal(i.EmailStatus, 'NotSent');
      assert.equal(typeof i.InviteId, 'string');
    }
    const listed = await ok('list-users', '--account-id', accountId);
    assert.deepEqual(listed.Users.map((u: any) => u.PrimaryEmail).sort(), emails);
    for (const u of listed.Users) {
      assert.equal(u.AccountId, accountId);
      assert.equal(u.UserInvitationStatus, 'Pending');
      assert.equal(u.UserRegistrationStatus, 'Unregistered');
      assert.equal(u.LicenseType, 'Pro');
      userIds.set(u.PrimaryEmail, u.UserId);
    }
    const one = await ok('list-users', '--account-id', accountId, '--user-email', 'bert@example.com');
    assert.deepEqual(one.Users.map((u: any) => u.UserId), [userIds.get('bert@example.com')]);
  });

  test('update-user --license-type Basic', async () => {
    const ada = userIds.get('ada@example.com')!;
    const out = await ok('update-user', '--account-id', accountId, '--user-id', ada, '--license-type', 'Basic');
    assert.equal(out.User.UserId, ada);
    assert.equal(out.User.LicenseType, 'Basic');
    const got = await ok('get-user', '--account-id', accountId, '--user-id', ada);
    assert.equal(got.User.LicenseType, 'Basic');
  });

  test('batch-update-user applies what it can and reports the rest', async () => {
    const bert = userIds.get('bert@example.com')!;
    const items = JSON.stringify([
      { UserId: bert, LicenseType: 'Basic' },
      { UserId: 'no-such-user', LicenseType: 'Basic' },
    ]);
    const out = await ok('batch-update-user', '--account-id', accountId, '--update-user-request-items', items);
    assert.equal(out.UserErrors.length, 1);
    assert.equal(out.UserErrors[0].UserId, 'no-such-user');
    assert.equal(out.UserErrors[0].ErrorCode, 'NotFound');
    const got = await ok('get-user', '--account-id', accountId, '--user-id', bert);
    assert.equal(got.User.LicenseType, 'Basic');
    const carla = await ok('get-user', '--account-id', accountId, '--user-id', userIds.get('carla@example.com')!);
    assert.equal(carla.User.LicenseType, 'Pro', 'users not named keep their license');
  });

  test('batch-suspend-user removes Team members', async () => {
    const carla = userIds.get('carla@example.com')!;
    const out = await ok('batch-suspend-user', '--account-id', accountId, '--user-id-list', carla);
    assert.deepEqual(out.UserErrors, []);
    const listed = await ok('list-users', '--account-id', accountId);
    assert.deepEqual(listed.Users.map((u: any) => u.PrimaryEmail).sort(), ['ada@example.com', 'bert@example.com']);
    await fails('NotFoundException', 'get-user', '--account-id', accountId, '--user-id', carla);
  });

  test('update-account renames the account', async () => {
    const out = await ok('update-account', '--account-id', accountId, '--name', 'CLI Philharmonic');
    assert.equal(out.Account.AccountId, accountId);
    assert.equal(out.Account.Name, 'CLI Philharmonic');
    const got = await ok('get-account', '--account-id', accountId);
    assert.equal(got.Account.Name, 'CLI Philharmonic');
  });

  test('delete-account succeeds (204) and the account is gone', async () => {
    const r = await chime('delete-account', '--account-id', accountId);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '');
    await fails('NotFoundException', 'get-account', '--account-id', accountId);
    const listed = await ok('list-accounts', '--name', 'CLI Philharmonic');
    assert.deepEqual(listed.Accounts, []);
  });
});

test('get-account on a missing id fails with NotFoundException', async () => {
  await fails('NotFoundException', 'get-account', '--account-id', '0190a8c2-0000-7000-8000-00000000abcd');
});

test('values the CLI does not check are refused by the server with BadRequestException', async () => {
  // botocore checks neither enums nor maximum lengths: the server must.
  await fails('BadRequestException', 'create-account', '--name', 'x'.repeat(101));
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Validation Hall' }));
  await fails('BadRequestException', 'invite-users', '--account-id', Account!.AccountId!, '--user-email-list', 'val@example.com', '--user-type', 'Bogus');
});
