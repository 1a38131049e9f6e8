// Account operations of the Chime API, driven through the official SDK (@aws-sdk/client-chime) against a live
// server: create, get, list (filters, bounds, pagination), update, delete and restore, account settings,
// sign-in delegate groups and the installation-wide settings. Every change must leave an audit record that
// carries the request id the SDK saw.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AssociateSigninDelegateGroupsWithAccountCommand,
  BadRequestException,
  BatchSuspendUserCommand,
  CreateAccountCommand,
  CreateUserCommand,
  DeleteAccountCommand,
  DisassociateSigninDelegateGroupsFromAccountCommand,
  GetAccountCommand,
  GetAccountSettingsCommand,
  GetGlobalSettingsCommand,
  InviteUsersCommand,
  ListAccountsCommand,
  ListUsersCommand,
  NotFoundException,
  UnprocessableEntityException,
  UpdateAccountCommand,
  UpdateAccountSettingsCommand,
  UpdateGlobalSettingsCommand,
  paginateListAccounts,
  type Account,
  type ChimeClient,
  type License,
} from '@aws-sdk/client-chime';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { auditRepository, type AuditEvent } from '../src/audit/audit-repository.js';
import { DAY_MS, ManualClock } from '../src/platform/clock.js';
import { AppError } from '../src/platform/errors.js';
import { rejectsWith } from './support/chime-errors.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const operator = { type: 'cli' as const, id: 'api-accounts-test' };

/** A name fragment no other test uses, so ListAccounts filters see only this test's accounts. */
const tag = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

async function createAccount(name: string, client: ChimeClient = server.client): Promise<Account & { AccountId: string }> {
  const out = await client.send(new CreateAccountCommand({ Name: name }));
  assert.ok(out.Account?.AccountId);
  return out.Account as Account & { AccountId: string };
}

async function getAccount(accountId: string): Promise<Account> {
  const out = await server.client.send(new GetAccountCommand({ AccountId: accountId }));
  assert.ok(out.Account);
  return out.Account;
}

async function listAccountIds(input: { Name?: string; UserEmail?: string }): Promise<string[]> {
  const out = await server.client.send(new ListAccountsCommand({ ...input, MaxResults: 200 }));
  assert.equal(out.NextToken, undefined, 'the test expects a single page');
  return (out.Accounts ?? []).map((a) => a.AccountId!);
}

async function auditEvents(accountId: string | undefined, action?: string): Promise<AuditEvent[]> {
  return auditRepository.list(server.services.db, { accountId, action, limit: 100 });
}

/** Asserts that a change wrote an audit record with this action and the request id the SDK saw. */
async function assertAudited(accountId: string | undefined, action: string, requestId: string | undefined, resourceId?: string): Promise<AuditEvent> {
  assert.ok(requestId, 'the SDK saw a request id');
  const events = (await auditEvents(accountId, action)).filter((e) => e.requestId === requestId);
  assert.equal(events.length, 1, `one ${action} audit record with request id ${requestId}`);
  const event = events[0]!;
  if (accountId !== undefined) assert.equal(event.accountId, accountId);
  if (resourceId !== undefined) assert.equal(event.resourceId, resourceId);
  assert.equal(event.actorType, 'access_key');
  assert.equal(event.actorId, server.admin.accessKeyId);
  return event;
}

/** Asserts that a refused request changed nothing the audit log would record. */
async function assertNotAudited(accountId: string, requestId: string | undefined): Promise<void> {
  assert.ok(requestId);
  const events = (await auditEvents(accountId)).filter((e) => e.requestId === requestId);
  assert.deepEqual(events, []);
}

