// The whole journey of a person, over HTTP with real peers: an administrator invites (AWS SDK), the invitation
// arrives by SMTP, the person registers from its link, a meetings app signs them in through Carillon's OpenID
// Connect provider (openid-client as the relying party) and reads their claims; then the administrator suspends
// them, and their Carillon session, access token and refresh token all stop working at once.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { BatchSuspendUserCommand, CreateAccountCommand, GetUserCommand, InviteUsersCommand } from '@aws-sdk/client-chime';
import * as oidc from 'openid-client';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { OidcClients } from '../src/oidc/oidc-clients.js';
import { Browser, csrfOf } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const APP_REDIRECT = 'https://meetings.example.test/callback';
let server: TestServer;
let sink: SmtpSink;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  sink = await startSmtpSink();
  const port = await freePort();
  // The provider's issuer and the emailed links are built from the public URL, so it must be the real address.
  server = await startTestServer({ env: { PORT: String(port), CARILLON_PUBLIC_URL: `http://127.0.0.1:${port}`, SMTP_URL: sink.url, CARILLON_MAIL_POLL_MS: '50' } });
});

after(async () => {
  await server.stop();
  await sink.stop();
});

/** Follows Carillon's redirects until one leaves for the app; returns that URL. */
async function followToApp(browser: Browser, start: string): Promise<URL> {
  let next = new URL(start);
  for (let hop = 0; hop < 10; hop++) {
    const res = await browser.get(next.pathname + next.search);
    assert.equal(res.status, 303, `expected a redirect at ${next.pathname}, got ${res.status}`);
    next = new URL(res.location!, server.url);
    if (next.origin !== new URL(server.url).origin) return next;
  }
  throw new Error('too many redirects');
}

test('invite, register from the email, sign in to an app, read claims; suspension ends session and tokens', async () => {
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Harbour Works' }));
  const accountId = Account!.AccountId!;
  const email = 'ada@harbour.example';
  const invited = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [email] }));
  assert.equal(invited.Invites?.[0]?.Status, 'Pending');

  // The invitation arrives through SMTP and carries the link.
  const mail = await sink.waitFor((m) => (m.text ?? '').includes('/invitations/') && JSON.stringify(m.to).includes(email));
  assert.match(mail.subject ?? '', /Harbour Works/);
  const link = new URL(/https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/.exec(mail.text!)![0]);

  // The person registers from the link and is signed in to Carillon.
  const browser = new Browser(server.url);
  const invitationPage = await browser.get(link.pathname);
  assert.equal(invitationPage.status, 200);
  const registered = await browser.post(`${link.pathname}/register`, { csrf: csrfOf(invitationPage.text), name: 'Ada Lovelace', password: 'Analytical-Engine-1843' });
  assert.equal(registered.status, 303);
  assert.equal((await browser.get('/me')).status, 200);

  // A meetings app, registered with Carillon, signs the person in with the code flow and PKCE.
  const app = await new OidcClients({ db: server.services.db, secretBox: server.services.secretBox }).createApp({ type: 'system', id: 'test' }, { name: 'Meetings', redirectUris: [APP_REDIRECT] });
  const rp = await oidc.discovery(new URL(`${server.url}/oidc`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authorize = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: APP_REDIRECT,
    scope: 'openid email profile carillon',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await followToApp(browser, authorize.toString());
  assert.equal(callback.origin + callback.pathname, APP_REDIRECT);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier, expectedState: state });
  const claims = tokens.claims()!;
  const info = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub);
  const userId = (await server.services.users.listUsers({ accountId, userEmail: email, limit: 1 })).items[0]!.id;
  const { User } = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: userId }));
  assert.equal(User?.UserRegistrationStatus, 'Registered');
  assert.equal(User?.UserInvitationStatus, 'Accepted');
  assert.deepEqual(
    { email: info.email, name: info.name, account_id: info.account_id, account_type: info.account_type, license: info.license },
    { email, name: 'Ada Lovelace', account_id: accountId, account_type: 'Team', license: 'Pro' },
  );
  assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, true);
  assert.ok(tokens.refresh_token, 'a refresh token is issued');

  // The account becomes Enterprise (this stands in for the domain-claim capability, a later issue), so that
  // BatchSuspendUser suspends rather than removes.
  await accountsRepository.update(server.services.db, accountId, { type: 'EnterpriseLWA' }, new Date().toISOString());
  // Suspend in a later second than the tokens' iat: the same-second case is covered in test/oidc.test.ts.
  await new Promise((r) => setTimeout(r, 1050 - (Date.now() % 1000)));
  const suspended = await server.client.send(new BatchSuspendUserCommand({ AccountId: accountId, UserIdList: [userId] }));
  assert.deepEqual(suspended.UserErrors, []);

  // Every path is closed at once: the Carillon session, the access token, introspection, the refresh token.
  const me = await browser.get('/me');
  assert.equal(me.status, 303);
  assert.match(me.location ?? '', /^\/signin/);
  await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, claims.sub));
  assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, false);
  assert.equal((await oidc.tokenIntrospection(rp, tokens.refresh_token!)).active, false);
  await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!));
  // And signing in again is refused.
  const signin = await browser.get('/signin');
  const again = await browser.post('/signin', { csrf: csrfOf(signin.text), return_to: '/me', email, password: 'Analytical-Engine-1843' });
  assert.equal(again.status, 403);
  assert.match(again.text, /suspended/);
});
