// End-user side, end to end over HTTP: invitation acceptance from the emailed link, self-registration with email
// verification, sign-in, sessions and every way they end, password reset, the attacks the pages must refuse, and
// directory search. Admin actions go through the official SDK (@aws-sdk/client-chime); mail goes through a real
// SMTP server (the sink), and the tests follow the links it receives like a person would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  BatchSuspendUserCommand,
  BatchUnsuspendUserCommand,
  ChimeClient,
  CreateAccountCommand,
  CreateUserCommand,
  DeleteAccountCommand,
  GetUserCommand,
  InviteUsersCommand,
  ListUsersCommand,
  LogoutUserCommand,
} from '@aws-sdk/client-chime';
import type { ParsedMail } from 'mailparser';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { DAY_MS, ManualClock } from '../src/platform/clock.js';
import { Browser, csrfOf, type PageResponse } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const PUBLIC_URL = 'https://carillon.example.test';
const PASSWORD = 'Lantern-Harbor-42';
const OTHER_PASSWORD = 'Quiet-Meadow-Falcon-7';
const MINUTE_MS = 60_000;

const SUBJECT = {
  invitation: /invited to join/,
  verify: /Confirm your email/,
  reset: /Reset your Carillon password/,
  alreadyRegistered: /Someone tried to register/,
};

/** A fresh address no other test uses. */
const email = (label = 'person') => `${label}-${randomBytes(4).toString('hex')}@example.com`;

const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

function recipients(m: ParsedMail): string[] {
  const to = m.to === undefined ? [] : Array.isArray(m.to) ? m.to : [m.to];
  return to.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

const mailsTo = (sink: SmtpSink, address: string, subject: RegExp) =>
  sink.messages.filter((m) => recipients(m).includes(address.toLowerCase()) && subject.test(m.subject ?? ''));

/** The nth mail (1-based) to `address` whose subject matches, waiting for it to arrive. */
async function mailTo(sink: SmtpSink, address: string, subject: RegExp, nth = 1): Promise<ParsedMail> {
  await sink.waitFor(() => mailsTo(sink, address, subject).length >= nth);
  return mailsTo(sink, address, subject)[nth - 1]!;
}

/** The path of the link of a kind in a mail (links point at CARILLON_PUBLIC_URL; the tests request them on server.url). */
function linkIn(mail: ParsedMail, kind: 'invitations' | 'verify-email' | 'password/reset'): string {
  const m = new RegExp(`https://carillon\\.example\\.test/${kind}/([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  assert.ok(m, `a ${kind} link under ${PUBLIC_URL} in the mail "${mail.subject}"`);
  return `/${kind}/${m[1]}`;
}

/** The rows of the profile page: Name, Email, Account, License, Personal meeting PIN, Signed-in sessions. */
function profileOf(html: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const m of html.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)) rows[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  return rows;
}

/** The profile of whoever the browser is signed in as, or undefined when /me sends it to sign in. */
async function me(b: Browser): Promise<Record<string, string> | undefined> {
  const r = await b.get('/me');
  if (r.status === 303) {
    assert.equal(r.location, '/signin?return_to=/me');
    return undefined;
  }
  assert.equal(r.status, 200);
  return profileOf(r.text);
}

const hiddenValue = (html: string, name: string) => {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? unescapeHtml(m[1]!) : undefined;
};

/** Opens the sign-in page (with return_to if given) and goes through its two steps as a browser would, hidden
 *  fields included: the email, then the password its method asks for. */
async function signIn(b: Browser, address: string, password: string, returnTo?: string): Promise<PageResponse> {
  const page = await b.get(returnTo === undefined ? '/signin' : `/signin?return_to=${encodeURIComponent(returnTo)}`);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('name="password"'), 'the first step asks for the email only');
  const step = await b.post('/signin', { csrf: csrfOf(page.text), return_to: hiddenValue(page.text, 'return_to') ?? '', email: address });
  assert.equal(step.status, 200, step.text);
  assert.ok(step.text.includes('name="password"'), 'the second step asks for the password');
  return b.post('/signin', { csrf: csrfOf(step.text), return_to: hiddenValue(step.text, 'return_to') ?? '', email: address, password });
}

async function signedInBrowser(server: TestServer, address: string, password = PASSWORD, localAddress?: string): Promise<Browser> {
  const b = new Browser(server.url, localAddress);
  const r = await signIn(b, address, password);
  assert.equal(r.status, 303, `sign-in of ${address} succeeds`);
  assert.equal(r.location, '/me');
  return b;
}

const sessionCookie = (b: Browser) => b.cookies.get('carillon_session');

/** Whatever sends SDK commands: a ChimeClient, or a wrapper around one. */
type Admin = Pick<ChimeClient, 'send'>;

async function createAccount(server: TestServer, name = `Team ${randomBytes(3).toString('hex')}`, client: Admin = server.client) {
  const { Account } = await client.send(new CreateAccountCommand({ Name: name }));
  return { accountId: Account!.AccountId!, name };
}

/** Invites one address and returns the path of the link in the mail it receives. */
async function invite(server: TestServer, sink: SmtpSink, accountId: string, address: string, client: Admin = server.client): Promise<string> {
  const already = mailsTo(sink, address, SUBJECT.invitation).length;
  const { Invites } = await client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [address] }));
  assert.equal(Invites?.[0]?.Status, 'Pending');
  return linkIn(await mailTo(sink, address, SUBJECT.invitation, already + 1), 'invitations');
}

async function userIdOf(server: TestServer, accountId: string, address: string): Promise<string> {
  const { Users } = await server.client.send(new ListUsersCommand({ AccountId: accountId, UserEmail: address }));
  assert.equal(Users?.length, 1, `one user ${address} in ${accountId}`);
  return Users[0]!.UserId!;
}

/** Follows an invitation link as a newcomer and registers from it. */
async function registerFromInvitation(server: TestServer, link: string, name: string, password = PASSWORD): Promise<{ browser: Browser; response: PageResponse }> {
  const browser = new Browser(server.url);
  const page = await browser.get(link);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(`action="${link}/register"`), 'the invitation page is in register mode');
  const response = await browser.post(`${link}/register`, { csrf: csrfOf(page.text), name, password });
  return { browser, response };
}

/** A registered, signed-in member of the account (invited, then registered from the link). */
async function newMember(server: TestServer, sink: SmtpSink, accountId: string, name: string, label = 'member') {
  const address = email(label);
  const link = await invite(server, sink, accountId, address);
  const { browser, response } = await registerFromInvitation(server, link, name);
  assert.equal(response.status, 303);
  return { address, browser, userId: await userIdOf(server, accountId, address) };
}

/** Registers on /register, then follows the verification link. */
async function selfRegister(server: TestServer, sink: SmtpSink, address: string, name: string, password = PASSWORD, verify = true): Promise<void> {
  const b = new Browser(server.url);
  const page = await b.get('/register');
  assert.equal(page.status, 200);
  const r = await b.post('/register', { csrf: csrfOf(page.text), name, email: address, password });
  assert.equal(r.status, 200);
  if (!verify) return;
  const link = linkIn(await mailTo(sink, address, SUBJECT.verify), 'verify-email');
  const v = await b.get(link);
  // The link proves the address: the person is signed in at once.
  assert.equal(v.status, 303);
  assert.equal(v.location, '/me?confirmed=1');
}

async function postRegister(server: TestServer, fields: Record<string, string>): Promise<PageResponse> {
  const b = new Browser(server.url);
  const page = await b.get('/register');
  return b.post('/register', { csrf: csrfOf(page.text), ...fields });
}

const identityRows = (server: TestServer, address: string) =>
  server.services.db.selectFrom('identities').selectAll().where('email_norm', '=', address.toLowerCase()).execute();
const outboxTo = (server: TestServer, address: string) => server.services.db.selectFrom('outbox').selectAll().where('recipient', '=', address).execute();

/** The emails listed by a directory search, sorted. */
async function search(b: Browser, q: string): Promise<string[]> {
  const r = await b.get(`/directory?q=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, `directory search for ${q}`);
  return [...r.text.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => unescapeHtml(m[1]!)).sort();
}

function assertHtmlErrorPage(r: PageResponse, status: number) {
  assert.equal(r.status, status);
  assert.match(String(r.headers['content-type']), /^text\/html/);
  assert.ok(r.text.startsWith('<!doctype html>'));
  assert.doesNotMatch(r.text, /\bat \S+ \(|node_modules|\.ts:\d+|AppError|Error:/, 'no stack trace or internals on the page');
}

const mailEnv = { CARILLON_MAIL_POLL_MS: '50', CARILLON_MAIL_RETRY_BASE_MS: '50', CARILLON_PUBLIC_URL: PUBLIC_URL };

let sink: SmtpSink;
let server: TestServer;
before(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ env: { SMTP_URL: sink.url, ...mailEnv } });
});
after(async () => {
  await server?.stop();
  await sink?.stop();
});

