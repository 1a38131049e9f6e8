// User operations of the Chime API, driven through the official SDK (@aws-sdk/client-chime) against a live
// server: invitations, direct creation, listing (filters, pagination), license and type changes (single and
// batch), suspension (Team removal, Enterprise LWA suspend/unsuspend), personal PINs, sign-out and per-user
// settings. Every change must leave an audit record that carries the request id the SDK saw.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  BadRequestException,
  BatchSuspendUserCommand,
  BatchUnsuspendUserCommand,
  BatchUpdateUserCommand,
  ConflictException,
  CreateAccountCommand,
  CreateUserCommand,
  GetUserCommand,
  GetUserSettingsCommand,
  InviteUsersCommand,
  ListUsersCommand,
  LogoutUserCommand,
  NotFoundException,
  ResetPersonalPINCommand,
  UpdateAccountCommand,
  UpdateUserCommand,
  UpdateUserSettingsCommand,
  paginateListUsers,
  type License,
  type User,
  type UserType,
} from '@aws-sdk/client-chime';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { auditRepository, type AuditEvent } from '../src/audit/audit-repository.js';
import { rejectsWith } from './support/chime-errors.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const unknownUserId = '0190f0f0-0000-7000-8000-000000000000';

/** A fresh address no other test uses. */
const email = (label = 'user') => `${label}-${randomBytes(4).toString('hex')}@example.com`;

const badRequest = (call: Promise<unknown>) => rejectsWith(call, BadRequestException, 'BadRequest', 400);
const notFound = (call: Promise<unknown>) => rejectsWith(call, NotFoundException, 'NotFound', 404);

async function newTeamAccount(label = 'team'): Promise<string> {
  const out = await server.client.send(new CreateAccountCommand({ Name: `${label}-${randomBytes(4).toString('hex')}` }));
  assert.equal(out.Account?.AccountType, 'Team');
  return out.Account!.AccountId!;
}

async function newEnterpriseLwaAccount(): Promise<string> {
  const accountId = await newTeamAccount('lwa');
  // Stands in for the domain-claim capability (claiming a domain turns a Team account into EnterpriseLWA), not built yet.
  await accountsRepository.update(server.services.db, accountId, { type: 'EnterpriseLWA' }, new Date().toISOString());
  return accountId;
}

async function createUser(accountId: string, input: { Email?: string; Username?: string; UserType?: UserType } = {}): Promise<User & { UserId: string }> {
  const out = await server.client.send(new CreateUserCommand({ AccountId: accountId, Email: input.Email ?? email(), Username: input.Username, UserType: input.UserType }));
  assert.ok(out.User?.UserId);
  return out.User as User & { UserId: string };
}

async function getUser(accountId: string, userId: string): Promise<User> {
  const out = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: userId }));
  assert.ok(out.User);
  return out.User;
}

async function listUsers(accountId: string, filter: { UserEmail?: string; UserType?: UserType } = {}): Promise<User[]> {
  const out = await server.client.send(new ListUsersCommand({ AccountId: accountId, ...filter, MaxResults: 200 }));
  assert.equal(out.NextToken, undefined, 'the test expects a single page');
  return out.Users ?? [];
}

const ids = (users: User[]) => users.map((u) => u.UserId!);

async function sessionsRevokedAt(userId: string): Promise<string | null> {
  const row = await server.services.db.selectFrom('users').select('sessions_revoked_at').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.sessions_revoked_at;
}

/** The audit records of one request (a batch writes one per user). */
async function auditOfRequest(accountId: string, requestId: string | undefined): Promise<AuditEvent[]> {
  assert.ok(requestId, 'the SDK saw a request id');
  return (await auditRepository.list(server.services.db, { accountId, limit: 100 })).filter((e) => e.requestId === requestId);
}

/** Asserts that the request wrote exactly these (action, resource) audit records, by the admin key. */
async function assertAudited(accountId: string, requestId: string | undefined, expected: Array<[action: string, resourceId: string]>): Promise<AuditEvent[]> {
  const events = await auditOfRequest(accountId, requestId);
  const key = (x: [string, string]) => `${x[0]} ${x[1]}`;
  assert.deepEqual(events.map((e) => key([e.action, e.resourceId])).sort(), expected.map(key).sort());
  for (const e of events) {
    assert.equal(e.accountId, accountId);
    assert.equal(e.actorType, 'access_key');
    assert.equal(e.actorId, server.admin.accessKeyId);
  }
  return events;
}

