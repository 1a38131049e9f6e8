// A new sign-in method plugs in through one module, without touching completeSignIn: this test's own method, a
// directory of its own kept in the method's per-account configuration (its passwords sealed by the master key),
// routed to by an address's domain, with groups that give a license. Everything after the method's proof is the
// same path every method takes: the member is provisioned in the account, the license follows the groups at each
// sign-in, suspended people and people in no licensed group are refused, the session and the audit record open.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BatchSuspendUserCommand, CreateAccountCommand, GetUserCommand, InviteUsersCommand, ListUsersCommand } from '@aws-sdk/client-chime';
import { z } from 'zod';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { AppError } from '../src/platform/errors.js';
import { defineModule } from '../src/platform/module.js';
import { registry } from '../src/registry.js';
import type { CredentialsMethod } from '../src/signin/methods/signin-method.js';
import { sameSecret } from '../src/platform/secret-box.js';
import { Browser, csrfOf, type PageResponse } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

const DOMAIN = 'directory.test';
const configSchema = z.object({ people: z.record(z.string(), z.object({ password: z.string(), name: z.string(), groups: z.array(z.string()) })) }).strict();
type DirectoryConfig = z.infer<typeof configSchema>;
let directoryAccount = '';

/** The test's method: checks a password against the people of the account's configuration. */
const testDirectory: CredentialsMethod<DirectoryConfig> = {
  kind: 'test-directory',
  style: 'credentials',
  configSchema,
  // The whole directory is a secret here: sealed at rest.
  secretFields: ['people'],
  secretLabel: 'Directory password',
  async authenticate({ email, secret, config, accountId }) {
    const person = config.people[email.toLowerCase()];
    if (!person || !sameSecret(person.password, secret)) throw new AppError('signin.invalid_credentials', 'The directory refused that email and password.');
    return { method: 'test-directory', link: { provider: `test-directory:${accountId}`, subject: email.toLowerCase() }, email, emailVerified: true, displayName: person.name, account: { id: accountId!, groups: person.groups } };
  },
};

const testModule = defineModule({
  name: 'test-directory',
  provide: (s) => {
    s.methods.register(testDirectory);
    s.methods.routeDomainsWith(async (domain) => (domain === DOMAIN && directoryAccount ? { accountId: directoryAccount, kind: 'test-directory' } : undefined));
    s.methods.useLicenseSource(async (_ex, accountId, groups) => {
      if (accountId !== directoryAccount) return undefined;
      if (groups.includes('carillon-pro')) return 'Pro';
      return groups.includes('carillon-basic') ? 'Basic' : null;
    });
    return {};
  },
});

let server: TestServer;

async function setPeople(people: DirectoryConfig['people']): Promise<void> {
  await server.services.methods.putConfig(server.services.db, directoryAccount, 'test-directory', { people });
}

/** The two-step sign-in page, as a browser goes through it. */
async function signIn(b: Browser, email: string, password: string): Promise<{ step: PageResponse; done: PageResponse }> {
  const page = await b.get('/signin');
  const step = await b.post('/signin', { csrf: csrfOf(page.text), return_to: '/me', email });
  const done = await b.post('/signin', { csrf: csrfOf(step.text), return_to: '/me', email, password });
  return { step, done };
}

async function memberOf(email: string) {
  const { Users } = await server.client.send(new ListUsersCommand({ AccountId: directoryAccount, UserEmail: email }));
  return Users?.[0];
}

before(async () => {
  server = await startTestServer({ modules: [...registry, testModule] });
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Directory Corp' }));
  directoryAccount = Account!.AccountId!;
  // An enterprise account (the domains capability will make it one by a verified claim).
  await accountsRepository.update(server.services.db, directoryAccount, { type: 'EnterpriseLWA' }, new Date().toISOString());
  await setPeople({
    [`ann@${DOMAIN}`]: { password: 'ann-directory-secret', name: 'Ann Archer', groups: ['carillon-pro', 'staff'] },
    [`bo@${DOMAIN}`]: { password: 'bo-directory-secret', name: 'Bo Baker', groups: ['carillon-basic'] },
    [`cy@${DOMAIN}`]: { password: 'cy-directory-secret', name: 'Cy Cole', groups: ['staff'] },
  });
});

after(async () => server.stop());