describe('invitation acceptance', () => {
  test('invitation email → link → register → signed in; /me and GetUser show a Registered Pro member with a PIN', async () => {
    const { accountId, name: accountName } = await createAccount(server, 'Harbor Lights Choir');
    const address = email('newcomer');
    const link = await invite(server, sink, accountId, address);
    const mail = await mailTo(sink, address, SUBJECT.invitation);
    assert.ok(mail.subject?.includes(accountName));

    const browser = new Browser(server.url);
    const page = await browser.get(link);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`action="${link}/register"`), 'register mode: nobody has this email yet');
    assert.ok(page.text.includes(accountName) && page.text.includes(address));

    const r = await browser.post(`${link}/register`, { csrf: csrfOf(page.text), name: 'Nina Okafor', password: PASSWORD });
    assert.equal(r.status, 303);
    assert.equal(new URL(r.location!, server.url).pathname, '/me');
    const setCookie = (r.headers['set-cookie'] ?? []).find((c) => c.startsWith('carillon_session='));
    assert.ok(setCookie, 'a session cookie is set');
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; Secure/, 'the public URL is https: the cookie is Secure');
    assert.ok(sessionCookie(browser));

    const profile = await me(browser);
    assert.ok(profile, 'signed in');
    assert.equal(profile.Name, 'Nina Okafor');
    assert.equal(profile.Email, address);
    assert.equal(profile.Account, `${accountName} (Team)`);
    assert.equal(profile.License, 'Pro');
    assert.match(profile['Personal meeting PIN']!, /^\d{10}$/);

    const userId = await userIdOf(server, accountId, address);
    const { User } = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: userId }));
    assert.equal(User?.UserRegistrationStatus, 'Registered');
    assert.equal(User?.UserInvitationStatus, 'Accepted');
    assert.equal(User?.LicenseType, 'Pro');
    assert.ok(User?.RegisteredOn instanceof Date);
    assert.ok(Math.abs(User.RegisteredOn.getTime() - Date.now()) < 60_000, 'RegisteredOn is now');
    assert.equal(User?.PersonalPIN, profile['Personal meeting PIN']);
  });

  test('a tampered link is a 404 page, without internals', async () => {
    const { accountId } = await createAccount(server);
    const link = await invite(server, sink, accountId, email('tamper'));
    const last = link.at(-1)!;
    const tampered = link.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    assertHtmlErrorPage(await new Browser(server.url).get(tampered), 404);
    assertHtmlErrorPage(await new Browser(server.url).get(`/invitations/${'x'.repeat(150)}`), 404);
    // Registering through the tampered link creates nothing.
    const b = new Browser(server.url);
    const signinPage = await b.get('/signin');
    const r = await b.post(`${tampered}/register`, { csrf: csrfOf(signinPage.text), name: 'Eve', password: PASSWORD });
    assertHtmlErrorPage(r, 404);
    assert.equal(sessionCookie(b), undefined);
    // The real link still works.
    assert.equal((await new Browser(server.url).get(link)).status, 200);
  });

  test('a link already accepted is 410 Gone', async () => {
    const { accountId } = await createAccount(server);
    const link = await invite(server, sink, accountId, email('twice'));
    const { response } = await registerFromInvitation(server, link, 'Tomas Twice');
    assert.equal(response.status, 303);
    assertHtmlErrorPage(await new Browser(server.url).get(link), 410);
    const b = new Browser(server.url);
    const page = await b.get('/signin');
    assertHtmlErrorPage(await b.post(`${link}/register`, { csrf: csrfOf(page.text), name: 'Again', password: OTHER_PASSWORD }), 410);
    assert.equal(sessionCookie(b), undefined);
  });

  test('re-inviting a pending person withdraws the first link (404); the new link works', async () => {
    const { accountId } = await createAccount(server);
    const address = email('reinvite');
    const first = await invite(server, sink, accountId, address);
    const second = await invite(server, sink, accountId, address);
    assert.notEqual(first, second);
    assertHtmlErrorPage(await new Browser(server.url).get(first), 404);
    // The withdrawn link cannot be used to register either.
    const b = new Browser(server.url);
    const page = await b.get('/signin');
    assertHtmlErrorPage(await b.post(`${first}/register`, { csrf: csrfOf(page.text), name: 'Old Link', password: PASSWORD }), 404);
    assert.equal((await identityRows(server, address)).length, 0);

    const { browser, response } = await registerFromInvitation(server, second, 'Rita Reinvited');
    assert.equal(response.status, 303);
    assert.equal((await me(browser))?.Email, address);
  });

  test('removing the invitee (BatchSuspendUser on a Team account) withdraws the link', async () => {
    const { accountId } = await createAccount(server);
    const address = email('removed-invitee');
    const link = await invite(server, sink, accountId, address);
    assert.equal((await new Browser(server.url).get(link)).status, 200);
    const userId = await userIdOf(server, accountId, address);
    const { UserErrors } = await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [userId] }));
    assert.deepEqual(UserErrors ?? [], []);
    assertHtmlErrorPage(await new Browser(server.url).get(link), 404);
    const b = new Browser(server.url);
    const page = await b.get('/signin');
    assertHtmlErrorPage(await b.post(`${link}/register`, { csrf: csrfOf(page.text), name: 'Gone', password: PASSWORD }), 404);
    assert.equal((await identityRows(server, address)).length, 0);
  });

  test('a weak password on the invitation page is refused with 400; nothing is created and the link still works', async () => {
    const { accountId } = await createAccount(server);
    const address = email('weak-invitee');
    const link = await invite(server, sink, accountId, address);
    const { browser, response } = await registerFromInvitation(server, link, 'Wes Weak', 'aaaaaaaaaa');
    assert.equal(response.status, 400);
    assert.ok(response.text.includes(`action="${link}/register"`), 'the form is shown again');
    assert.equal(sessionCookie(browser), undefined);
    assert.equal((await identityRows(server, address)).length, 0);
    const { User } = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: await userIdOf(server, accountId, address) }));
    assert.equal(User?.UserRegistrationStatus, 'Unregistered');
    assert.equal(User?.UserInvitationStatus, 'Pending');
    const retry = await registerFromInvitation(server, link, 'Wes Weak');
    assert.equal(retry.response.status, 303);
  });

  test('a person with an identity signs in from the invitation and accepts it; the Pro trial ends', async () => {
    const address = email('existing');
    await selfRegister(server, sink, address, 'Esme Existing');
    const browser = await signedInBrowser(server, address);
    const initial = await me(browser);
    assert.equal(initial?.Account, 'None (unmanaged)');
    assert.match(initial?.License ?? '', /^ProTrial — Pro trial until \d{4}-\d{2}-\d{2}$/);
    // Signed out again before the invitation arrives.
    const mePage = await browser.get('/me');
    assert.equal((await browser.post('/signout', { csrf: csrfOf(mePage.text) })).status, 303);

    const { accountId, name: accountName } = await createAccount(server);
    const link = await invite(server, sink, accountId, address);
    const page = await browser.get(link);
    assert.equal(page.status, 200);
    const signinHref = `/signin?return_to=${encodeURIComponent(link)}`;
    assert.ok(page.text.includes(`href="${signinHref}"`), 'signin mode: the page links to sign-in and back');
    assert.ok(!page.text.includes(`${link}/register`), 'no registration form for an existing identity');
    assert.ok(!page.text.includes(`${link}/accept`));
    // Posting accept without being signed in leads to sign-in, and back.
    const anonymousAccept = await browser.post(`${link}/accept`, { csrf: csrfOf((await browser.get('/signin')).text) });
    assert.equal(anonymousAccept.status, 303);
    assert.equal(anonymousAccept.location, signinHref);

    const r = await signIn(browser, address, PASSWORD, link);
    assert.equal(r.status, 303);
    assert.equal(r.location, link, 'back to the invitation after sign-in');
    const acceptPage = await browser.get(link);
    assert.equal(acceptPage.status, 200);
    assert.ok(acceptPage.text.includes(`action="${link}/accept"`), 'accept mode');
    const accepted = await browser.post(`${link}/accept`, { csrf: csrfOf(acceptPage.text) });
    assert.equal(accepted.status, 303);
    assert.equal(new URL(accepted.location!, server.url).pathname, '/me');

    const profile = await me(browser);
    assert.equal(profile?.Account, `${accountName} (Team)`);
    assert.equal(profile?.License, 'Pro', 'the account license, no more Pro trial');
    assert.match(profile?.['Personal meeting PIN'] ?? '', /^\d{10}$/);
    const { User } = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: await userIdOf(server, accountId, address) }));
    assert.equal(User?.UserRegistrationStatus, 'Registered');
    assert.equal(User?.UserInvitationStatus, 'Accepted');
    assert.equal(User?.PersonalPIN, profile?.['Personal meeting PIN']);
    // Only one identity for the address.
    assert.equal((await identityRows(server, address)).length, 1);
  });

  test('signed in as someone else: the page offers to sign out, and accepting is refused with 403', async () => {
    const { accountId } = await createAccount(server);
    const { browser: other } = await newMember(server, sink, (await createAccount(server)).accountId, 'Oscar Other', 'other');
    const invitee = email('invitee');
    const link = await invite(server, sink, accountId, invitee);

    const page = await other.get(link);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('action="/signout"'), 'a sign-out form');
    assert.equal(hiddenValue(page.text, 'return_to'), link, 'signing out comes back to the invitation');
    assert.ok(!page.text.includes(`action="${link}/accept"`), 'no accept form for the wrong identity');
    assert.ok(!page.text.includes(`action="${link}/register"`));

    const refused = await other.post(`${link}/accept`, { csrf: csrfOf(page.text) });
    assertHtmlErrorPage(refused, 403);
    const { User } = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: await userIdOf(server, accountId, invitee) }));
    assert.equal(User?.UserRegistrationStatus, 'Unregistered');
    assert.equal(User?.UserInvitationStatus, 'Pending');

    // Following the offer: sign out, land on the invitation again, now for a newcomer.
    const out = await other.post('/signout', { csrf: csrfOf(page.text), return_to: link });
    assert.equal(out.status, 303);
    assert.equal(out.location, link);
    assert.equal(sessionCookie(other), undefined);
    const back = await other.get(link);
    assert.equal(back.status, 200);
    assert.ok(back.text.includes(`action="${link}/register"`));
  });
});