describe('InviteUsers', () => {
  test('invites each address once, case-insensitively, as Unregistered members with a Pending invitation', async () => {
    const accountId = await newTeamAccount();
    const alice = email('alice');
    const bob = email('bob');
    const startedAt = Date.now();
    const out = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [alice.toUpperCase(), alice, bob] }));
    assert.equal(out.$metadata.httpStatusCode, 201);

    const invites = out.Invites ?? [];
    assert.equal(invites.length, 2, 'A@x.com and a@x.com give one invite');
    assert.deepEqual(invites.map((i) => i.EmailAddress?.toLowerCase()).sort(), [alice, bob].sort());
    for (const invite of invites) {
      assert.ok(invite.InviteId);
      assert.equal(invite.Status, 'Pending');
      assert.equal(invite.EmailStatus, 'NotSent', 'no SMTP server is configured');
    }
    assert.notEqual(invites[0]!.InviteId, invites[1]!.InviteId);

    const users = await listUsers(accountId);
    assert.equal(users.length, 2);
    for (const u of users) {
      assert.equal(u.AccountId, accountId);
      assert.equal(u.UserRegistrationStatus, 'Unregistered');
      assert.equal(u.UserInvitationStatus, 'Pending');
      assert.equal(u.LicenseType, 'Pro', "the account's default license");
      assert.equal(u.UserType, 'PrivateUser');
      assert.ok(u.InvitedOn instanceof Date);
      assert.ok(u.InvitedOn.getTime() >= startedAt - 1000 && u.InvitedOn.getTime() <= Date.now() + 1000);
      assert.equal(u.RegisteredOn, undefined);
      assert.equal(u.PersonalPIN, undefined, 'a PIN is generated at registration');
    }
    assert.deepEqual(users.map((u) => u.PrimaryEmail?.toLowerCase()).sort(), [alice, bob].sort());

    await assertAudited(
      accountId,
      out.$metadata.requestId,
      invites.map((i) => ['InviteUser', i.InviteId!]),
    );
  });

  test("invitees get the account's current default license and the requested user type", async () => {
    const accountId = await newTeamAccount();
    await server.client.send(new UpdateAccountCommand({ AccountId: accountId, DefaultLicense: 'Basic' }));
    const address = email('device');
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [address], UserType: 'SharedDevice' }));
    const [user] = await listUsers(accountId);
    assert.equal(user?.LicenseType, 'Basic');
    assert.equal(user?.UserType, 'SharedDevice');
  });

  test('at most 50 addresses per call', async () => {
    const accountId = await newTeamAccount();
    const fifty = Array.from({ length: 50 }, (_, i) => email(`bulk${i}`));
    const ok = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: fifty }));
    assert.equal(ok.Invites?.length, 50);

    const other = await newTeamAccount();
    const fiftyOne = Array.from({ length: 51 }, (_, i) => email(`over${i}`));
    const err = await badRequest(server.client.send(new InviteUsersCommand({ AccountId: other, UserEmailList: fiftyOne })));
    assert.deepEqual(await listUsers(other), [], 'the refused call invited nobody');
    assert.deepEqual(await auditOfRequest(other, err.$metadata.requestId), []);
  });

  test('an empty list, an invalid address or an unknown user type is refused', async () => {
    const accountId = await newTeamAccount();
    await badRequest(server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [] })));
    await badRequest(server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [email(), 'not-an-address'] })));
    await badRequest(server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [email()], UserType: 'Robot' as UserType })));
    assert.deepEqual(await listUsers(accountId), []);
  });

  test('re-inviting a pending invitee sends a new invitation to the same member', async () => {
    const accountId = await newTeamAccount();
    const address = email('again');
    const first = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [address] }));
    const [before] = await listUsers(accountId);
    await new Promise((r) => setTimeout(r, 5));
    const second = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [address.toUpperCase()] }));

    const firstId = first.Invites![0]!.InviteId!;
    const secondId = second.Invites![0]!.InviteId!;
    assert.notEqual(secondId, firstId, 'a new InviteId');
    assert.equal(second.Invites![0]!.Status, 'Pending');

    const users = await listUsers(accountId);
    assert.equal(users.length, 1, 'still one member');
    assert.equal(users[0]!.UserId, before!.UserId);
    assert.equal(users[0]!.UserRegistrationStatus, 'Unregistered');
    assert.equal(users[0]!.UserInvitationStatus, 'Pending');
    assert.ok(users[0]!.InvitedOn!.getTime() > before!.InvitedOn!.getTime(), 'InvitedOn moves to the new invitation');
    await assertAudited(accountId, second.$metadata.requestId, [['InviteUser', secondId]]);
  });

  test('inviting an already registered member creates no second member', async () => {
    const accountId = await newTeamAccount();
    const member = await createUser(accountId);
    const out = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [member.PrimaryEmail!.toUpperCase()] }));
    assert.equal(out.Invites?.length, 1);
    assert.notEqual(out.Invites![0]!.Status, 'Pending');
    const users = await listUsers(accountId);
    assert.deepEqual(ids(users), [member.UserId]);
    assert.equal(users[0]!.UserRegistrationStatus, 'Registered');
  });

  test('only Team accounts take invitations', async () => {
    const accountId = await newEnterpriseLwaAccount();
    await badRequest(server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [email()] })));
    assert.deepEqual(await listUsers(accountId), []);
    await notFound(server.client.send(new InviteUsersCommand({ AccountId: 'no-such-account', UserEmailList: [email()] })));
  });
});