describe('CreateAccount', () => {
  test('creates an Active Team account with the Pro default license, a 12-digit owner id and a creation time', async () => {
    const startedAt = Date.now();
    const out = await server.client.send(new CreateAccountCommand({ Name: 'Acme Widgets' }));
    const finishedAt = Date.now();
    const a = out.Account!;
    assert.equal(out.$metadata.httpStatusCode, 201);
    assert.ok(a.AccountId && a.AccountId.length > 0);
    assert.equal(a.Name, 'Acme Widgets');
    assert.equal(a.AccountType, 'Team');
    assert.equal(a.DefaultLicense, 'Pro');
    assert.equal(a.AccountStatus, 'Active');
    assert.match(a.AwsAccountId ?? '', /^\d{12}$/);
    assert.ok(a.CreatedTimestamp instanceof Date);
    assert.ok(a.CreatedTimestamp.getTime() >= startedAt - 1000 && a.CreatedTimestamp.getTime() <= finishedAt + 1000);
    assert.ok(a.SupportedLicenses?.includes('Pro') && a.SupportedLicenses.includes('Basic'));
    assert.deepEqual(a.SigninDelegateGroups ?? [], []);

    const other = await createAccount('Acme Widgets');
    assert.notEqual(other.AccountId, a.AccountId, 'every account gets its own id, even with the same name');
    assert.equal(other.AwsAccountId, a.AwsAccountId, 'all accounts of the installation share one owner id');

    const event = await assertAudited(a.AccountId, 'CreateAccount', out.$metadata.requestId, a.AccountId);
    assert.equal(event.resourceType, 'account');
  });

  test('refuses names that are empty, blank or longer than 100 characters, and accepts 100', async () => {
    const prefix = tag('len');
    for (const Name of ['', '   ', prefix + 'x'.repeat(101 - prefix.length)]) {
      await rejectsWith(server.client.send(new CreateAccountCommand({ Name })), BadRequestException, 'BadRequest', 400);
    }
    const longest = prefix + 'y'.repeat(100 - prefix.length);
    const a = await createAccount(longest);
    assert.equal(a.Name, longest);
    assert.deepEqual(await listAccountIds({ Name: prefix }), [a.AccountId], 'the refused names created nothing');
  });
});

describe('GetAccount', () => {
  test('returns the account as CreateAccount did', async () => {
    const created = await createAccount(tag('Get'));
    const got = await getAccount(created.AccountId);
    assert.deepEqual(got, created);
  });

  test('an unknown account id is a NotFoundException', async () => {
    await rejectsWith(server.client.send(new GetAccountCommand({ AccountId: '0190f0f0-0000-7000-8000-000000000000' })), NotFoundException, 'NotFound', 404);
    await rejectsWith(server.client.send(new GetAccountCommand({ AccountId: 'no-such-account' })), NotFoundException, 'NotFound', 404);
  });
});