describe('self-registration', () => {
  test('an unverified identity cannot sign in (403); after the link it can', async () => {
    const address = email('unverified');
    await selfRegister(server, sink, address, 'Uma Unverified', PASSWORD, false);
    const b = new Browser(server.url);
    const r = await signIn(b, address, PASSWORD);
    assert.equal(r.status, 403);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.equal(sessionCookie(b), undefined);

    const link = linkIn(await mailTo(sink, address, SUBJECT.verify), 'verify-email');
    // Following the link signs the person in, without typing the password again...
    const confirmed = await b.get(link);
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.location, '/me?confirmed=1');
    assert.equal((await me(b))?.Email, address);
    assert.match((await b.get('/me?confirmed=1')).text, /Your email is confirmed, and you are signed in/);
    // ...and the password works from then on.
    assert.equal((await signIn(new Browser(server.url), address, PASSWORD)).status, 303);
    // The verification link works once.
    assert.equal((await new Browser(server.url).get(link)).status, 400);
  });

  test('weak passwords are refused with 400 and nothing is created', async () => {
    for (const password of ['short', 'aaaaaaaaaa', '1234567890', 'Password1!']) {
      const address = email('weak');
      const r = await postRegister(server, { name: 'Walt Weak', email: address, password });
      assert.equal(r.status, 400, `password ${password} is refused`);
      assert.ok(r.text.includes('action="/register"'), 'the form is shown again');
      assert.equal((await identityRows(server, address)).length, 0, 'no identity');
      assert.equal((await outboxTo(server, address)).length, 0, 'no mail');
    }
  });

  test('registering an existing email shows the same page and emails the owner instead', async () => {
    const owner = email('owner');
    await selfRegister(server, sink, owner, 'Olga Owner');
    const fresh = email('fresh');
    const freshPage = await postRegister(server, { name: 'Fred Fresh', email: fresh, password: OTHER_PASSWORD });
    const again = await postRegister(server, { name: 'Mallory', email: owner, password: OTHER_PASSWORD });
    assert.equal(freshPage.status, 200);
    assert.equal(again.status, 200);
    assert.equal(again.text.replaceAll(owner, 'ADDRESS'), freshPage.text.replaceAll(fresh, 'ADDRESS'), 'the same page either way');

    const notice = await mailTo(sink, owner, SUBJECT.alreadyRegistered);
    assert.ok(notice.text?.includes(`${PUBLIC_URL}/password/forgot`));
    await mailTo(sink, fresh, SUBJECT.verify);
    assert.equal(mailsTo(sink, owner, SUBJECT.verify).length, 1, 'no second verification link for the owner');
    assert.equal((await identityRows(server, owner)).length, 1);
    // Nothing about the identity changed: the owner's password works, the intruder's does not.
    assert.equal((await signIn(new Browser(server.url), owner, OTHER_PASSWORD)).status, 401);
    assert.equal((await signIn(new Browser(server.url), owner, PASSWORD)).status, 303);
  });

  test('a weak password gets the same answer whether or not the email already has an identity (no enumeration)', async () => {
    const owner = email('owner-weak');
    await selfRegister(server, sink, owner, 'Wanda Weak');
    const fresh = email('fresh-weak');
    const freshPage = await postRegister(server, { name: 'Pat', email: fresh, password: 'short' });
    const ownerPage = await postRegister(server, { name: 'Pat', email: owner, password: 'short' });
    assert.equal(freshPage.status, 400);
    assert.equal(ownerPage.status, freshPage.status, 'an existing address must not be told apart by the response');
  });
});