describe('CreateUser', () => {
  test('creates a Registered member with a 10-digit personal PIN', async () => {
    const accountId = await newTeamAccount();
    const address = email('direct');
    const startedAt = Date.now();
    const out = await server.client.send(new CreateUserCommand({ AccountId: accountId, Email: address, Username: 'Mary Major' }));
    assert.equal(out.$metadata.httpStatusCode, 201);
    const u = out.User!;
    assert.ok(u.UserId);
    assert.equal(u.AccountId, accountId);
    assert.equal(u.PrimaryEmail, address);
    assert.equal(u.DisplayName, 'Mary Major');
    assert.equal(u.UserRegistrationStatus, 'Registered');
    assert.equal(u.LicenseType, 'Pro');
    assert.equal(u.UserType, 'PrivateUser');
    assert.match(u.PersonalPIN ?? '', /^\d{10}$/);
    assert.ok(u.RegisteredOn instanceof Date);
    assert.ok(u.RegisteredOn.getTime() >= startedAt - 1000 && u.RegisteredOn.getTime() <= Date.now() + 1000);

    assert.deepEqual(await getUser(accountId, u.UserId), u);
    await assertAudited(accountId, out.$metadata.requestId, [['CreateUser', u.UserId]]);

    const device = await createUser(accountId, { UserType: 'SharedDevice' });
    assert.equal(device.UserType, 'SharedDevice');
    assert.notEqual(device.PersonalPIN, u.PersonalPIN);
  });

  test('an email already used in the account is a ConflictException, whatever its case', async () => {
    const accountId = await newTeamAccount();
    const address = email('dup');
    await createUser(accountId, { Email: address });
    const err = await rejectsWith(
      server.client.send(new CreateUserCommand({ AccountId: accountId, Email: address.toUpperCase() })),
      ConflictException,
      'Conflict',
      409,
    );
    assert.deepEqual(await auditOfRequest(accountId, err.$metadata.requestId), []);

    const invitee = email('pending');
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [invitee] }));
    await rejectsWith(server.client.send(new CreateUserCommand({ AccountId: accountId, Email: invitee })), ConflictException, 'Conflict', 409);
    assert.equal((await listUsers(accountId)).length, 2);

    // One person, one account: the address is registered here, so another account cannot create it too.
    const other = await newTeamAccount();
    await rejectsWith(server.client.send(new CreateUserCommand({ AccountId: other, Email: address })), ConflictException, 'Conflict', 409);
    assert.deepEqual(await listUsers(other), []);
  });

  test('an invalid email or user type is refused, and an unknown account is NotFound', async () => {
    const accountId = await newTeamAccount();
    await badRequest(server.client.send(new CreateUserCommand({ AccountId: accountId, Email: 'nobody' })));
    await badRequest(server.client.send(new CreateUserCommand({ AccountId: accountId, Email: email(), UserType: 'Robot' as UserType })));
    assert.deepEqual(await listUsers(accountId), []);
    await notFound(server.client.send(new CreateUserCommand({ AccountId: 'no-such-account', Email: email() })));
  });
});