describe('ListAccounts', () => {
  test('the Name filter is a case-insensitive prefix', async () => {
    const t = tag('zeta');
    const a = await createAccount(`${t.toUpperCase()} Alpha`);
    const b = await createAccount(`${t} beta`);
    const c = await createAccount(`${t[0]!.toUpperCase()}${t.slice(1)}gamma`);
    await createAccount(`x ${t}`); // contains the prefix, but not at the start
    await createAccount(`${t.slice(0, -1)}`); // shorter than the prefix

    const expected = [a.AccountId, b.AccountId, c.AccountId].sort();
    assert.deepEqual((await listAccountIds({ Name: t })).sort(), expected);
    assert.deepEqual((await listAccountIds({ Name: t.toUpperCase() })).sort(), expected);
    assert.deepEqual(await listAccountIds({ Name: `${t} B` }), [b.AccountId]);
    assert.deepEqual(await listAccountIds({ Name: `${t}-nothing` }), []);
  });

  test('LIKE wildcards and the escape character in the Name filter match literally', async () => {
    const t = tag('wild');
    const percent = await createAccount(`${t}100%`);
    await createAccount(`${t}1000`);
    await createAccount(`${t}100x`);
    const underscore = await createAccount(`${t}a_b`);
    await createAccount(`${t}axb`);
    const backslash = await createAccount(`${t}c\\d`);
    await createAccount(`${t}cd`);

    assert.deepEqual(await listAccountIds({ Name: `${t}100%` }), [percent.AccountId]);
    assert.deepEqual(await listAccountIds({ Name: `${t}a_` }), [underscore.AccountId]);
    assert.deepEqual(await listAccountIds({ Name: `${t}c\\` }), [backslash.AccountId]);
    assert.deepEqual(await listAccountIds({ Name: `${t}%` }), [], 'a lone % matches only a literal %');
    assert.equal((await listAccountIds({ Name: t })).length, 7);
  });

  test('the UserEmail filter returns the account the user belongs to, case-insensitively', async () => {
    const t = tag('owner');
    const email = `${t}@example.com`;
    const home = await createAccount(`${t} home`);
    const elsewhere = await createAccount(`${t} elsewhere`);
    const created = await server.client.send(new CreateUserCommand({ AccountId: home.AccountId, Email: email }));
    await server.client.send(new CreateUserCommand({ AccountId: elsewhere.AccountId, Email: `other-${email}` }));

    assert.deepEqual(await listAccountIds({ UserEmail: email }), [home.AccountId]);
    assert.deepEqual(await listAccountIds({ UserEmail: email.toUpperCase() }), [home.AccountId]);
    assert.deepEqual(await listAccountIds({ UserEmail: `nobody-${email}` }), []);
    assert.deepEqual(await listAccountIds({ UserEmail: email, Name: `${t} else` }), [], 'the filters combine');

    // The user leaves the first account (Team suspend removes) and joins another: the filter follows them.
    const moved = await server.client.send(new BatchSuspendUserCommand({ AccountId: home.AccountId, UserIdList: [created.User!.UserId!] }));
    assert.deepEqual(moved.UserErrors ?? [], []);
    const next = await createAccount(`${t} next`);
    await server.client.send(new CreateUserCommand({ AccountId: next.AccountId, Email: email }));
    assert.deepEqual(await listAccountIds({ UserEmail: email }), [next.AccountId]);
  });

  test('MaxResults must be between 1 and 200', async () => {
    const t = tag('bounds');
    const a = await createAccount(`${t} a`);
    const b = await createAccount(`${t} b`);
    for (const MaxResults of [0, -1, 201, 1000]) {
      await rejectsWith(server.client.send(new ListAccountsCommand({ MaxResults })), BadRequestException, 'BadRequest', 400);
    }
    const one = await server.client.send(new ListAccountsCommand({ Name: t, MaxResults: 1 }));
    assert.deepEqual(one.Accounts?.map((x) => x.AccountId), [a.AccountId]);
    assert.ok(one.NextToken, 'a second page follows');
    const rest = await server.client.send(new ListAccountsCommand({ Name: t, MaxResults: 1, NextToken: one.NextToken }));
    assert.deepEqual(rest.Accounts?.map((x) => x.AccountId), [b.AccountId]);
    assert.equal(rest.NextToken, undefined);
    const max = await server.client.send(new ListAccountsCommand({ Name: t, MaxResults: 200 }));
    assert.equal(max.Accounts?.length, 2);
  });

  test('without MaxResults a page holds 100 accounts', async () => {
    const t = tag('bulk');
    // Seeded through the service for speed; the listing itself goes through the SDK.
    for (let i = 0; i < 101; i++) await server.services.accounts.createAccount(operator, `${t}-${String(i).padStart(3, '0')}`);
    const first = await server.client.send(new ListAccountsCommand({ Name: t }));
    assert.equal(first.Accounts?.length, 100);
    assert.ok(first.NextToken);
    const second = await server.client.send(new ListAccountsCommand({ Name: t, NextToken: first.NextToken }));
    assert.equal(second.Accounts?.length, 1);
    assert.equal(second.NextToken, undefined);
    const names = [...first.Accounts!, ...second.Accounts!].map((a) => a.Name);
    assert.equal(new Set(names).size, 101);
  });

  test('the paginator walks every account exactly once, in a stable order', async () => {
    const t = tag('pages');
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createAccount(`${t} ${i}`)).AccountId);

    const walk = async () => {
      const pages: string[][] = [];
      const tokens: Array<string | undefined> = [];
      for await (const page of paginateListAccounts({ client: server.client, pageSize: 2 }, { Name: t })) {
        pages.push((page.Accounts ?? []).map((a) => a.AccountId!));
        tokens.push(page.NextToken);
      }
      return { pages, tokens };
    };
    const { pages, tokens } = await walk();
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 2, 1],
    );
    assert.equal(tokens.at(-1), undefined, 'the last page has no NextToken');
    assert.ok(tokens.slice(0, -1).every((x) => typeof x === 'string' && x.length > 0));
    const seen = pages.flat();
    assert.equal(new Set(seen).size, 7, 'no account appears twice');
    assert.deepEqual([...seen].sort(), [...created].sort(), 'every account appears');

    const single = await listAccountIds({ Name: t });
    assert.deepEqual(seen, single, 'paging yields the same order as one big page');
    assert.deepEqual((await walk()).pages, pages, 'a second walk yields the same pages');
  });

  test('a NextToken that the server did not issue is a BadRequestException', async () => {
    for (const NextToken of ['garbage', Buffer.from('v1.not-an-id').toString('base64url')]) {
      await rejectsWith(server.client.send(new ListAccountsCommand({ NextToken })), BadRequestException, 'BadRequest', 400);
    }
  });
});