describe('password reset', () => {
  test('forgot → email → new password; old sessions die, the old password fails, the link works once', async () => {
    const address = email('reset');
    await selfRegister(server, sink, address, 'Rosa Reset');
    const oldSession = await signedInBrowser(server, address);

    const b = new Browser(server.url);
    const forgot = await b.get('/password/forgot');
    assert.equal(forgot.status, 200);
    const sent = await b.post('/password/forgot', { csrf: csrfOf(forgot.text), email: address });
    assert.equal(sent.status, 200);
    const link = linkIn(await mailTo(sink, address, SUBJECT.reset), 'password/reset');

    const form = await b.get(link);
    assert.equal(form.status, 200);
    const done = await b.post(link, { csrf: csrfOf(form.text), password: OTHER_PASSWORD });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/signin?reset=1');

    assert.equal(await me(oldSession), undefined, 'the session opened before the reset is dead');
    assert.equal((await signIn(new Browser(server.url), address, PASSWORD)).status, 401, 'old password');
    assert.ok(await me(await signedInBrowser(server, address, OTHER_PASSWORD)), 'new password');

    // Single use: the link cannot set a password again.
    const third = 'Third-Password-Ocelot-9';
    const reuse = await b.post(link, { csrf: csrfOf(form.text), password: third });
    assertHtmlErrorPage(reuse, 400);
    assert.equal((await signIn(new Browser(server.url), address, third)).status, 401);
    assert.equal((await signIn(new Browser(server.url), address, OTHER_PASSWORD)).status, 303);
  });

  test('a newer reset link makes the older one useless', async () => {
    const address = email('reset-twice');
    await selfRegister(server, sink, address, 'Rene Twice');
    const b = new Browser(server.url);
    const forgot = await b.get('/password/forgot');
    await b.post('/password/forgot', { csrf: csrfOf(forgot.text), email: address });
    const first = linkIn(await mailTo(sink, address, SUBJECT.reset, 1), 'password/reset');
    await b.post('/password/forgot', { csrf: csrfOf(forgot.text), email: address });
    const second = linkIn(await mailTo(sink, address, SUBJECT.reset, 2), 'password/reset');
    assert.notEqual(first, second);
    assertHtmlErrorPage(await b.post(first, { csrf: csrfOf(forgot.text), password: OTHER_PASSWORD }), 400);
    assert.equal((await b.post(second, { csrf: csrfOf(forgot.text), password: OTHER_PASSWORD })).status, 303);
    assert.equal((await signIn(new Browser(server.url), address, OTHER_PASSWORD)).status, 303);
  });

  test('forgot for an unknown email shows the same page and sends nothing', async () => {
    const known = email('known');
    await selfRegister(server, sink, known, 'Kim Known');
    const unknown = email('nobody');
    const b = new Browser(server.url);
    const forgot = await b.get('/password/forgot');
    const forUnknown = await b.post('/password/forgot', { csrf: csrfOf(forgot.text), email: unknown });
    const forKnown = await b.post('/password/forgot', { csrf: csrfOf(forgot.text), email: known });
    assert.equal(forUnknown.status, 200);
    assert.equal(forUnknown.text, forKnown.text);
    // The known address's mail arrives; nothing was queued or sent for the unknown one (queued first).
    await mailTo(sink, known, SUBJECT.reset);
    assert.equal((await outboxTo(server, unknown)).length, 0);
    assert.equal(sink.messages.filter((m) => recipients(m).includes(unknown)).length, 0);
  });
});

describe('sessions end at once', () => {
  test('LogoutUser (SDK) ends the session; signing in again works', async () => {
    const { accountId } = await createAccount(server);
    const { address, browser, userId } = await newMember(server, sink, accountId, 'Leo Logout');
    assert.ok(await me(browser));
    await server.client.send(new LogoutUserCommand({ AccountId: accountId, UserId: userId }));
    assert.equal(await me(browser), undefined);
    assert.ok(await me(await signedInBrowser(server, address)));
  });

  test('/me counts only sessions that still work', async () => {
    const { accountId } = await createAccount(server);
    const { address, browser, userId } = await newMember(server, sink, accountId, 'Cass Count', 'count');
    assert.equal((await me(browser))?.['Signed-in sessions'], '1');
    await server.client.send(new LogoutUserCommand({ AccountId: accountId, UserId: userId }));
    assert.equal(await me(browser), undefined);
    const again = await me(await signedInBrowser(server, address));
    assert.equal(again?.['Signed-in sessions'], '1', 'the session ended by LogoutUser is not counted');
  });

  test('Team removal (BatchSuspendUser) ends the session; the person is unmanaged afterwards', async () => {
    const { accountId } = await createAccount(server);
    const { address, browser, userId } = await newMember(server, sink, accountId, 'Rhea Removed');
    assert.ok(await me(browser));
    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [userId] }));
    assert.equal(await me(browser), undefined);
    const again = await me(await signedInBrowser(server, address));
    assert.equal(again?.Account, 'None (unmanaged)');
    assert.equal(again?.['Personal meeting PIN'], '—');
    assert.equal(again?.License, 'Basic', 'joining ended the Pro trial; leaving does not bring it back');
  });

  test('Enterprise suspension ends the session and refuses sign-in; unsuspending allows sign-in again', async () => {
    const { accountId } = await createAccount(server);
    const { address, browser, userId } = await newMember(server, sink, accountId, 'Sven Suspended');
    // Stands in for the domain-claim capability (a later issue), which is what turns a Team account into EnterpriseLWA.
    await accountsRepository.update(server.services.db, accountId, { type: 'EnterpriseLWA' }, new Date().toISOString());
    assert.ok(await me(browser));

    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [userId] }));
    assert.equal(await me(browser), undefined);
    const refused = await signIn(new Browser(server.url), address, PASSWORD);
    assert.equal(refused.status, 403);
    assert.match(refused.text, /suspended/);

    await server.client.send(new BatchUnsuspendUserCommand({ AccountId: accountId, UserIdList: [userId] }));
    assert.equal(await me(browser), undefined, 'the session ended by the suspension stays dead');
    const profile = await me(await signedInBrowser(server, address));
    assert.equal(profile?.Account?.endsWith('(EnterpriseLWA)'), true);
  });

  test('"Sign out everywhere" ends every session of the person', async () => {
    const address = email('everywhere');
    await selfRegister(server, sink, address, 'Eve Everywhere');
    const laptop = await signedInBrowser(server, address);
    const phone = await signedInBrowser(server, address);
    const page = await laptop.get('/me');
    // The browser that followed the confirmation link is signed in too.
    assert.equal(profileOf(page.text)['Signed-in sessions'], '3');
    const r = await laptop.post('/me/signout-everywhere', { csrf: csrfOf(page.text) });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/signin');
    assert.equal(await me(laptop), undefined);
    assert.equal(await me(phone), undefined);
    assert.ok(await me(await signedInBrowser(server, address)), 'signing in afterwards works');
  });

  test('/signout ends only that session, on the server too', async () => {
    const address = email('signout');
    await selfRegister(server, sink, address, 'Sid Signout');
    const laptop = await signedInBrowser(server, address);
    const phone = await signedInBrowser(server, address);
    const cookie = sessionCookie(laptop)!;
    const page = await laptop.get('/me');
    const r = await laptop.post('/signout', { csrf: csrfOf(page.text) });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/signin');
    assert.equal(sessionCookie(laptop), undefined, 'the cookie is cleared');
    assert.equal(await me(laptop), undefined);
    // Replaying the old cookie value does not bring the session back.
    const replay = new Browser(server.url);
    replay.cookies.set('carillon_session', cookie);
    assert.equal(await me(replay), undefined);
    assert.equal((await me(phone))?.Email, address, 'the other session lives on');
  });

  test('DeleteAccount (after removing its users): sessions stay ended, links die, people are unmanaged', async () => {
    const { accountId } = await createAccount(server);
    const a = await newMember(server, sink, accountId, 'Dana Delete', 'del-a');
    const b = await newMember(server, sink, accountId, 'Dirk Delete', 'del-b');
    const pendingLink = await invite(server, sink, accountId, email('del-pending'));
    await assert.rejects(server.client.send(new DeleteAccountCommand({ AccountId: accountId })), (e: Error) => e.name === 'UnprocessableEntityException');
    assert.ok(await me(a.browser), 'refused deletion changes nothing');

    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [a.userId, b.userId] }));
    await server.client.send(new DeleteAccountCommand({ AccountId: accountId }));
    assert.equal(await me(a.browser), undefined);
    assert.equal(await me(b.browser), undefined);
    assertHtmlErrorPage(await new Browser(server.url).get(pendingLink), 404);
    const again = await me(await signedInBrowser(server, a.address));
    assert.equal(again?.Account, 'None (unmanaged)');
  });
});