describe('ListUsers and GetUser', () => {
  test('UserEmail (case-insensitive) and UserType filter the members', async () => {
    const accountId = await newTeamAccount();
    const a = await createUser(accountId, { Email: email('Filter.A') });
    const b = await createUser(accountId, { UserType: 'SharedDevice' });
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [email('invitee')], UserType: 'SharedDevice' }));
    const c = (await listUsers(accountId)).find((u) => u.UserId !== a.UserId && u.UserId !== b.UserId)!;

    assert.deepEqual(ids(await listUsers(accountId, { UserEmail: a.PrimaryEmail! })), [a.UserId]);
    assert.deepEqual(ids(await listUsers(accountId, { UserEmail: a.PrimaryEmail!.toUpperCase() })), [a.UserId]);
    assert.deepEqual(ids(await listUsers(accountId, { UserEmail: a.PrimaryEmail!.toLowerCase() })), [a.UserId]);
    assert.deepEqual(await listUsers(accountId, { UserEmail: email('absent') }), []);

    assert.deepEqual(ids(await listUsers(accountId, { UserType: 'PrivateUser' })), [a.UserId]);
    assert.deepEqual(ids(await listUsers(accountId, { UserType: 'SharedDevice' })).sort(), [b.UserId, c.UserId!].sort());
    assert.deepEqual(await listUsers(accountId, { UserEmail: a.PrimaryEmail!, UserType: 'SharedDevice' }), [], 'the filters combine');

    // Members of other accounts never show (an invitation to the same address there, say).
    const other = await newTeamAccount();
    await server.client.send(new InviteUsersCommand({ AccountId: other, UserEmailList: [a.PrimaryEmail!] }));
    assert.equal((await listUsers(accountId)).length, 3);
    assert.deepEqual(ids(await listUsers(accountId, { UserEmail: a.PrimaryEmail! })), [a.UserId]);
  });

  test('the paginator walks every member exactly once, in a stable order', async () => {
    const accountId = await newTeamAccount();
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: Array.from({ length: 4 }, (_, i) => email(`page${i}`)) }));
    for (let i = 0; i < 3; i++) await createUser(accountId);
    await createUser(await newTeamAccount()); // a member of another account

    const walk = async () => {
      const pages: string[][] = [];
      const tokens: Array<string | undefined> = [];
      for await (const page of paginateListUsers({ client: server.client, pageSize: 3 }, { AccountId: accountId })) {
        pages.push(ids(page.Users ?? []));
        tokens.push(page.NextToken);
      }
      return { pages, tokens };
    };
    const { pages, tokens } = await walk();
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 3, 1],
    );
    assert.equal(tokens.at(-1), undefined, 'the last page has no NextToken');
    const seen = pages.flat();
    assert.equal(new Set(seen).size, 7, 'no member appears twice');
    assert.deepEqual(seen, ids(await listUsers(accountId)), 'paging yields the same order as one big page');
    assert.deepEqual((await walk()).pages, pages, 'a second walk yields the same pages');
  });

  test('MaxResults outside 1..200, a forged NextToken and an unknown account are refused', async () => {
    const accountId = await newTeamAccount();
    for (const MaxResults of [0, 201]) await badRequest(server.client.send(new ListUsersCommand({ AccountId: accountId, MaxResults })));
    await badRequest(server.client.send(new ListUsersCommand({ AccountId: accountId, NextToken: 'forged' })));
    await badRequest(server.client.send(new ListUsersCommand({ AccountId: accountId, UserType: 'Robot' as UserType })));
    await notFound(server.client.send(new ListUsersCommand({ AccountId: 'no-such-account' })));
  });

  test('GetUser of an unknown user is a NotFoundException', async () => {
    const accountId = await newTeamAccount();
    await notFound(server.client.send(new GetUserCommand({ AccountId: accountId, UserId: unknownUserId })));
    await notFound(server.client.send(new GetUserCommand({ AccountId: accountId, UserId: 'not-a-user' })));
  });
});

describe('UpdateUser', () => {
  test('changes the license and the user type', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);

    const basic = await server.client.send(new UpdateUserCommand({ AccountId: accountId, UserId: u.UserId, LicenseType: 'Basic' }));
    assert.equal(basic.User?.LicenseType, 'Basic');
    assert.equal((await getUser(accountId, u.UserId)).LicenseType, 'Basic');
    await assertAudited(accountId, basic.$metadata.requestId, [['UpdateUser', u.UserId]]);

    const pro = await server.client.send(new UpdateUserCommand({ AccountId: accountId, UserId: u.UserId, LicenseType: 'Pro' }));
    assert.equal(pro.User?.LicenseType, 'Pro');
    assert.equal((await getUser(accountId, u.UserId)).LicenseType, 'Pro');

    const typed = await server.client.send(new UpdateUserCommand({ AccountId: accountId, UserId: u.UserId, UserType: 'SharedDevice' }));
    assert.equal(typed.User?.UserType, 'SharedDevice');
    assert.equal(typed.User?.LicenseType, 'Pro', 'a type change leaves the license alone');
    assert.deepEqual(ids(await listUsers(accountId, { UserType: 'SharedDevice' })), [u.UserId]);
    await assertAudited(accountId, typed.$metadata.requestId, [['UpdateUser', u.UserId]]);

    const after = await getUser(accountId, u.UserId);
    assert.equal(after.PersonalPIN, u.PersonalPIN);
    assert.equal(after.PrimaryEmail, u.PrimaryEmail);
  });

  test('Plus, ProTrial and unknown licenses are refused; an unknown user is NotFound', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    for (const LicenseType of ['Plus', 'ProTrial', 'Gold'] as License[]) {
      const err = await badRequest(server.client.send(new UpdateUserCommand({ AccountId: accountId, UserId: u.UserId, LicenseType })));
      assert.deepEqual(await auditOfRequest(accountId, err.$metadata.requestId), []);
    }
    assert.equal((await getUser(accountId, u.UserId)).LicenseType, 'Pro');
    await notFound(server.client.send(new UpdateUserCommand({ AccountId: accountId, UserId: unknownUserId, LicenseType: 'Basic' })));
  });
});