describe('UpdateAccount', () => {
  test('renames the account and changes its default license', async () => {
    const oldName = tag('before');
    const newName = tag('after');
    const a = await createAccount(oldName);

    const renamed = await server.client.send(new UpdateAccountCommand({ AccountId: a.AccountId, Name: newName }));
    assert.equal(renamed.Account?.Name, newName);
    assert.equal(renamed.Account?.DefaultLicense, 'Pro', 'a rename leaves the license alone');
    assert.equal((await getAccount(a.AccountId)).Name, newName);
    assert.deepEqual(await listAccountIds({ Name: newName }), [a.AccountId]);
    assert.deepEqual(await listAccountIds({ Name: oldName }), []);
    await assertAudited(a.AccountId, 'UpdateAccount', renamed.$metadata.requestId, a.AccountId);

    const relicensed = await server.client.send(new UpdateAccountCommand({ AccountId: a.AccountId, DefaultLicense: 'Basic' }));
    assert.equal(relicensed.Account?.DefaultLicense, 'Basic');
    assert.equal(relicensed.Account?.Name, newName, 'a license change leaves the name alone');
    const got = await getAccount(a.AccountId);
    assert.equal(got.DefaultLicense, 'Basic');
    assert.deepEqual(got.CreatedTimestamp, a.CreatedTimestamp);
    await assertAudited(a.AccountId, 'UpdateAccount', relicensed.$metadata.requestId, a.AccountId);

    // The new default applies to people added afterwards.
    const invited = await server.client.send(new InviteUsersCommand({ AccountId: a.AccountId, UserEmailList: [`${tag('inv')}@example.com`] }));
    assert.equal(invited.Invites?.length, 1);
    const users = await server.client.send(new ListUsersCommand({ AccountId: a.AccountId }));
    assert.deepEqual(users.Users?.map((u) => u.LicenseType), ['Basic']);
  });

  test('refuses the legacy licenses Plus and ProTrial, unknown licenses and invalid names', async () => {
    const name = tag('strict');
    const a = await createAccount(name);
    for (const DefaultLicense of ['Plus', 'ProTrial', 'Gold'] as License[]) {
      const err = await rejectsWith(
        server.client.send(new UpdateAccountCommand({ AccountId: a.AccountId, DefaultLicense })),
        BadRequestException,
        'BadRequest',
        400,
      );
      await assertNotAudited(a.AccountId, err.$metadata.requestId);
    }
    for (const Name of ['', '  ', 'n'.repeat(101)]) {
      await rejectsWith(server.client.send(new UpdateAccountCommand({ AccountId: a.AccountId, Name })), BadRequestException, 'BadRequest', 400);
    }
    const got = await getAccount(a.AccountId);
    assert.equal(got.DefaultLicense, 'Pro');
    assert.equal(got.Name, name);
  });

  test('an unknown account is a NotFoundException', async () => {
    await rejectsWith(server.client.send(new UpdateAccountCommand({ AccountId: 'no-such-account', Name: 'x' })), NotFoundException, 'NotFound', 404);
  });
});