describe('attacks refused', () => {
  test('form posts without the CSRF field, or with a wrong one, are 403 and change nothing', async () => {
    // Anonymous forms (double-submit token).
    const newcomer = email('csrf-new');
    const anon = new Browser(server.url);
    await anon.get('/register');
    assertHtmlErrorPage(await anon.post('/register', { name: 'No Token', email: newcomer, password: PASSWORD }), 403);
    assertHtmlErrorPage(await anon.post('/register', { csrf: randomBytes(32).toString('base64url'), name: 'Bad Token', email: newcomer, password: PASSWORD }), 403);
    assert.equal((await identityRows(server, newcomer)).length, 0);

    const address = email('csrf');
    await selfRegister(server, sink, address, 'Cora Csrf');
    const login = new Browser(server.url);
    await login.get('/signin');
    const noToken = await login.post('/signin', { email: address, password: PASSWORD });
    assert.equal(noToken.status, 403);
    assert.equal(sessionCookie(login), undefined, 'no session from a sign-in without the token');

    // Password reset without the token: the password stays, the link stays usable.
    const forgot = await anon.get('/password/forgot');
    await anon.post('/password/forgot', { csrf: csrfOf(forgot.text), email: address });
    const link = linkIn(await mailTo(sink, address, SUBJECT.reset), 'password/reset');
    assertHtmlErrorPage(await anon.post(link, { password: OTHER_PASSWORD }), 403);
    assert.equal((await signIn(new Browser(server.url), address, OTHER_PASSWORD)).status, 401);

    // Signed-in forms need the session's token; another session's token is wrong.
    const victim = await signedInBrowser(server, address);
    const attacker = await signedInBrowser(server, address);
    const attackerToken = csrfOf((await attacker.get('/me')).text);
    assertHtmlErrorPage(await victim.post('/me/signout-everywhere', {}), 403);
    assertHtmlErrorPage(await victim.post('/me/signout-everywhere', { csrf: attackerToken }), 403);
    assertHtmlErrorPage(await victim.post('/signout', { csrf: 'x'.repeat(43) }), 403);
    assert.ok(await me(victim), 'still signed in');
    assert.ok(await me(attacker));

    const { accountId } = await createAccount(server);
    const invitee = email('csrf-invitee');
    await selfRegister(server, sink, invitee, 'Ivy Invitee');
    const inviteLink = await invite(server, sink, accountId, invitee);
    const inviteeBrowser = await signedInBrowser(server, invitee);
    assertHtmlErrorPage(await inviteeBrowser.post(`${inviteLink}/accept`, {}), 403);
    assertHtmlErrorPage(await inviteeBrowser.post(`${inviteLink}/accept`, { csrf: attackerToken }), 403);
    const { User } = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: await userIdOf(server, accountId, invitee) }));
    assert.equal(User?.UserRegistrationStatus, 'Unregistered');

    // With the right tokens everything works: the refusals above were about the token.
    assert.equal((await anon.post(link, { csrf: csrfOf(forgot.text), password: OTHER_PASSWORD })).status, 303);
    assert.equal((await signIn(new Browser(server.url), address, OTHER_PASSWORD)).status, 303);
  });

  test('a session cookie changed by one character signs nobody in', async () => {
    const address = email('cookie');
    await selfRegister(server, sink, address, 'Carl Cookie');
    const b = await signedInBrowser(server, address);
    const value = sessionCookie(b)!;
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    for (const changed of [flip(value[0]!) + value.slice(1), value.slice(0, -1) + flip(value.at(-1)!), value.slice(0, 10) + flip(value[10]!) + value.slice(11)]) {
      const forged = new Browser(server.url);
      forged.cookies.set('carillon_session', changed);
      assert.equal(await me(forged), undefined);
      assert.equal((await forged.get('/directory')).location, '/signin?return_to=/directory');
    }
    assert.ok(await me(b), 'the real cookie still works');
  });

  test('a session cookie with a stray "%" (one character changed) is not signed in, not a server error', async () => {
    const address = email('cookie-pct');
    await selfRegister(server, sink, address, 'Percy Percent');
    const b = await signedInBrowser(server, address);
    const forged = new Browser(server.url);
    forged.cookies.set('carillon_session', '%' + sessionCookie(b)!.slice(1));
    const r = await forged.get('/me');
    assert.equal(r.status, 303, 'not signed in (a malformed cookie must not break the page)');
    assert.equal(r.location, '/signin?return_to=/me');
    // A malformed CSRF cookie must not make the sign-in page unusable either.
    const c = new Browser(server.url);
    c.cookies.set('carillon_csrf', '%zz');
    assert.equal((await c.get('/signin')).status, 200);
  });

  test('return_to never leads off the site: //host, https://host, /\\host', async () => {
    const address = email('redirect');
    await selfRegister(server, sink, address, 'Rita Redirect');
    const origin = new URL(server.url).origin;
    for (const hostile of ['//evil.example', 'https://evil.example', '/\\evil.example', '//evil.example/me', '/\\/evil.example']) {
      // As a browser would: the hostile value in the sign-in link, the page's hidden field posted back.
      const b = new Browser(server.url);
      const r = await signIn(b, address, PASSWORD, hostile);
      assert.equal(r.status, 303);
      assert.equal(r.location, '/me', `return_to ${JSON.stringify(hostile)}`);
      // And posted directly, bypassing the page.
      const c = new Browser(server.url);
      const page = await c.get('/signin');
      const direct = await c.post('/signin', { csrf: csrfOf(page.text), email: address, password: PASSWORD, return_to: hostile });
      assert.equal(direct.status, 303);
      assert.equal(direct.location, '/me');
      assert.equal(new URL(direct.location!, server.url).origin, origin);
    }
    // A local return_to is honoured.
    const ok = await signIn(new Browser(server.url), address, PASSWORD, '/directory?q=a');
    assert.equal(ok.location, '/directory?q=a');
  });

  test('return_to with a tab or newline trick does not lead off the site (browsers strip tabs from URLs)', async () => {
    const address = email('redirect-tab');
    await selfRegister(server, sink, address, 'Tab Tricks');
    const origin = new URL(server.url).origin;
    for (const hostile of ['/\t/evil.example', '/\t\\evil.example', '\t//evil.example']) {
      const c = new Browser(server.url);
      const page = await c.get(`/signin?return_to=${encodeURIComponent(hostile)}`);
      const r = await c.post('/signin', { csrf: csrfOf(page.text), email: address, password: PASSWORD, return_to: hiddenValue(page.text, 'return_to') ?? '' });
      assert.equal(r.status, 303);
      // Resolve the Location the way a browser does (WHATWG URL): it must stay on this origin.
      assert.equal(new URL(r.location!, server.url).origin, origin, `return_to ${JSON.stringify(hostile)} → Location ${JSON.stringify(r.location)}`);
    }
  });

  test('names and account names are escaped on every page (no script injection)', async () => {
    const evil = '<script>alert(1)</script>';
    const { accountId } = await createAccount(server, `Evil ${evil} Co`);
    const address = email('xss');
    const link = await invite(server, sink, accountId, address);
    const invitationPage = await new Browser(server.url).get(link);
    assert.equal(invitationPage.status, 200);
    const { browser, response } = await registerFromInvitation(server, link, `Mal ${evil}`);
    assert.equal(response.status, 303);
    const pages = [invitationPage, await browser.get('/me'), await browser.get(`/directory?q=${encodeURIComponent('mal <script>')}`)];
    for (const page of pages) {
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes('<script>'), 'no raw script tag');
      assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the text is shown, escaped');
    }
    assert.equal(profileOf(pages[1]!.text).Name, `Mal ${evil}`);
    assert.deepEqual(await search(browser, 'mal <script>'), [address]);
  });

  test('brute force: 5 failures lock that email from that address (429), but not the person elsewhere', async () => {
    const address = email('victim');
    await selfRegister(server, sink, address, 'Vera Victim');
    const attacker = new Browser(server.url);
    for (let i = 1; i <= 5; i++) assert.equal((await signIn(attacker, address, `Wrong-Guess-${i}-xyz`)).status, 401, `failure ${i}`);
    const locked = await signIn(attacker, address, PASSWORD);
    assert.equal(locked.status, 429, 'locked even with the right password');
    assert.match(locked.text, /Too many/);
    assert.equal(sessionCookie(attacker), undefined);

    // The person, on another machine, signs in normally.
    const elsewhere = new Browser(server.url, '127.0.0.2');
    const r = await signIn(elsewhere, address, PASSWORD);
    assert.equal(r.status, 303);
    assert.equal((await me(elsewhere))?.Email, address);
    // The attacker's address stays locked for that email.
    assert.equal((await signIn(attacker, address, PASSWORD)).status, 429);
  });

  test('a wrong password and an unknown email get the same 401 page', async () => {
    const address = email('known-401');
    await selfRegister(server, sink, address, 'Nora Known');
    const unknown = email('unknown-401');
    const b = new Browser(server.url);
    const wrong = await signIn(b, address, 'Not-The-Password-1');
    const missing = await signIn(b, unknown, 'Not-The-Password-1');
    assert.equal(wrong.status, 401);
    assert.equal(missing.status, 401);
    assert.equal(wrong.text.replaceAll(address, 'ADDRESS'), missing.text.replaceAll(unknown, 'ADDRESS'));
    assert.equal(sessionCookie(b), undefined);
  });
});