describe('BatchUpdateUser', () => {
  test('applies every update it can and reports unknown users as NotFound', async () => {
    const accountId = await newTeamAccount();
    const [a, b, c] = [await createUser(accountId), await createUser(accountId), await createUser(accountId)];
    const out = await server.client.send(
      new BatchUpdateUserCommand({
        AccountId: accountId,
        UpdateUserRequestItems: [
          { UserId: a.UserId, LicenseType: 'Basic' },
          { UserId: unknownUserId, LicenseType: 'Basic' },
          { UserId: b.UserId, LicenseType: 'Basic', UserType: 'SharedDevice' },
        ],
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.UserErrors?.length, 1);
    assert.equal(out.UserErrors![0]!.UserId, unknownUserId);
    assert.equal(out.UserErrors![0]!.ErrorCode, 'NotFound');

    assert.equal((await getUser(accountId, a.UserId)).LicenseType, 'Basic');
    const bAfter = await getUser(accountId, b.UserId);
    assert.equal(bAfter.LicenseType, 'Basic');
    assert.equal(bAfter.UserType, 'SharedDevice');
    assert.equal((await getUser(accountId, c.UserId)).LicenseType, 'Pro', 'a user not named is untouched');
    await assertAudited(accountId, out.$metadata.requestId, [
      ['BatchUpdateUser', a.UserId],
      ['BatchUpdateUser', b.UserId],
    ]);
  });

  test('at most 20 items: 20 are accepted and 21 refused', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    const fakes = (n: number) => Array.from({ length: n }, (_, i) => ({ UserId: `missing-${i}`, LicenseType: 'Basic' as const }));

    await badRequest(
      server.client.send(new BatchUpdateUserCommand({ AccountId: accountId, UpdateUserRequestItems: [{ UserId: u.UserId, LicenseType: 'Basic' }, ...fakes(20)] })),
    );
    assert.equal((await getUser(accountId, u.UserId)).LicenseType, 'Pro', 'the refused batch applied nothing');

    const ok = await server.client.send(
      new BatchUpdateUserCommand({ AccountId: accountId, UpdateUserRequestItems: [{ UserId: u.UserId, LicenseType: 'Basic' }, ...fakes(19)] }),
    );
    assert.equal(ok.UserErrors?.length, 19);
    assert.ok(ok.UserErrors!.every((e) => e.ErrorCode === 'NotFound'));
    assert.equal((await getUser(accountId, u.UserId)).LicenseType, 'Basic');
  });

  test('naming the same user twice, an empty list or a legacy license is refused', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    await badRequest(
      server.client.send(
        new BatchUpdateUserCommand({
          AccountId: accountId,
          UpdateUserRequestItems: [
            { UserId: u.UserId, LicenseType: 'Basic' },
            { UserId: u.UserId, UserType: 'SharedDevice' },
          ],
        }),
      ),
    );
    await badRequest(server.client.send(new BatchUpdateUserCommand({ AccountId: accountId, UpdateUserRequestItems: [] })));
    await badRequest(server.client.send(new BatchUpdateUserCommand({ AccountId: accountId, UpdateUserRequestItems: [{ UserId: u.UserId, LicenseType: 'Plus' }] })));
    const after = await getUser(accountId, u.UserId);
    assert.equal(after.LicenseType, 'Pro');
    assert.equal(after.UserType, 'PrivateUser');
  });
});