describe('DeleteAccount', () => {
  test('a Team account with a registered user cannot be deleted until the user is removed', async () => {
    const t = tag('doomed');
    const a = await createAccount(t);
    const email = `${t}@example.com`;
    const user = (await server.client.send(new CreateUserCommand({ AccountId: a.AccountId, Email: email }))).User!;

    const refused = await rejectsWith(
      server.client.send(new DeleteAccountCommand({ AccountId: a.AccountId })),
      UnprocessableEntityException,
      'Unprocessable',
      422,
    );
    await assertNotAudited(a.AccountId, refused.$metadata.requestId);
    assert.equal((await getAccount(a.AccountId)).Name, t, 'the refused delete changed nothing');

    const removed = await server.client.send(new BatchSuspendUserCommand({ AccountId: a.AccountId, UserIdList: [user.UserId!] }));
    assert.deepEqual(removed.UserErrors ?? [], []);

    const deleted = await server.client.send(new DeleteAccountCommand({ AccountId: a.AccountId }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await assertAudited(a.AccountId, 'DeleteAccount', deleted.$metadata.requestId, a.AccountId);

    await rejectsWith(server.client.send(new GetAccountCommand({ AccountId: a.AccountId })), NotFoundException, 'NotFound', 404);
    assert.deepEqual(await listAccountIds({ Name: t }), []);
    await rejectsWith(server.client.send(new UpdateAccountCommand({ AccountId: a.AccountId, Name: 'back' })), NotFoundException, 'NotFound', 404);
    await rejectsWith(server.client.send(new ListUsersCommand({ AccountId: a.AccountId })), NotFoundException, 'NotFound', 404);
    await rejectsWith(server.client.send(new DeleteAccountCommand({ AccountId: a.AccountId })), NotFoundException, 'NotFound', 404);
  });

  test('a deleted account drops out of the UserEmail filter', async () => {
    const t = tag('gone');
    const a = await createAccount(t);
    const email = `${t}@example.com`;
    // An invitee who never registered does not hold the account open.
    await server.client.send(new InviteUsersCommand({ AccountId: a.AccountId, UserEmailList: [email] }));
    assert.deepEqual(await listAccountIds({ UserEmail: email }), [a.AccountId]);
    await server.client.send(new DeleteAccountCommand({ AccountId: a.AccountId }));
    assert.deepEqual(await listAccountIds({ UserEmail: email }), []);
  });

  test('an Enterprise account is refused with UnprocessableEntityException', async () => {
    const a = await createAccount(tag('enterprise'));
    // Stands in for the domain-claim capability (claiming a domain turns a Team account into EnterpriseLWA), not built yet.
    await accountsRepository.update(server.services.db, a.AccountId, { type: 'EnterpriseLWA' }, new Date().toISOString());
    await rejectsWith(server.client.send(new DeleteAccountCommand({ AccountId: a.AccountId })), UnprocessableEntityException, 'Unprocessable', 422);
    assert.equal((await getAccount(a.AccountId)).AccountType, 'EnterpriseLWA');
  });

  test('the operator can restore a deleted account, with its members, within the restore window', async () => {
    const t = tag('phoenix');
    const a = await createAccount(t);
    const email = `${t}@example.com`;
    await server.client.send(new InviteUsersCommand({ AccountId: a.AccountId, UserEmailList: [email] }));
    await server.client.send(new DeleteAccountCommand({ AccountId: a.AccountId }));
    await rejectsWith(server.client.send(new GetAccountCommand({ AccountId: a.AccountId })), NotFoundException, 'NotFound', 404);

    const restored = await server.services.accounts.restoreAccount(operator, a.AccountId);
    assert.equal(restored.id, a.AccountId);
    assert.equal(restored.deletedAt, null);

    const got = await getAccount(a.AccountId);
    assert.equal(got.Name, t);
    assert.deepEqual(got.CreatedTimestamp, a.CreatedTimestamp);
    assert.deepEqual(await listAccountIds({ Name: t }), [a.AccountId]);
    assert.deepEqual(await listAccountIds({ UserEmail: email }), [a.AccountId]);
    const users = await server.client.send(new ListUsersCommand({ AccountId: a.AccountId }));
    assert.deepEqual(users.Users?.map((u) => u.PrimaryEmail), [email]);

    const events = await auditEvents(a.AccountId, 'RestoreAccount');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.actorId, operator.id);

    await assert.rejects(server.services.accounts.restoreAccount(operator, a.AccountId), (e: unknown) => e instanceof AppError && e.code === 'account.not_deleted');
    await assert.rejects(server.services.accounts.restoreAccount(operator, 'no-such-account'), (e: unknown) => e instanceof AppError && e.code === 'account.not_found');
  });
});

describe('account settings', () => {
  test('GetAccountSettings and UpdateAccountSettings round-trip each setting separately', async () => {
    const a = await createAccount(tag('settings'));
    const b = await createAccount(tag('settings-other'));
    const get = async (id: string) => (await server.client.send(new GetAccountSettingsCommand({ AccountId: id }))).AccountSettings;
    assert.deepEqual(await get(a.AccountId), { DisableRemoteControl: false, EnableDialOut: true });

    const first = await server.client.send(new UpdateAccountSettingsCommand({ AccountId: a.AccountId, AccountSettings: { DisableRemoteControl: true } }));
    assert.equal(first.$metadata.httpStatusCode, 204);
    assert.deepEqual(await get(a.AccountId), { DisableRemoteControl: true, EnableDialOut: true }, 'an absent setting keeps its value');
    await assertAudited(a.AccountId, 'UpdateAccountSettings', first.$metadata.requestId, a.AccountId);

    const second = await server.client.send(new UpdateAccountSettingsCommand({ AccountId: a.AccountId, AccountSettings: { EnableDialOut: false } }));
    assert.deepEqual(await get(a.AccountId), { DisableRemoteControl: true, EnableDialOut: false });
    await assertAudited(a.AccountId, 'UpdateAccountSettings', second.$metadata.requestId, a.AccountId);

    await server.client.send(new UpdateAccountSettingsCommand({ AccountId: a.AccountId, AccountSettings: { DisableRemoteControl: false, EnableDialOut: true } }));
    assert.deepEqual(await get(a.AccountId), { DisableRemoteControl: false, EnableDialOut: true });
    assert.deepEqual(await get(b.AccountId), { DisableRemoteControl: false, EnableDialOut: true }, 'other accounts are untouched');
  });

  test('settings of an unknown account are a NotFoundException', async () => {
    await rejectsWith(server.client.send(new GetAccountSettingsCommand({ AccountId: 'no-such-account' })), NotFoundException, 'NotFound', 404);
    await rejectsWith(
      server.client.send(new UpdateAccountSettingsCommand({ AccountId: 'no-such-account', AccountSettings: { EnableDialOut: false } })),
      NotFoundException,
      'NotFound',
      404,
    );
  });
});

describe('sign-in delegate groups', () => {
  const groupsOf = async (id: string) => ((await getAccount(id)).SigninDelegateGroups ?? []).map((g) => g.GroupName!).sort();

  /** Delegate groups are groups of a directory: stands in for the directory capability, which makes an account
   *  EnterpriseDirectory when it connects one. */
  const withDirectory = async (id: string) => accountsRepository.update(server.services.db, id, { type: 'EnterpriseDirectory' }, new Date().toISOString());

  test('associate and disassociate show in GetAccount and are idempotent', async () => {
    const a = await createAccount(tag('delegates'));
    const b = await createAccount(tag('delegates-other'));
    await withDirectory(a.AccountId);
    await withDirectory(b.AccountId);

    const assoc = await server.client.send(
      new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: a.AccountId, SigninDelegateGroups: [{ GroupName: 'AV-owners' }, { GroupName: 'IT' }] }),
    );
    assert.equal(assoc.$metadata.httpStatusCode, 200);
    assert.deepEqual(await groupsOf(a.AccountId), ['AV-owners', 'IT']);
    await assertAudited(a.AccountId, 'AssociateSigninDelegateGroupsWithAccount', assoc.$metadata.requestId, a.AccountId);

    // Associating again, or naming a group twice, adds nothing twice.
    await server.client.send(new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: a.AccountId, SigninDelegateGroups: [{ GroupName: 'IT' }] }));
    await server.client.send(
      new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: a.AccountId, SigninDelegateGroups: [{ GroupName: 'Lobby' }, { GroupName: 'Lobby' }] }),
    );
    assert.deepEqual(await groupsOf(a.AccountId), ['AV-owners', 'IT', 'Lobby']);
    assert.deepEqual(await groupsOf(b.AccountId), [], 'other accounts are untouched');

    const dis = await server.client.send(new DisassociateSigninDelegateGroupsFromAccountCommand({ AccountId: a.AccountId, GroupNames: ['IT'] }));
    assert.equal(dis.$metadata.httpStatusCode, 200);
    assert.deepEqual(await groupsOf(a.AccountId), ['AV-owners', 'Lobby']);
    await assertAudited(a.AccountId, 'DisassociateSigninDelegateGroupsFromAccount', dis.$metadata.requestId, a.AccountId);

    // Disassociating a group that is not there is not an error.
    await server.client.send(new DisassociateSigninDelegateGroupsFromAccountCommand({ AccountId: a.AccountId, GroupNames: ['IT', 'never-added'] }));
    assert.deepEqual(await groupsOf(a.AccountId), ['AV-owners', 'Lobby']);
  });

  test('empty lists, blank group names and unknown accounts are refused', async () => {
    const a = await createAccount(tag('delegates-bad'));
    await withDirectory(a.AccountId);
    await rejectsWith(
      server.client.send(new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: a.AccountId, SigninDelegateGroups: [] })),
      BadRequestException,
      'BadRequest',
      400,
    );
    await rejectsWith(
      server.client.send(new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: a.AccountId, SigninDelegateGroups: [{ GroupName: '  ' }] })),
      BadRequestException,
      'BadRequest',
      400,
    );
    await rejectsWith(
      server.client.send(new DisassociateSigninDelegateGroupsFromAccountCommand({ AccountId: a.AccountId, GroupNames: [] })),
      BadRequestException,
      'BadRequest',
      400,
    );
    assert.deepEqual(await groupsOf(a.AccountId), []);
    await rejectsWith(
      server.client.send(new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: 'no-such-account', SigninDelegateGroups: [{ GroupName: 'g' }] })),
      NotFoundException,
      'NotFound',
      404,
    );
    await rejectsWith(
      server.client.send(new DisassociateSigninDelegateGroupsFromAccountCommand({ AccountId: 'no-such-account', GroupNames: ['g'] })),
      NotFoundException,
      'NotFound',
      404,
    );
  });
});

