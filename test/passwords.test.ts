// The rules for new passwords (NIST SP 800-63B through zxcvbn): unit tests of passwordProblem on the real
// dictionaries, then the same rules end to end on a live server: self-registration, an invitation's registration
// (which knows the account's name) and an administrator's setup.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateAccountCommand, InviteUsersCommand } from '@aws-sdk/client-chime';
import { passwordProblem } from '../src/signin/passwords.js';
import { Browser, csrfOf } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const ALICE = { email: 'alice.smith@example.com' };
const BLUEFINCH = { email: 'sam@example.com', accountName: 'Bluefinch Studio' };

const refuses = async (password: string, context: { email: string; accountName?: string }) => {
  const problem = await passwordProblem(password, context);
  assert.equal(typeof problem, 'string', `${JSON.stringify(password)} is refused for ${JSON.stringify(context)}`);
  assert.ok(problem!.length > 0);
  return problem!;
};
const accepts = async (password: string, context: { email: string; accountName?: string }) =>
  assert.equal(await passwordProblem(password, context), undefined, `${JSON.stringify(password)} is accepted for ${JSON.stringify(context)}`);

describe('passwordProblem', () => {
  test('refuses passwords from breached-password lists, and ones built on them', async () => {
    for (const password of ['password123', 'qwerty12345', 'iloveyou12', 'Password1!', 'P@ssw0rd2024', '1234567890']) {
      assert.match(await refuses(password, ALICE), /too common/);
    }
  });

  test('refuses the service name, the address and its parts, and the account name', async () => {
    await refuses('carillon2026!', ALICE);
    await refuses('Carillon2026', ALICE);
    await refuses('alice.smith1985', ALICE);
    await refuses('alice.smith@example.com', ALICE);
    await refuses('example2024!', ALICE);
    await refuses('Bluefinch2024!', BLUEFINCH);
    await refuses('bluefinchstudio1', BLUEFINCH);
    // Without the account as context the same password is fine: the refusal above comes from the account's name.
    await accepts('Bluefinch2024!', { email: BLUEFINCH.email });
  });

  test('refuses passwords shorter than 8 or longer than 256 characters, whatever they are made of', async () => {
    assert.match(await refuses('xK#9vq2', ALICE), /Use at least 8 characters/);
    assert.match(await refuses(randomBytes(193).toString('base64url').slice(0, 257), ALICE), /at most 256/);
    // The bounds count characters as a person does: 8 emoji are 8 characters (16 UTF-16 units).
    assert.match(await refuses('🔔'.repeat(7), ALICE), /at least 8/);
  });

  test('refuses repeats, sequences and keyboard rows however long, without a composition rule', async () => {
    for (const password of ['aaaaaaaaaaaa', 'abcdefghijklmnop', 'qwertyuiopasdf', 'abc123abc123abc123']) await refuses(password, ALICE);
  });

  test('accepts long passphrases and random strings, with or without digits, capitals or symbols', async () => {
    for (const password of ['correct horse battery staple', 'Harbour-Lantern-Quartz-1906', 'Lantern-Harbor-42', 'violet tundra pocket mandolin', 'hT4pXq9Lm2w', 'x7#Kp2$vQ9']) {
      await accepts(password, ALICE);
      await accepts(password, BLUEFINCH);
    }
    await accepts(randomBytes(18).toString('base64url'), ALICE);
    await accepts(randomBytes(192).toString('base64url'), ALICE); // 256 characters: the longest allowed
  });

  test('judges the longest, most expensive passwords quickly: the check blocks the server while it runs', async () => {
    await passwordProblem('warm-up-the-estimator', ALICE);
    const symbols = '013457@$!|+(';
    const worst = [
      Array.from({ length: 256 }, (_, i) => symbols[(i * 7 + (i >> 3)) % symbols.length]).join(''),
      'p4ssw0rd'.repeat(32),
      '0123456789'.repeat(25),
      randomBytes(192).toString('base64url'),
    ];
    for (const password of worst) {
      const started = performance.now();
      await passwordProblem(password, ALICE);
      const ms = performance.now() - started;
      // About 0.1 s on a busy 2-core machine; zxcvbn's default settings took 2 to 3 s.
      assert.ok(ms < 1000, `${password.slice(0, 16)}... took ${Math.round(ms)} ms`);
    }
  });

  test('gives the same answer each time (the estimator loads once and is reused)', async () => {
    const [a, b] = await Promise.all([passwordProblem('password123', ALICE), passwordProblem('password123', ALICE)]);
    assert.equal(a, b);
    assert.equal(await passwordProblem('password123', ALICE), a);
  });
});