describe('BatchSuspendUser on a Team account', () => {
  test('removes the users from the account; they can be invited again', async () => {
    const accountId = await newTeamAccount();
    const registered = await createUser(accountId);
    const inviteeEmail = email('invitee');
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [inviteeEmail] }));
    const invitee = (await listUsers(accountId, { UserEmail: inviteeEmail }))[0]!;
    const stays = await createUser(accountId);

    const out = await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [registered.UserId, invitee.UserId!] }));
    assert.deepEqual(out.UserErrors ?? [], []);
    await assertAudited(accountId, out.$metadata.requestId, [
      ['RemoveUser', registered.UserId],
      ['RemoveUser', invitee.UserId!],
    ]);

    await notFound(server.client.send(new GetUserCommand({ AccountId: accountId, UserId: registered.UserId })));
    await notFound(server.client.send(new GetUserCommand({ AccountId: accountId, UserId: invitee.UserId! })));
    assert.deepEqual(ids(await listUsers(accountId)), [stays.UserId]);
    assert.deepEqual(await listUsers(accountId, { UserEmail: registered.PrimaryEmail! }), []);
    assert.ok(await sessionsRevokedAt(registered.UserId), 'a removed user is signed out');
    assert.equal(await sessionsRevokedAt(stays.UserId), null);
    await notFound(server.client.send(new UpdateUserCommand({ AccountId: accountId, UserId: registered.UserId, LicenseType: 'Basic' })));

    // Re-inviting undoes the removal: a fresh, pending membership.
    const again = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [registered.PrimaryEmail!] }));
    assert.equal(again.Invites?.[0]?.Status, 'Pending');
    const back = await listUsers(accountId, { UserEmail: registered.PrimaryEmail! });
    assert.equal(back.length, 1);
    assert.equal(back[0]!.UserRegistrationStatus, 'Unregistered');
    assert.equal(back[0]!.UserInvitationStatus, 'Pending');
    assert.equal((await listUsers(accountId)).length, 2);
  });

  test('unknown ids are reported as NotFound while the others are removed; more than 50 ids are refused', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    const out = await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [unknownUserId, u.UserId] }));
    assert.deepEqual(
      (out.UserErrors ?? []).map((e) => [e.UserId, e.ErrorCode]),
      [[unknownUserId, 'NotFound']],
    );
    assert.deepEqual(await listUsers(accountId), []);

    const v = await createUser(accountId);
    await badRequest(
      server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [v.UserId, ...Array.from({ length: 50 }, (_, i) => `missing-${i}`)] })),
    );
    await badRequest(server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [] })));
    assert.deepEqual(ids(await listUsers(accountId)), [v.UserId], 'the refused batch removed nobody');
  });

  test('BatchUnsuspendUser on a Team account activates only suspended members (its last domain’s release suspends them) and skips the others', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    const out = await server.client.send(new BatchUnsuspendUserCommand({ AccountId: accountId, UserIdList: [u.UserId] }));
    assert.deepEqual(out.UserErrors, []);
    assert.deepEqual(await auditOfRequest(accountId, out.$metadata.requestId), [], 'a registered member is skipped: nothing to record');
    assert.equal((await getUser(accountId, u.UserId)).UserRegistrationStatus, 'Registered');
  });
});