describe('global settings', () => {
  test('UpdateGlobalSettings merges each section and GetGlobalSettings reads it back', async () => {
    const initial = await server.client.send(new GetGlobalSettingsCommand({}));
    assert.equal(initial.BusinessCalling?.CdrBucket, undefined);
    assert.equal(initial.VoiceConnector?.CdrBucket, undefined);

    const first = await server.client.send(new UpdateGlobalSettingsCommand({ BusinessCalling: { CdrBucket: 'cdr-business' } }));
    assert.equal(first.$metadata.httpStatusCode, 204);
    let got = await server.client.send(new GetGlobalSettingsCommand({}));
    assert.equal(got.BusinessCalling?.CdrBucket, 'cdr-business');
    assert.equal(got.VoiceConnector?.CdrBucket, undefined);

    const second = await server.client.send(new UpdateGlobalSettingsCommand({ VoiceConnector: { CdrBucket: 'cdr-voice' } }));
    got = await server.client.send(new GetGlobalSettingsCommand({}));
    assert.equal(got.BusinessCalling?.CdrBucket, 'cdr-business', 'a section left out keeps its value');
    assert.equal(got.VoiceConnector?.CdrBucket, 'cdr-voice');

    await server.client.send(new UpdateGlobalSettingsCommand({ BusinessCalling: { CdrBucket: 'cdr-business-2' }, VoiceConnector: { CdrBucket: 'cdr-voice-2' } }));
    got = await server.client.send(new GetGlobalSettingsCommand({}));
    assert.deepEqual([got.BusinessCalling?.CdrBucket, got.VoiceConnector?.CdrBucket], ['cdr-business-2', 'cdr-voice-2']);

    // Global settings belong to no account: their audit records are found by action.
    for (const out of [first, second]) {
      const event = await assertAudited(undefined, 'UpdateGlobalSettings', out.$metadata.requestId, 'global');
      assert.equal(event.accountId, null);
    }
  });

  test('an over-long bucket name is a BadRequestException and changes nothing', async () => {
    const before = await server.client.send(new GetGlobalSettingsCommand({}));
    await rejectsWith(
      server.client.send(new UpdateGlobalSettingsCommand({ BusinessCalling: { CdrBucket: 'b'.repeat(256) } })),
      BadRequestException,
      'BadRequest',
      400,
    );
    const after = await server.client.send(new GetGlobalSettingsCommand({}));
    assert.equal(after.BusinessCalling?.CdrBucket, before.BusinessCalling?.CdrBucket);
  });
});

