// What a new administrator found wrong, each shown through the official SDK and the end-user pages on both engines:
// one person is a registered member of one account at a time (a database constraint, however requests race); every
// way an invitation ends updates the invitation, its unsent email and every list at once, and nothing revives its
// link; the license an administrator chose for an invitee is kept when they accept; sign-in delegate groups belong
// to a directory.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AssociateSigninDelegateGroupsWithAccountCommand,
  BadRequestException,
  BatchSuspendUserCommand,
  ConflictException,
  CreateAccountCommand,
  CreateUserCommand,
  DeleteAccountCommand,
  DisassociateSigninDelegateGroupsFromAccountCommand,
  GetAccountCommand,
  InviteUsersCommand,
  ListAccountsCommand,
  ListUsersCommand,
  UpdateAccountCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-chime';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { loadConfig } from '../src/config.js';
import { DAY_MS, ManualClock } from '../src/platform/clock.js';
import { startServer } from '../src/server.js';
import { Browser, csrfOf } from './support/browser.js';
import { rejectsWith } from './support/chime-errors.js';
import { signedRequest } from './support/signed-request.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startSmtpSink } from './support/smtp-sink.js';

const PASSWORD = 'Harbour-Lantern-Quartz-1906';
const email = (label = 'person') => `${label}-${randomBytes(4).toString('hex')}@example.com`;
// A clock the expiry test moves (and moves back: the SDK signs with the real time, which the server checks).
const clock = new ManualClock();
let server: TestServer;

before(async () => {
  server = await startTestServer({ clock });
});
after(() => server.stop());

async function account(label = 'Team'): Promise<string> {
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: `${label} ${randomBytes(3).toString('hex')}` }));
  return Account!.AccountId!;
}

async function invite(accountId: string, address: string): Promise<string> {
  const { Invites } = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [address] }));
  return Invites![0]!.InviteId!;
}

/** The link token in the newest mail to this address (no SMTP relay here: the mail waits in the outbox). */
async function latestMail(address: string) {
  return server.services.db.selectFrom('outbox').selectAll().where('recipient', '=', address).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
}
const tokenIn = (text: string) => /\/invitations\/([A-Za-z0-9_-]+)/.exec(text)![1]!;

async function userId(accountId: string, address: string): Promise<string | undefined> {
  const { Users } = await server.client.send(new ListUsersCommand({ AccountId: accountId, UserEmail: address }));
  return Users?.[0]?.UserId;
}

/** A newcomer registers from the invitation link: they become a Registered member. */
async function acceptAsNewcomer(token: string): Promise<{ status: number; text: string }> {
  const browser = new Browser(server.url);
  const page = await browser.get(`/invitations/${token}`);
  if (page.status !== 200) return page;
  return browser.post(`/invitations/${token}/register`, { csrf: csrfOf(page.text), name: 'Pat Person', password: PASSWORD });
}

const stateOf = async (accountId: string, invitationId: string) => (await server.services.invitations.listInvitations(accountId, 100)).find((i) => i.id === invitationId)?.state;