describe('BatchSuspendUser and BatchUnsuspendUser on an EnterpriseLWA account', () => {
  test('suspend makes users Suspended and unsuspend returns them to Registered, skipping the others', async () => {
    const accountId = await newEnterpriseLwaAccount();
    const [a, b, c] = [await createUser(accountId), await createUser(accountId), await createUser(accountId)];

    const suspended = await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [a.UserId, b.UserId] }));
    assert.deepEqual(suspended.UserErrors ?? [], []);
    assert.equal((await getUser(accountId, a.UserId)).UserRegistrationStatus, 'Suspended');
    assert.equal((await getUser(accountId, b.UserId)).UserRegistrationStatus, 'Suspended');
    assert.equal((await getUser(accountId, c.UserId)).UserRegistrationStatus, 'Registered');
    assert.equal((await listUsers(accountId)).length, 3, 'suspended users stay members');
    assert.ok(await sessionsRevokedAt(a.UserId), 'a suspended user is signed out');
    assert.equal(await sessionsRevokedAt(c.UserId), null);
    await assertAudited(accountId, suspended.$metadata.requestId, [
      ['SuspendUser', a.UserId],
      ['SuspendUser', b.UserId],
    ]);

    // c was never suspended: it is skipped without an error and without an audit record.
    const unsuspended = await server.client.send(new BatchUnsuspendUserCommand({ AccountId: accountId, UserIdList: [a.UserId, c.UserId] }));
    assert.deepEqual(unsuspended.UserErrors ?? [], []);
    assert.equal((await getUser(accountId, a.UserId)).UserRegistrationStatus, 'Registered');
    assert.equal((await getUser(accountId, b.UserId)).UserRegistrationStatus, 'Suspended');
    assert.equal((await getUser(accountId, c.UserId)).UserRegistrationStatus, 'Registered');
    await assertAudited(accountId, unsuspended.$metadata.requestId, [['UnsuspendUser', a.UserId]]);
  });

  test('unknown ids are reported as NotFound while the others are applied', async () => {
    const accountId = await newEnterpriseLwaAccount();
    const u = await createUser(accountId);
    const s = await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [u.UserId, unknownUserId] }));
    assert.deepEqual(
      (s.UserErrors ?? []).map((e) => [e.UserId, e.ErrorCode]),
      [[unknownUserId, 'NotFound']],
    );
    assert.equal((await getUser(accountId, u.UserId)).UserRegistrationStatus, 'Suspended');

    const r = await server.client.send(new BatchUnsuspendUserCommand({ AccountId: accountId, UserIdList: [unknownUserId, u.UserId] }));
    assert.deepEqual(
      (r.UserErrors ?? []).map((e) => [e.UserId, e.ErrorCode]),
      [[unknownUserId, 'NotFound']],
    );
    assert.equal((await getUser(accountId, u.UserId)).UserRegistrationStatus, 'Registered');
  });

  test('more than 50 ids are refused by both', async () => {
    const accountId = await newEnterpriseLwaAccount();
    const u = await createUser(accountId);
    const tooMany = [u.UserId, ...Array.from({ length: 50 }, (_, i) => `missing-${i}`)];
    await badRequest(server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: tooMany })));
    assert.equal((await getUser(accountId, u.UserId)).UserRegistrationStatus, 'Registered');
    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [u.UserId] }));
    await badRequest(server.client.send(new BatchUnsuspendUserCommand({ AccountId: accountId, UserIdList: tooMany })));
    assert.equal((await getUser(accountId, u.UserId)).UserRegistrationStatus, 'Suspended');
  });
});

describe('ResetPersonalPIN', () => {
  test('issues a new 10-digit PIN, different from the old one, and keeps it out of the audit log', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    const out = await server.client.send(new ResetPersonalPINCommand({ AccountId: accountId, UserId: u.UserId }));
    const pin = out.User?.PersonalPIN;
    assert.match(pin ?? '', /^\d{10}$/);
    assert.notEqual(pin, u.PersonalPIN);
    assert.equal(out.User?.UserId, u.UserId);
    assert.equal((await getUser(accountId, u.UserId)).PersonalPIN, pin);

    const [event] = await assertAudited(accountId, out.$metadata.requestId, [['ResetPersonalPIN', u.UserId]]);
    const recorded = JSON.stringify(event);
    assert.ok(!recorded.includes(pin!) && !recorded.includes(u.PersonalPIN!), 'PINs never reach the audit log');

    const again = await server.client.send(new ResetPersonalPINCommand({ AccountId: accountId, UserId: u.UserId }));
    assert.notEqual(again.User?.PersonalPIN, pin);
    await notFound(server.client.send(new ResetPersonalPINCommand({ AccountId: accountId, UserId: unknownUserId })));
  });

  test('the PINs of many users are all distinct', async () => {
    const accountId = await newTeamAccount();
    const pins: string[] = [];
    for (let i = 0; i < 20; i++) {
      const u = await createUser(accountId);
      pins.push(u.PersonalPIN!);
      pins.push((await server.client.send(new ResetPersonalPINCommand({ AccountId: accountId, UserId: u.UserId }))).User!.PersonalPIN!);
    }
    const current = (await listUsers(accountId)).map((u) => u.PersonalPIN!);
    assert.equal(current.length, 20);
    assert.ok(current.every((p) => /^\d{10}$/.test(p)));
    assert.equal(new Set(current).size, 20);
    assert.equal(new Set(pins).size, 40);
  });
});