// Kept last: this server's clock jumps months ahead, and ids minted meanwhile carry that future time.
describe('restore window (ManualClock)', () => {
  let clock: ManualClock;
  let timed: TestServer;
  before(async () => {
    clock = new ManualClock(new Date());
    timed = await startTestServer({ clock });
  });
  after(() => timed.stop());

  test('a deleted account is restorable just inside 90 days and not after', async () => {
    const inside = await createAccount(tag('inside'), timed.client);
    const outside = await createAccount(tag('outside'), timed.client);
    const deletedAt = clock.now().getTime();
    await timed.client.send(new DeleteAccountCommand({ AccountId: inside.AccountId }));
    await timed.client.send(new DeleteAccountCommand({ AccountId: outside.AccountId }));

    // The API is signed with the real time, so the clock moves only for the operator's (unsigned) restore calls.
    clock.set(new Date(deletedAt + 90 * DAY_MS - 60_000));
    const restored = await timed.services.accounts.restoreAccount(operator, inside.AccountId);
    assert.equal(restored.deletedAt, null);

    clock.set(new Date(deletedAt + 90 * DAY_MS + 60_000));
    await assert.rejects(
      timed.services.accounts.restoreAccount(operator, outside.AccountId),
      (e: unknown) => e instanceof AppError && e.code === 'account.restore_expired',
    );

    clock.set(new Date());
    const got = await timed.client.send(new GetAccountCommand({ AccountId: inside.AccountId }));
    assert.equal(got.Account?.Name, inside.Name);
    await rejectsWith(timed.client.send(new GetAccountCommand({ AccountId: outside.AccountId })), NotFoundException, 'NotFound', 404);
    const restoredIds = (await auditRepository.list(timed.services.db, { action: 'RestoreAccount', limit: 10 })).map((e) => e.resourceId);
    assert.deepEqual(restoredIds, [inside.AccountId], 'the refused restore left no record');
  });
});