describe('the rules on a live server', () => {
  const PUBLIC_URL = 'https://carillon.example.test';
  let sink: SmtpSink;
  let server: TestServer;
  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ env: { SMTP_URL: sink.url, CARILLON_MAIL_POLL_MS: '50', CARILLON_MAIL_RETRY_BASE_MS: '50', CARILLON_PUBLIC_URL: PUBLIC_URL } });
  });
  after(async () => {
    await server?.stop();
    await sink?.stop();
  });
  const address = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const identities = (email: string) => server.services.db.selectFrom('identities').selectAll().where('email_norm', '=', email).execute();

  test('registration refuses password123 with a 400 page that says why, and creates nothing', async () => {
    const email = address('reg');
    const b = new Browser(server.url);
    const form = await b.get('/register');
    const r = await b.post('/register', { csrf: csrfOf(form.text), name: 'Rita Register', email, password: 'password123' });
    assert.equal(r.status, 400);
    assert.ok(r.text.includes('action="/register"'), 'the form is shown again');
    assert.match(r.text, /too common/);
    assert.equal((await identities(email)).length, 0);
  });

  test("registering from an invitation refuses a password made of the account's name", async () => {
    const accountName = `Bluefinch ${randomBytes(3).toString('hex')}`;
    const { Account } = await server.client.send(new CreateAccountCommand({ Name: accountName }));
    const email = address('invitee');
    await server.client.send(new InviteUsersCommand({ AccountId: Account!.AccountId!, UserEmailList: [email] }));
    const mail = await sink.waitFor((m) => (m.text ?? '').includes('/invitations/') && JSON.stringify(m.to).includes(email));
    const link = /https:\/\/carillon\.example\.test(\/invitations\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1]!;
    const b = new Browser(server.url);
    const page = await b.get(link);
    const r = await b.post(`${link}/register`, { csrf: csrfOf(page.text), name: 'Ivo Invitee', password: `${accountName.split(' ')[0]}2024!` });
    assert.equal(r.status, 400);
    assert.match(r.text, /account&#39;s name|account's name/);
    assert.equal((await identities(email)).length, 0);
    const ok = await b.post(`${link}/register`, { csrf: csrfOf(r.text), name: 'Ivo Invitee', password: 'violet tundra pocket mandolin' });
    assert.equal(ok.status, 303, 'a strong password is accepted from the same link');
  });

  test("an administrator's setup refuses password123 too, and the link stays usable", async () => {
    const email = address('admin');
    const { link } = await server.services.admins.createSetupLink({ type: 'cli', id: 'passwords-test' }, { email, role: 'full' });
    const token = /#token=([A-Za-z0-9_-]+)$/.exec(link)![1]!;
    const setup = (password: string) =>
      fetch(`${server.url}/console/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Token: token, Name: 'Ada Admin', Password: password }) });
    const refused = await setup('password123');
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { Code: string; Message: string };
    assert.equal(body.Code, 'BadRequest');
    assert.match(body.Message, /too common/);
    assert.equal(refused.headers.get('set-cookie'), null, 'no session');
    assert.equal((await setup('Harbour-Lantern-Quartz-1906')).status, 200, 'the link still works with a strong password');
  });
});