describe('one person, one account', () => {
  test('CreateUser with the address of a member registered in another account is a ConflictException that names no account', async () => {
    const [a, b] = [await account('A'), await account('B')];
    const address = email('taken');
    await server.client.send(new CreateUserCommand({ AccountId: b, Email: address }));
    const scopedToA = server.clientFor(await server.createKey('user-management', a));
    const err = await rejectsWith(scopedToA.send(new CreateUserCommand({ AccountId: a, Email: address })), ConflictException, 'Conflict', 409);
    assert.doesNotMatch(err.message, new RegExp(b), 'the other account is not named');
    assert.equal(await userId(a, address), undefined, 'nothing was created');
    const { Accounts } = await server.client.send(new ListAccountsCommand({ UserEmail: address }));
    assert.deepEqual(Accounts?.map((x) => x.AccountId), [b]);
    const raw = await signedRequest(server.url, server.admin, { method: 'POST', path: `/accounts/${a}/users`, query: { operation: 'create' }, body: JSON.stringify({ Email: address.toUpperCase() }) });
    assert.equal(raw.status, 409);
    assert.equal((raw.json as { Reason: string }).Reason, 'user.registered_elsewhere', 'the case of the address makes no difference');
  });

  test('two CreateUser calls racing for one new address in two accounts: exactly one wins', async () => {
    const accounts = await Promise.all([0, 1, 2, 3].map(() => account('Race')));
    const address = email('race');
    const results = await Promise.allSettled(accounts.map((a) => server.client.send(new CreateUserCommand({ AccountId: a, Email: address }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictException, String(r.reason));
    const { Accounts } = await server.client.send(new ListAccountsCommand({ UserEmail: address }));
    assert.equal(Accounts?.length, 1);
  });

  test('an invitation may reach someone registered elsewhere; accepting moves them out of that account', async () => {
    const [home, team] = [await account('Home'), await account('Joining')];
    const address = email('mover');
    await invite(home, address);
    assert.equal((await acceptAsNewcomer(tokenIn((await latestMail(address)).text_body))).status, 303);
    await invite(team, address);
    const browser = new Browser(server.url);
    // Signed in at home, the person accepts the second invitation.
    const signin = await browser.get('/signin');
    const step = await browser.post('/signin', { csrf: csrfOf(signin.text), email: address });
    assert.equal((await browser.post('/signin', { csrf: csrfOf(step.text), email: address, password: PASSWORD })).status, 303);
    const token = tokenIn((await latestMail(address)).text_body);
    const page = await browser.get(`/invitations/${token}`);
    assert.equal((await browser.post(`/invitations/${token}/accept`, { csrf: csrfOf(page.text) })).status, 303);
    assert.equal(await userId(home, address), undefined, 'they left their first account');
    assert.ok(await userId(team, address));
    const { Accounts } = await server.client.send(new ListAccountsCommand({ UserEmail: address }));
    assert.deepEqual(Accounts?.map((x) => x.AccountId), [team]);
  });

  test('someone suspended in their account cannot leave it by accepting another invitation (403), and stays suspended', async () => {
    const [home, team] = [await account('Enterprise'), await account('Elsewhere')];
    // Stands in for the domains capability: a verified claim makes an account EnterpriseLWA.
    await accountsRepository.update(server.services.db, home, { type: 'EnterpriseLWA' }, clock.now().toISOString());
    const address = email('suspended');
    const { User } = await server.client.send(new CreateUserCommand({ AccountId: home, Email: address }));
    await server.client.send(new BatchSuspendUserCommand({ AccountId: home, UserIdList: [User!.UserId!] }));
    await invite(team, address);
    const refused = await acceptAsNewcomer(tokenIn((await latestMail(address)).text_body));
    assert.equal(refused.status, 403);
    assert.match(refused.text, /suspended in your current account/);
    assert.equal((await server.client.send(new ListUsersCommand({ AccountId: home, UserEmail: address }))).Users?.[0]?.UserRegistrationStatus, 'Suspended');
    assert.equal((await server.client.send(new ListUsersCommand({ AccountId: team, UserEmail: address }))).Users?.[0]?.UserRegistrationStatus, 'Unregistered');
  });
});

describe('the invitation lifecycle', () => {
  test('removing the invitee ends the invitation: every list says so, its unsent email is cancelled, its link is dead', async () => {
    const a = await account();
    const address = email('removed');
    const invitationId = await invite(a, address);
    const mail = await latestMail(address);
    assert.equal(mail.status, 'pending');
    await server.client.send(new BatchSuspendUserCommand({ AccountId: a, UserIdList: [(await userId(a, address))!] }));
    assert.equal(await stateOf(a, invitationId), 'invitee_removed');
    assert.equal((await latestMail(address)).status, 'cancelled');
    const page = await new Browser(server.url).get(`/invitations/${tokenIn(mail.text_body)}`);
    assert.equal(page.status, 404);
    assert.match(page.text, /withdrawn when the invitee was removed/);
  });

  test('deleting the account ends its invitations; restoring it does not bring the links back', async () => {
    const a = await account();
    const address = email('deleted');
    const invitationId = await invite(a, address);
    const token = tokenIn((await latestMail(address)).text_body);
    await server.client.send(new DeleteAccountCommand({ AccountId: a }));
    assert.equal((await latestMail(address)).status, 'cancelled');
    await server.services.accounts.restoreAccount({ type: 'cli', id: 'test' }, a);
    await server.client.send(new GetAccountCommand({ AccountId: a }));
    assert.equal(await stateOf(a, invitationId), 'account_deleted');
    const page = await new Browser(server.url).get(`/invitations/${token}`);
    assert.equal(page.status, 404);
    assert.match(page.text, /withdrawn when its account was deleted/);
    // The console's view of the invitee says the same.
    const id = (await userId(a, address))!;
    const r = await signedRequest(server.url, server.admin, { method: 'GET', path: `/accounts/${a}/users/${id}/invitation` });
    assert.equal((r.json as { Invitation: { State: string } }).Invitation.State, 'account_deleted');
  });

  test('inviting again supersedes the first invitation: its email is cancelled if unsent, its link is dead, the new one works', async () => {
    const a = await account();
    const address = email('again');
    const first = await invite(a, address);
    const firstMail = await latestMail(address);
    const second = await invite(a, address);
    assert.notEqual(first, second);
    assert.equal(await stateOf(a, first), 'superseded');
    assert.equal(await stateOf(a, second), 'pending');
    assert.equal((await server.services.db.selectFrom('outbox').select('status').where('id', '=', firstMail.id).executeTakeFirstOrThrow()).status, 'cancelled');
    const old = await new Browser(server.url).get(`/invitations/${tokenIn(firstMail.text_body)}`);
    assert.equal(old.status, 404);
    assert.match(old.text, /replaced by a newer invitation/);
    assert.equal((await acceptAsNewcomer(tokenIn((await latestMail(address)).text_body))).status, 303);
    assert.equal(await stateOf(a, second), 'accepted');
  });

  test('revoking ends the invitation and cancels its email', async () => {
    const a = await account();
    const address = email('revoked');
    const invitationId = await invite(a, address);
    await server.services.invitations.revokeInvitation({ type: 'cli', id: 'test' }, invitationId);
    assert.equal(await stateOf(a, invitationId), 'revoked');
    assert.equal((await latestMail(address)).status, 'cancelled');
  });

  test('an invitation that expires before a relay could send its email: the email is never sent', async () => {
    const a = await account();
    const address = email('expired');
    const invitationId = await invite(a, address);
    clock.advance(8 * DAY_MS); // past CARILLON_INVITATION_TTL_DAYS (7)
    assert.equal(await stateOf(a, invitationId), 'expired');
    // A node with a relay starts on the same data: the waiting mail is past its send-by time.
    const sink = await startSmtpSink();
    const withRelay = await startServer(loadConfig({ ...server.env, SMTP_URL: sink.url }), { clock });
    try {
      const mail = await (async () => {
        for (let i = 0; i < 200; i++) {
          const m = await latestMail(address);
          if (m.status !== 'pending') return m;
          await new Promise((r) => setTimeout(r, 25));
        }
        return latestMail(address);
      })();
      assert.equal(mail.status, 'cancelled');
      assert.match(mail.last_error ?? '', /expired/);
      assert.equal(sink.messages.filter((m) => JSON.stringify(m.to).includes(address)).length, 0, 'nothing was sent');
    } finally {
      await withRelay.stop();
      await sink.stop();
      clock.advance(-8 * DAY_MS);
    }
  });
});

describe('the license chosen before acceptance', () => {
  test('an invitee set to Basic is Basic after accepting; an invitee left alone gets the default in force then', async () => {
    const a = await account();
    const [chosen, left] = [email('chosen'), email('default')];
    await invite(a, chosen);
    const chosenToken = tokenIn((await latestMail(chosen)).text_body);
    await invite(a, left);
    const leftToken = tokenIn((await latestMail(left)).text_body);
    const chosenId = (await userId(a, chosen))!;
    await server.client.send(new UpdateUserCommand({ AccountId: a, UserId: chosenId, LicenseType: 'Basic' }));
    const view = await signedRequest(server.url, server.admin, { method: 'GET', path: `/accounts/${a}/users/${chosenId}/invitation` });
    assert.deepEqual((({ LicenseOnAcceptance, LicenseChosenByAdministrator }) => ({ LicenseOnAcceptance, LicenseChosenByAdministrator }))((view.json as { Invitation: Record<string, unknown> }).Invitation), { LicenseOnAcceptance: 'Basic', LicenseChosenByAdministrator: true });
    await server.client.send(new UpdateAccountCommand({ AccountId: a, DefaultLicense: 'Pro' }));
    assert.equal((await acceptAsNewcomer(chosenToken)).status, 303);
    assert.equal((await server.client.send(new ListUsersCommand({ AccountId: a, UserEmail: chosen }))).Users?.[0]?.LicenseType, 'Basic');
    // The default changes after the invitation went out: the one left alone gets the default of the day they accept.
    await server.client.send(new UpdateAccountCommand({ AccountId: a, DefaultLicense: 'Basic' }));
    assert.equal((await acceptAsNewcomer(leftToken)).status, 303);
    assert.equal((await server.client.send(new ListUsersCommand({ AccountId: a, UserEmail: left }))).Users?.[0]?.LicenseType, 'Basic');
  });
});

describe('sign-in delegate groups', () => {
  test('a Team account has no directory: associating groups is a BadRequest and stores nothing; disassociating is allowed', async () => {
    const a = await account();
    const err = await rejectsWith(
      server.client.send(new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: a, SigninDelegateGroups: [{ GroupName: 'IT-AudioVisual-owners' }] })),
      BadRequestException,
      'BadRequest',
      400,
    );
    assert.match(err.message, /Active Directory/);
    const { Account } = await server.client.send(new GetAccountCommand({ AccountId: a }));
    assert.deepEqual(Account?.SigninDelegateGroups ?? [], []);
    await server.client.send(new DisassociateSigninDelegateGroupsFromAccountCommand({ AccountId: a, GroupNames: ['IT-AudioVisual-owners'] }));
  });
});