describe('directory search', () => {
  test('members find registered members of their own account only, by email or name prefix', async () => {
    const { accountId } = await createAccount(server);
    const { accountId: otherAccountId } = await createAccount(server);
    const searcher = await newMember(server, sink, accountId, 'Sam Searcher', 'searcher');
    const tag = randomBytes(3).toString('hex');
    const zeldaEmail = `zq${tag}-${randomBytes(3).toString('hex')}@example.com`;
    const zedEmail = `zq${tag}-${randomBytes(3).toString('hex')}@example.com`;
    const send = (accountIdFor: string, Username: string | undefined, Email: string) => server.client.send(new CreateUserCommand({ AccountId: accountIdFor, Username, Email }));
    const zelda = (await send(accountId, `Zelda${tag} Quist`, zeldaEmail)).User!;
    await send(accountId, `Zed${tag} Quarry`, zedEmail);
    // Same prefixes in another account, and as a pending invitee of this one.
    await send(otherAccountId, `Zelda${tag} Other`, `zq${tag}-other@example.com`);
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [`zq${tag}-pending@example.com`] }));

    const b = searcher.browser;
    assert.deepEqual(await search(b, `zq${tag}`), [zeldaEmail, zedEmail].sort(), 'by email prefix');
    assert.deepEqual(await search(b, `ZQ${tag.toUpperCase()}`), [zeldaEmail, zedEmail].sort(), 'email prefix, case-insensitive');
    assert.deepEqual(await search(b, `zelda${tag}`), [zeldaEmail], 'by name prefix');
    assert.deepEqual(await search(b, `ZELDA${tag.toUpperCase()} q`), [zeldaEmail], 'name prefix, case-insensitive');
    assert.deepEqual(await search(b, `Zed${tag}`), [zedEmail]);
    assert.deepEqual(await search(b, `quist`), [zeldaEmail], 'the start of any word of the name');
    assert.deepEqual(await search(b, `uist`), [], 'the start of a word, not a substring');
    const page = await b.get(`/directory?q=zelda${tag}`);
    assert.ok(page.text.includes(`Zelda${tag} Quist`), 'the name is listed');

    // The other account's member sees only their own.
    const otherSearcher = await newMember(server, sink, otherAccountId, 'Olli Other', 'other-searcher');
    assert.deepEqual(await search(otherSearcher.browser, `zq${tag}`), [`zq${tag}-other@example.com`]);

    // Removed members (Team) disappear.
    const zoraEmail = `zq${tag}-zora@example.com`;
    const zora = (await send(accountId, `Zora${tag}`, zoraEmail)).User!;
    assert.deepEqual(await search(b, `zq${tag}-zora`), [zoraEmail]);
    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [zora.UserId!] }));
    assert.deepEqual(await search(b, `zq${tag}-zora`), []);

    // Suspended members (Enterprise LWA) disappear.
    // Stands in for the domain-claim capability (a later issue), which is what turns a Team account into EnterpriseLWA.
    await accountsRepository.update(server.services.db, accountId, { type: 'EnterpriseLWA' }, new Date().toISOString());
    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [zelda.UserId!] }));
    assert.deepEqual(await search(b, `zq${tag}`), [zedEmail]);
    assert.deepEqual(await search(b, `zelda${tag}`), []);
    await server.client.send(new BatchUnsuspendUserCommand({ AccountId: accountId, UserIdList: [zelda.UserId!] }));
    assert.deepEqual(await search(b, `zelda${tag}`), [zeldaEmail]);
  });

  test('any word of the name or of the address finds the member, from its start only', async () => {
    const { accountId } = await createAccount(server);
    const searcher = await newMember(server, sink, accountId, 'Sam Searcher', 'searcher');
    const tag = randomBytes(3).toString('hex');
    const send = (Username: string, Email: string) => server.client.send(new CreateUserCommand({ AccountId: accountId, Username, Email }));
    const dave = `Dave.Diaz@w${tag}.example.net`;
    const ann = `ann_lee+w${tag}@example.org`;
    const zoe = `zoe-${tag}@example.com`;
    await send('Dave Diaz', dave);
    await send('Ann-Marie Lee', ann);
    await send(`Zoë Łukasiewicz-Ørsted`, zoe);
    const b = searcher.browser;
    const finds = async (q: string, expected: string[], why: string) => assert.deepEqual(await search(b, q), expected.sort(), `${why}: ${q}`);
    await finds('diaz', [dave], 'a last name');
    await finds('DIAZ', [dave], 'case-insensitive');
    await finds('dave d', [dave], 'several words of the name');
    await finds('dave.diaz', [dave], 'the local part with its dot');
    await finds('Dave.Diaz@w', [dave], 'the address from its start');
    await finds(`w${tag}`, [dave, ann], 'a domain label; the piece after + in a local part');
    await finds(`w${tag}.example.n`, [dave], 'a domain from one of its labels');
    await finds('net', [dave], 'the last label');
    await finds('lee', [ann], 'the piece after _ in a local part, a name after a hyphen');
    await finds('marie', [ann], 'a name after a hyphen');
    await finds(tag, [zoe], 'the piece after - in a local part');
    await finds('łukasiewicz', [zoe], 'a last name beyond ASCII');
    await finds('ŁUKASIEWICZ-Ø', [zoe], 'upper case beyond ASCII');
    await finds('ørsted', [zoe], 'after a hyphen beyond ASCII');
    for (const q of ['iaz', 'ave', 'avid', 'xample', 'arie', 'ee', 'kasiewicz', 'rsted', '.diaz', '@w']) await finds(q, [], 'not from inside a word');
  });

  test('results are listed once each, exact words first, at most 20', async () => {
    const { accountId } = await createAccount(server);
    const searcher = await newMember(server, sink, accountId, 'Sam Searcher', 'searcher');
    const tag = randomBytes(3).toString('hex');
    const send = (Username: string, Email: string) => server.client.send(new CreateUserCommand({ AccountId: accountId, Username, Email }));
    // Created first, but a longer word than the query: listed after those whose word is the query itself.
    await send(`Ada Quill${tag}son`, `ada-${tag}@example.com`);
    const exact: string[] = [];
    for (let i = 0; i < 24; i++) {
      exact.push(`p${String(i).padStart(2, '0')}-quill${tag}@example.com`);
      await send(`Person${i} Quill${tag}`, exact[i]!);
    }
    const inOrder = async (q: string) => {
      const r = await searcher.browser.get(`/directory?q=${encodeURIComponent(q)}`);
      return [...r.text.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => unescapeHtml(m[1]!));
    };
    // Each member matches twice (name and address), and is listed once; equal words are in creation order.
    assert.deepEqual(await inOrder(`quill${tag}`), exact.slice(0, 20));
    assert.deepEqual(await inOrder(`quill${tag}s`), [`ada-${tag}@example.com`]);
  });

  test('members of another account, invitees, removed and suspended members never appear, whatever word is searched', async () => {
    const { accountId } = await createAccount(server);
    const { accountId: otherAccountId } = await createAccount(server);
    const searcher = await newMember(server, sink, accountId, 'Sam Searcher', 'searcher');
    const otherSearcher = await newMember(server, sink, otherAccountId, 'Olli Other', 'other-searcher');
    const tag = randomBytes(3).toString('hex');
    const send = (inAccount: string, Username: string, Email: string) => server.client.send(new CreateUserCommand({ AccountId: inAccount, Username, Email }));
    const here = `dave.diaz@h${tag}.example`;
    const there = `dana.diaz@h${tag}.example`;
    const here2 = `zed.diaz@h${tag}.example`;
    const zed = (await send(accountId, `Zed Diaz${tag}`, here2)).User!;
    await send(accountId, `Dave Diaz${tag}`, here);
    await send(otherAccountId, `Dana Diaz${tag}`, there);
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [`dora.diaz@h${tag}.example`] }));
    const b = searcher.browser;
    for (const q of [`diaz${tag}`, `h${tag}`, 'diaz']) {
      assert.deepEqual(await search(b, q), [here, here2].sort(), `${q}: this account's registered members only`);
      assert.deepEqual(await search(otherSearcher.browser, q), [there], `${q}: the other account's`);
    }

    // Removed (Team: BatchSuspendUser) members are gone from every word at once.
    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [zed.UserId!] }));
    for (const q of [`diaz${tag}`, `h${tag}`, 'zed']) assert.deepEqual(await search(b, q), q === 'zed' ? [] : [here], `${q} after removal`);

    // Suspended (Enterprise LWA) members too, and they come back when unsuspended.
    // Stands in for the domain-claim capability, which is what turns a Team account into EnterpriseLWA.
    await accountsRepository.update(server.services.db, accountId, { type: 'EnterpriseLWA' }, new Date().toISOString());
    const dave = await userIdOf(server, accountId, here);
    await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [dave] }));
    assert.deepEqual(await search(b, `diaz${tag}`), []);
    assert.deepEqual(await search(b, `h${tag}`), []);
    await server.client.send(new BatchUnsuspendUserCommand({ AccountId: accountId, UserIdList: [dave] }));
    assert.deepEqual(await search(b, `diaz${tag}`), [here]);
    assert.deepEqual(await search(b, `h${tag}`), [here]);
  });

  test('a member who joins another account leaves this directory and is found in the new one', async () => {
    const { accountId } = await createAccount(server);
    const { accountId: newAccountId } = await createAccount(server);
    const searcher = await newMember(server, sink, accountId, 'Sam Searcher', 'searcher');
    const newSearcher = await newMember(server, sink, newAccountId, 'Nia Newcomer', 'new-searcher');
    const tag = randomBytes(3).toString('hex');
    const mover = await newMember(server, sink, accountId, `Mo Mover${tag}`, 'mover');
    assert.deepEqual(await search(searcher.browser, `mover${tag}`), [mover.address]);
    const link = await invite(server, sink, newAccountId, mover.address);
    const acceptPage = await mover.browser.get(link);
    assert.ok(acceptPage.text.includes(`action="${link}/accept"`), 'accept mode');
    assert.equal((await mover.browser.post(`${link}/accept`, { csrf: csrfOf(acceptPage.text) })).status, 303);
    assert.deepEqual(await search(searcher.browser, `mover${tag}`), [], 'gone from the account they left');
    assert.deepEqual(await search(newSearcher.browser, `mover${tag}`), [mover.address], 'found in the one they joined');
  });

  test('LIKE wildcards in the query match literally', async () => {
    const { accountId } = await createAccount(server);
    const searcher = await newMember(server, sink, accountId, 'Lia Like', 'like');
    const tag = randomBytes(3).toString('hex');
    const send = (Username: string, Email: string) => server.client.send(new CreateUserCommand({ AccountId: accountId, Username, Email }));
    await send('Under Score', `w${tag}_card@example.com`);
    await send('Under Xcore', `w${tag}xcard@example.com`);
    await send(`${tag}100% Sure`, `pct1-${tag}@example.com`);
    await send(`${tag}100 Percent`, `pct2-${tag}@example.com`);
    await send(`${tag}1x0`, `pct3-${tag}@example.com`);
    const b = searcher.browser;
    assert.deepEqual(await search(b, `w${tag}_`), [`w${tag}_card@example.com`], '_ is not a wildcard');
    assert.deepEqual(await search(b, `w${tag}`), [`w${tag}_card@example.com`, `w${tag}xcard@example.com`].sort());
    assert.deepEqual(await search(b, `${tag}100%`), [`pct1-${tag}@example.com`], '% is not a wildcard');
    assert.deepEqual(await search(b, `${tag}1_0`), [], '_ in a name prefix');
    assert.deepEqual(await search(b, `%`), [], 'a lone % matches nothing');
    assert.deepEqual(await search(b, `\\`), []);
  });

  test('name prefixes are case-insensitive beyond ASCII', async () => {
    const { accountId } = await createAccount(server);
    const searcher = await newMember(server, sink, accountId, 'Noor Nonascii', 'nonascii');
    const tag = randomBytes(3).toString('hex');
    const elodie = `elodie-${tag}@example.com`;
    const lukasz = `lukasz-${tag}@example.com`;
    await server.client.send(new CreateUserCommand({ AccountId: accountId, Username: `Élodie${tag} Durand`, Email: elodie }));
    await server.client.send(new CreateUserCommand({ AccountId: accountId, Username: `Łukasz${tag} Nowak`, Email: lukasz }));
    for (const q of [`Élodie${tag}`, `élodie${tag}`, `ÉLODIE${tag}`]) assert.deepEqual(await search(searcher.browser, q), [elodie], `query ${q}`);
    for (const q of [`Łukasz${tag}`, `łukasz${tag}`]) assert.deepEqual(await search(searcher.browser, q), [lukasz], `query ${q}`);
  });

  test('a signed-in person without an account is told they belong to no account yet (not an error, no sign-in link)', async () => {
    const address = email('loner');
    await selfRegister(server, sink, address, 'Lone Wolf');
    const b = await signedInBrowser(server, address);
    const page = await b.get('/directory?q=a');
    assert.equal(page.status, 200);
    assert.match(page.text, /you do not belong to an account yet/);
    assert.doesNotMatch(page.text, /Something is not right|href="\/signin"/);
    assert.match(page.text, /href="\/me"/);
    const anonymous = await new Browser(server.url).get('/directory?q=a');
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.location, '/signin?return_to=/directory');
  });
});