describe('a sign-in method registered by a module', () => {
  test('its configuration is stored per account with the secret fields sealed, and read back whole', async () => {
    const row = await server.services.db.selectFrom('signin_method_configs').selectAll().where('account_id', '=', directoryAccount).executeTakeFirstOrThrow();
    assert.equal(row.kind, 'test-directory');
    assert.deepEqual(JSON.parse(row.config), {}, 'no secret field in the readable part');
    assert.ok(!row.secrets_ciphertext.includes('ann-directory-secret'), 'the passwords are sealed');
    const opened = await server.services.methods.config<DirectoryConfig>(server.services.db, directoryAccount, 'test-directory');
    assert.equal(opened?.people[`ann@${DOMAIN}`]?.password, 'ann-directory-secret');
    await assert.rejects(server.services.methods.putConfig(server.services.db, directoryAccount, 'test-directory', { people: 'nope' }), /not valid/);
  });

  test("an address in the method's domain is asked for that method's secret, and signs in as a member of its account with the license its groups give", async () => {
    const b = new Browser(server.url);
    const { step, done } = await signIn(b, `ann@${DOMAIN}`, 'ann-directory-secret');
    assert.match(step.text, /Directory password/, "the second step asks for the method's secret");
    assert.equal(done.status, 303, done.text);
    assert.equal(done.location, '/me');
    const profile = await b.get('/me');
    assert.match(profile.text, /Directory Corp/);
    const ann = await memberOf(`ann@${DOMAIN}`);
    assert.equal(ann?.UserRegistrationStatus, 'Registered');
    assert.equal(ann?.LicenseType, 'Pro');
    assert.equal(ann?.DisplayName, 'Ann Archer');
    assert.ok(ann?.PersonalPIN, 'a registered member has a PIN');
    const signIns = await server.services.db.selectFrom('audit_events').select('details').where('action', '=', 'SignIn').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.equal(JSON.parse(signIns.details).method, 'test-directory');
    // An address outside the domain is Carillon's own password as before.
    const other = await new Browser(server.url).get('/signin');
    const step2 = await new Browser(server.url).post('/signin', { csrf: csrfOf(other.text), email: 'someone@example.com' });
    assert.equal(step2.status, 403, 'the CSRF token belongs to the first browser');
  });

  test("the license follows the groups at each sign-in; a wrong secret is the method's own refusal", async () => {
    const first = await signIn(new Browser(server.url), `bo@${DOMAIN}`, 'bo-directory-secret');
    assert.equal(first.done.status, 303);
    assert.equal((await memberOf(`bo@${DOMAIN}`))?.LicenseType, 'Basic');
    await setPeople({ ...(await server.services.methods.config<DirectoryConfig>(server.services.db, directoryAccount, 'test-directory'))!.people, [`bo@${DOMAIN}`]: { password: 'bo-directory-secret', name: 'Bo Baker', groups: ['carillon-pro'] } });
    assert.equal((await signIn(new Browser(server.url), `bo@${DOMAIN}`, 'bo-directory-secret')).done.status, 303);
    assert.equal((await memberOf(`bo@${DOMAIN}`))?.LicenseType, 'Pro');
    const wrong = await signIn(new Browser(server.url), `bo@${DOMAIN}`, 'not-his-secret');
    assert.equal(wrong.done.status, 401);
    assert.match(wrong.done.text, /The directory refused that email and password/);
  });

  test('someone in none of the licensed groups is refused (403) and not made a member', async () => {
    const { done } = await signIn(new Browser(server.url), `cy@${DOMAIN}`, 'cy-directory-secret');
    assert.equal(done.status, 403);
    assert.match(done.text, /not in any of the groups/);
    assert.equal(await memberOf(`cy@${DOMAIN}`), undefined);
  });

  test('a suspended member is refused, and the session of a suspended member ends', async () => {
    const b = new Browser(server.url);
    assert.equal((await signIn(b, `ann@${DOMAIN}`, 'ann-directory-secret')).done.status, 303);
    const ann = (await memberOf(`ann@${DOMAIN}`))!;
    await server.client.send(new BatchSuspendUserCommand({ AccountId: directoryAccount, UserIdList: [ann.UserId!] }));
    assert.equal((await b.get('/me')).status, 303, 'the session ended');
    const again = await signIn(new Browser(server.url), `ann@${DOMAIN}`, 'ann-directory-secret');
    assert.equal(again.done.status, 403);
    assert.match(again.done.text, /suspended/);
    const { User } = await server.client.send(new GetUserCommand({ AccountId: directoryAccount, UserId: ann.UserId! }));
    assert.equal(User?.UserRegistrationStatus, 'Suspended');
  });

  test('a person who belonged to another account moves to the account whose method vouched for them', async () => {
    const { Account } = await server.client.send(new CreateAccountCommand({ Name: `Old Team ${randomBytes(2).toString('hex')}` }));
    const address = `dee@${DOMAIN}`;
    await setPeople({ ...(await server.services.methods.config<DirectoryConfig>(server.services.db, directoryAccount, 'test-directory'))!.people, [address]: { password: 'dee-directory-secret', name: 'Dee Dunn', groups: ['carillon-basic'] } });
    // Dee was invited to a Team account and registered there first (with a password of her own).
    await server.client.send(new InviteUsersCommand({ AccountId: Account!.AccountId!, UserEmailList: [address] }));
    const token = (await server.services.db.selectFrom('outbox').select('text_body').where('recipient', '=', address).executeTakeFirstOrThrow()).text_body.match(/\/invitations\/([A-Za-z0-9_-]+)/)![1]!;
    const browser = new Browser(server.url);
    const page = await browser.get(`/invitations/${token}`);
    assert.equal((await browser.post(`/invitations/${token}/register`, { csrf: csrfOf(page.text), name: 'Dee Dunn', password: 'Harbour-Lantern-Quartz-1906' })).status, 303);
    // Her address belongs to the directory account's domain now: signing in through it moves her there.
    assert.equal((await signIn(new Browser(server.url), address, 'dee-directory-secret')).done.status, 303);
    assert.equal((await memberOf(address))?.UserRegistrationStatus, 'Registered');
    const { Users } = await server.client.send(new ListUsersCommand({ AccountId: Account!.AccountId!, UserEmail: address }));
    assert.deepEqual(Users, [], 'she left the Team account');
  });
});