describe('LogoutUser', () => {
  test('signs the user out everywhere without suspending them', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    const other = await createUser(accountId);
    assert.equal(await sessionsRevokedAt(u.UserId), null);

    const startedAt = Date.now();
    const out = await server.client.send(new LogoutUserCommand({ AccountId: accountId, UserId: u.UserId }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    const revoked = await sessionsRevokedAt(u.UserId);
    assert.ok(revoked, 'sessions_revoked_at is set');
    assert.ok(Date.parse(revoked) >= startedAt - 1000 && Date.parse(revoked) <= Date.now() + 1000);
    assert.equal(await sessionsRevokedAt(other.UserId), null, 'other users stay signed in');
    assert.equal((await getUser(accountId, u.UserId)).UserRegistrationStatus, 'Registered');
    await assertAudited(accountId, out.$metadata.requestId, [['LogoutUser', u.UserId]]);

    await notFound(server.client.send(new LogoutUserCommand({ AccountId: accountId, UserId: unknownUserId })));
  });
});

describe('user settings', () => {
  test('the Telephony booleans round-trip', async () => {
    const accountId = await newTeamAccount();
    const u = await createUser(accountId);
    const other = await createUser(accountId);
    const get = async (userId: string) => (await server.client.send(new GetUserSettingsCommand({ AccountId: accountId, UserId: userId }))).UserSettings?.Telephony;
    const initial = await get(other.UserId);

    for (const Telephony of [
      { InboundCalling: false, OutboundCalling: true, SMS: false },
      { InboundCalling: true, OutboundCalling: false, SMS: true },
      { InboundCalling: false, OutboundCalling: false, SMS: false },
    ]) {
      const out = await server.client.send(new UpdateUserSettingsCommand({ AccountId: accountId, UserId: u.UserId, UserSettings: { Telephony } }));
      assert.equal(out.$metadata.httpStatusCode, 204);
      assert.deepEqual(await get(u.UserId), Telephony);
      await assertAudited(accountId, out.$metadata.requestId, [['UpdateUserSettings', u.UserId]]);
    }
    assert.deepEqual(await get(other.UserId), initial, 'other users are untouched');

    await notFound(server.client.send(new GetUserSettingsCommand({ AccountId: accountId, UserId: unknownUserId })));
    await notFound(
      server.client.send(
        new UpdateUserSettingsCommand({ AccountId: accountId, UserId: unknownUserId, UserSettings: { Telephony: { InboundCalling: true, OutboundCalling: true, SMS: true } } }),
      ),
    );
  });
});

describe('a user addressed under another account', () => {
  test('is NotFound for every single-user operation and untouched by batches', async () => {
    const home = await newTeamAccount('home');
    const elsewhere = await newTeamAccount('elsewhere');
    const u = await createUser(home);
    const key = { AccountId: elsewhere, UserId: u.UserId };

    await notFound(server.client.send(new GetUserCommand(key)));
    await notFound(server.client.send(new UpdateUserCommand({ ...key, LicenseType: 'Basic' })));
    await notFound(server.client.send(new ResetPersonalPINCommand(key)));
    await notFound(server.client.send(new LogoutUserCommand(key)));
    await notFound(server.client.send(new GetUserSettingsCommand(key)));
    await notFound(server.client.send(new UpdateUserSettingsCommand({ ...key, UserSettings: { Telephony: { InboundCalling: false, OutboundCalling: false, SMS: false } } })));

    const batch = await server.client.send(new BatchUpdateUserCommand({ AccountId: elsewhere, UpdateUserRequestItems: [{ UserId: u.UserId, LicenseType: 'Basic' }] }));
    assert.deepEqual(
      (batch.UserErrors ?? []).map((e) => [e.UserId, e.ErrorCode]),
      [[u.UserId, 'NotFound']],
    );
    const suspend = await server.client.send(new BatchSuspendUserCommand({ AccountId: elsewhere, UserIdList: [u.UserId] }));
    assert.deepEqual(
      (suspend.UserErrors ?? []).map((e) => [e.UserId, e.ErrorCode]),
      [[u.UserId, 'NotFound']],
    );

    const lwa = await newEnterpriseLwaAccount();
    const lwaUser = await createUser(lwa);
    await server.client.send(new BatchSuspendUserCommand({ AccountId: lwa, UserIdList: [lwaUser.UserId] }));
    const unsuspend = await server.client.send(new BatchUnsuspendUserCommand({ AccountId: (await newEnterpriseLwaAccount()), UserIdList: [lwaUser.UserId] }));
    assert.deepEqual(
      (unsuspend.UserErrors ?? []).map((e) => [e.UserId, e.ErrorCode]),
      [[lwaUser.UserId, 'NotFound']],
    );
    assert.equal((await getUser(lwa, lwaUser.UserId)).UserRegistrationStatus, 'Suspended');

    const after = await getUser(home, u.UserId);
    assert.deepEqual(after, u, 'the user in its own account is unchanged');
    assert.equal(await sessionsRevokedAt(u.UserId), null);
    const settings = await server.client.send(new GetUserSettingsCommand({ AccountId: home, UserId: u.UserId }));
    assert.deepEqual(settings.UserSettings?.Telephony, { InboundCalling: true, OutboundCalling: true, SMS: true });
    assert.deepEqual(
      (await auditRepository.list(server.services.db, { resourceId: u.UserId, limit: 100 })).map((e) => e.action),
      ['CreateUser'],
      'nothing but its creation was recorded against the user',
    );
  });
});