describe('with a manual clock', () => {
  const clock = new ManualClock(new Date());
  let clocked: TestServer;
  /** Sends each command with a fresh SDK client whose signing clock follows the manual clock (the server checks
   *  signature skew against it; a reused client would re-correct its offset from the real-time Date header). */
  const admin: Admin = {
    send: ((command: unknown) => {
      const client = new ChimeClient({ endpoint: clocked.url, region: 'us-east-1', credentials: clocked.admin, maxAttempts: 1, systemClockOffset: clock.now().getTime() - Date.now() });
      return client.send(command as Parameters<ChimeClient['send']>[0]).finally(() => client.destroy());
    }) as ChimeClient['send'],
  };

  before(async () => {
    clocked = await startTestServer({ clock, env: { SMTP_URL: sink.url, ...mailEnv, CARILLON_SESSION_IDLE_MINUTES: '5', CARILLON_SESSION_MAX_HOURS: '1' } });
  });
  after(() => clocked?.stop());

  test('self-registration gives a 30-day Pro trial, then Basic', async () => {
    const address = email('trial');
    await selfRegister(clocked, sink, address, 'Tara Trial');
    const b = await signedInBrowser(clocked, address);
    const profile = await me(b);
    const trialEnd = new Date(clock.now().getTime() + 30 * DAY_MS).toISOString().slice(0, 10);
    assert.equal(profile?.Account, 'None (unmanaged)');
    assert.equal(profile?.License, `ProTrial — Pro trial until ${trialEnd}`);

    clock.advance(29 * DAY_MS);
    const stillTrial = await me(await signedInBrowser(clocked, address));
    assert.equal(stillTrial?.License, `ProTrial — Pro trial until ${trialEnd}`);

    clock.advance(2 * DAY_MS);
    assert.equal(await me(b), undefined, 'the first session idled out long ago');
    const later = await me(await signedInBrowser(clocked, address));
    assert.equal(later?.License, 'Basic');
  });

  test(`an invitation expires after CARILLON_INVITATION_TTL_DAYS (7): 410`, async () => {
    const { accountId } = await createAccount(clocked, undefined, admin);
    const early = await invite(clocked, sink, accountId, email('early'), admin);
    const lateAddress = email('late');
    const late = await invite(clocked, sink, accountId, lateAddress, admin);
    clock.advance(7 * DAY_MS - MINUTE_MS);
    assert.equal((await new Browser(clocked.url).get(early)).status, 200, 'valid until the end of the 7th day');
    const { response } = await registerFromInvitation(clocked, early, 'Ella Early');
    assert.equal(response.status, 303);

    clock.advance(2 * MINUTE_MS);
    assertHtmlErrorPage(await new Browser(clocked.url).get(late), 410);
    const b = new Browser(clocked.url);
    const page = await b.get('/signin');
    assertHtmlErrorPage(await b.post(`${late}/register`, { csrf: csrfOf(page.text), name: 'Lars Late', password: PASSWORD }), 410);
    assert.equal(sessionCookie(b), undefined);
    // A new invitation for the same person works again.
    const renewed = await invite(clocked, sink, accountId, lateAddress, admin);
    assert.equal((await new Browser(clocked.url).get(renewed)).status, 200);
  });

  test('a session idles out after CARILLON_SESSION_IDLE_MINUTES; activity keeps it alive', async () => {
    const address = email('idle');
    await selfRegister(clocked, sink, address, 'Ida Idle');
    const active = await signedInBrowser(clocked, address);
    const idle = await signedInBrowser(clocked, address);
    for (let i = 0; i < 3; i++) {
      clock.advance(4 * MINUTE_MS);
      assert.ok(await me(active), `active at ${(i + 1) * 4} minutes`);
    }
    assert.equal(await me(idle), undefined, 'idle for 12 minutes');
    clock.advance(6 * MINUTE_MS);
    assert.equal(await me(active), undefined, 'idle for 6 minutes');
  });

  test('a session idle for 6 minutes (of 5) is dead', async () => {
    const address = email('idle6');
    await selfRegister(clocked, sink, address, 'Ivo Idle');
    const b = await signedInBrowser(clocked, address);
    assert.ok(await me(b));
    clock.advance(6 * MINUTE_MS);
    assert.equal(await me(b), undefined);
  });

  test('a session ends CARILLON_SESSION_MAX_HOURS (1) after sign-in, however active', async () => {
    const address = email('max');
    await selfRegister(clocked, sink, address, 'Max Hours');
    const b = await signedInBrowser(clocked, address);
    for (let minutes = 4; minutes <= 56; minutes += 4) {
      clock.advance(4 * MINUTE_MS);
      assert.ok(await me(b), `alive after ${minutes} minutes`);
    }
    clock.advance(4 * MINUTE_MS);
    assert.equal(await me(b), undefined, 'ended at 60 minutes');
    assert.ok(await me(await signedInBrowser(clocked, address)), 'signing in again works');
  });
});
