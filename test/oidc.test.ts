// Carillon as an OpenID Connect provider, end to end: a real server, apps registered with the real `carillon`
// CLI, and openid-client (v6) as the relying party, on SQLite and on PostgreSQL.
//
// STAND-IN: most suites use an identity directory and session reader implemented IN THIS TEST over a tiny table
// (test_oidc_people) and a plain `test_session` cookie, so each revocation case (tokensStillValid false, claimsFor
// undefined) is exact. The last suite runs the same
// provider with the real one (SigninService, /signin). The stand-ins are handed to buildApp's `oidc` option.
import assert from 'node:assert/strict';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import * as oidc from 'openid-client';
import { buildApp } from '../src/app.js';
import { createServices, type ComposedServices as Services } from '../src/app-services.js';
import { createOidcModule } from '../src/oidc/oidc-module.js';
import type { OidcDeps } from '../src/oidc/oidc-routes.js';
import { loadConfig, type Config } from '../src/config.js';
import { purgeExpiredOidcPayloads } from '../src/oidc/oidc-adapter.js';
import { createLogger } from '../src/platform/logger.js';
import { SecretBox, resolveMasterKey } from '../src/platform/secret-box.js';
import type { IdentityClaims, IdentityDirectory, SessionReader } from '../src/signin/identity-directory.js';
import { runCarillon } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { sendRaw } from './support/signed-request.js';

const REDIRECT_URI = 'https://meetings.example.test/oidc/callback';
const OTHER_REDIRECT_URI = 'https://chat.example.test/callback';
const SCOPE = 'openid email profile carillon';

type Person = { id: string; email: string; name: string | null; accountId: string | null; accountType: string | null; license: string };
type RegisteredApp = { client_id: string; client_secret: string; name: string; redirect_uris: string[]; issuer: string };

let dataDir: string;
let database: TestDatabase;
let services: Services;
let app: FastifyInstance;
let baseUrl: string;
let issuer: string;
let cliEnv: Record<string, string>;
let meetings: RegisteredApp;
let config: Config;
let logger: ReturnType<typeof createLogger>;
let secretBox: SecretBox;
let rp: oidc.Configuration;
/** Every secret value seen in this file: none may be stored in plain text. */
const seenSecrets: string[] = [];

// ---- the stand-in sign-in service ---------------------------------------------------------------------------

const people = () => services.db as unknown as Kysely<any>;

const standInIdentities: IdentityDirectory = {
  async claimsFor(identityId): Promise<IdentityClaims | undefined> {
    const row = await people().selectFrom('test_oidc_people').selectAll().where('id', '=', identityId).executeTakeFirst();
    if (!row || row.removed === 1) return undefined;
    return {
      sub: row.id,
      email: row.email,
      email_verified: true,
      name: row.name ?? undefined,
      account_id: row.account_id ?? undefined,
      account_type: row.account_type ?? undefined,
      license: row.license,
    };
  },
  async tokensStillValid(identityId, issuedAtSeconds) {
    const row = await people().selectFrom('test_oidc_people').select('revoked_at_s').where('id', '=', identityId).executeTakeFirst();
    if (!row) return false;
    return row.revoked_at_s === null || issuedAtSeconds > Number(row.revoked_at_s);
  },
};

const standInSessions: SessionReader = {
  async currentIdentityId(headers) {
    const cookie = [headers.cookie].flat().join('; ');
    return /(?:^|;\s*)test_session=([^;]+)/.exec(cookie)?.[1];
  },
};

let personCount = 0;
async function addPerson(overrides: Partial<Person> = {}): Promise<Person> {
  personCount++;
  const person: Person = {
    id: `person-${personCount}-${Date.now()}`,
    email: `person${personCount}@example.test`,
    name: `Person ${personCount}`,
    accountId: 'acct-1',
    accountType: 'Team',
    license: 'Pro',
    ...overrides,
  };
  await people()
    .insertInto('test_oidc_people')
    .values({ id: person.id, email: person.email, name: person.name, account_id: person.accountId, account_type: person.accountType, license: person.license, removed: 0, revoked_at_s: null })
    .execute();
  return person;
}

/** "Sign out everywhere" / suspension: tokens issued up to this second stop working. */
const signOutEverywhere = (p: Person) =>
  people().updateTable('test_oidc_people').set({ revoked_at_s: Math.floor(Date.now() / 1000) }).where('id', '=', p.id).execute();
/** Removal: the person is gone from the directory. */
const removePerson = (p: Person) => people().updateTable('test_oidc_people').set({ removed: 1 }).where('id', '=', p.id).execute();

// ---- a browser: cookies by hand, redirects followed one at a time --------------------------------------------

class Browser {
  constructor(readonly base: string = baseUrl) {}

  private readonly jar = new Map<string, { name: string; value: string; path: string }>();

  setCookie(name: string, value: string): void {
    this.jar.set(`${name};/`, { name, value, path: '/' });
  }

  clearCookie(name: string): void {
    for (const [k, c] of this.jar) if (c.name === name) this.jar.delete(k);
  }

  get(url: string | URL): Promise<Response> {
    return this.request(url);
  }

  post(url: string | URL, form: URLSearchParams): Promise<Response> {
    return this.request(url, form);
  }

  /** What a browser does with an auto-submitting form page (oidc-provider uses one to switch accounts). */
  async submitAutoForm(page: Response): Promise<Response> {
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action, `expected an auto-submitting form, got: ${html.slice(0, 200)}`);
    const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m): [string, string] => [m[1]!, m[2]!]);
    return this.request(action, new URLSearchParams(fields));
  }

  private async request(url: string | URL, form?: URLSearchParams): Promise<Response> {
    const target = new URL(url, this.base);
    const cookies = [...this.jar.values()].filter((c) => target.pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`);
    const headers: Record<string, string> = cookies.length ? { cookie: cookies.join('; ') } : {};
    const res = await fetch(target, form ? { method: 'POST', body: form, redirect: 'manual', headers } : { redirect: 'manual', headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const attr = (n: string) => attrs.find((a) => a.toLowerCase().startsWith(`${n}=`))?.slice(n.length + 1);
      const cookiePath = attr('path') ?? '/';
      const expires = attr('expires');
      const gone = value === '' || (expires !== undefined && Date.parse(expires) <= Date.now()) || attr('max-age') === '0';
      if (gone) this.jar.delete(`${name};${cookiePath}`);
      else this.jar.set(`${name};${cookiePath}`, { name, value, path: cookiePath });
    }
    return res;
  }
}

const location = (res: Response, base: string = baseUrl): URL => {
  assert.ok([302, 303].includes(res.status), `expected a redirect, got ${res.status} at ${res.url}`);
  return new URL(res.headers.get('location')!, base);
};

type AuthRequest = { url: URL; verifier: string; state: string };

async function authorizationRequest(config: oidc.Configuration = rp, extra: Record<string, string> = {}): Promise<AuthRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  return { url, verifier, state };
}

/** Follows redirects inside Carillon until one leaves for the app (or Carillon answers with a page). */
async function followToApp(browser: Browser, start: URL): Promise<URL> {
  let next = start;
  for (let hops = 0; hops < 10; hops++) {
    let res = await browser.get(next);
    if (res.status === 200) res = await browser.submitAutoForm(res);
    next = location(res, browser.base);
    if (next.origin !== browser.base) return next;
  }
  throw new Error('too many redirects');
}

/** A full sign-in: the browser starts at the app's authorization URL and signs in to Carillon when asked. */
async function signIn(browser: Browser, person: Person, config: oidc.Configuration = rp): Promise<AuthRequest & { callback: URL }> {
  const request = await authorizationRequest(config);
  const first = location(await browser.get(request.url));
  if (first.origin !== baseUrl) return { ...request, callback: first };
  assert.match(first.pathname, /^\/oidc\/interaction\/[\w-]+$/);
  let res = await browser.get(first);
  if (location(res).pathname === '/signin') {
    // The stand-in /signin: the person signs in, and the page sends the browser back to return_to.
    const returnTo = location(res).searchParams.get('return_to')!;
    assert.equal(returnTo, first.pathname, 'return_to is the interaction URL, relative');
    browser.setCookie('test_session', person.id);
    res = await browser.get(returnTo);
  }
  const callback = await followToApp(browser, location(res));
  return { ...request, callback };
}

async function tokensFor(person: Person, browser = new Browser()) {
  const flow = await signIn(browser, person);
  assert.equal(flow.callback.origin + flow.callback.pathname, REDIRECT_URI);
  const tokens = await oidc.authorizationCodeGrant(rp, flow.callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
  seenSecrets.push(tokens.access_token, tokens.refresh_token!, flow.callback.searchParams.get('code')!);
  return { tokens, browser };
}

/** An authorization code the app has not exchanged yet. */
async function unusedCode(person: Person, browser = new Browser()) {
  const flow = await signIn(browser, person);
  assert.ok(flow.callback.searchParams.get('code'));
  return flow;
}

const oauthError = (code: string) => (e: unknown) => {
  // A JSON error body (400), or a WWW-Authenticate challenge (401 for a client that fails authentication).
  const err = e as { error?: string; cause?: Array<{ parameters?: { error?: string } }> };
  const got = err.error ?? (Array.isArray(err.cause) ? err.cause[0]?.parameters?.error : undefined);
  assert.equal(got, code, `expected OAuth error ${code}, got ${String((e as Error).message)}`);
  return true;
};

async function userinfoStatus(accessToken: string, at: string = issuer): Promise<{ status: number; challenge: string | null; body: unknown }> {
  const res = await fetch(`${at}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.json() };
}

function decodeJwtPart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Verifies an ID token's RS256 signature against the provider's published JWKS (node:crypto, not the RP). */
async function verifiesAgainstJwks(idToken: string): Promise<boolean> {
  const [h, p, s] = idToken.split('.');
  const { kid } = decodeJwtPart(h!);
  const jwks = (await (await fetch(rp.serverMetadata().jwks_uri!)).json()) as { keys: Array<Record<string, unknown>> };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return false;
  return verifySignature('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk as any, format: 'jwk' }), Buffer.from(s!, 'base64url'));
}

// ---- the CLI, as a real subprocess ---------------------------------------------------------------------------

const carillon = (...args: string[]) => runCarillon(cliEnv, ...args);

async function createApp(name: string, ...redirectUris: string[]): Promise<RegisteredApp> {
  const run = await carillon('apps', 'create', '--name', name, ...redirectUris.flatMap((u) => ['--redirect-uri', u]));
  assert.equal(run.code, 0, run.stderr);
  const created = JSON.parse(run.stdout) as RegisteredApp;
  seenSecrets.push(created.client_secret);
  return created;
}

const discover = (registered: RegisteredApp) =>
  oidc.discovery(new URL(issuer), registered.client_id, undefined, oidc.ClientSecretBasic(registered.client_secret), { execute: [oidc.allowInsecureRequests] });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}


/** An app over the shared services whose OpenID Connect provider has some collaborators swapped. */
function appWithOidc(overrides: Partial<OidcDeps>): Promise<FastifyInstance> {
  return buildApp(services, logger, { modules: services.modules.map((m) => (m.name === 'oidc' ? createOidcModule(overrides) : m)) });
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-oidc-'));
  database = await createTestDatabase();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  issuer = `${baseUrl}/oidc`;
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    CARILLON_DATA_DIR: dataDir,
    CARILLON_PUBLIC_URL: baseUrl,
    LOG_LEVEL: process.env.CARILLON_TEST_LOG_LEVEL ?? 'silent',
    ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }),
  };
  config = loadConfig(env);
  logger = createLogger(config.logLevel);
  secretBox = new SecretBox(resolveMasterKey(config.masterKey, config.dataDir).key);
  services = await createServices(config, logger, { startWorkers: false });
  await people()
    .schema.createTable('test_oidc_people')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('account_id', 'text')
    .addColumn('account_type', 'text')
    .addColumn('license', 'text', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull())
    .addColumn('revoked_at_s', 'integer')
    .execute();
  app = await appWithOidc({
    config,
    secretBox,
    identities: standInIdentities,
    sessions: standInSessions,
    keyRefreshMs: 0, // see a key rotation made by the CLI at once
  });
  await app.listen({ port, host: '127.0.0.1' });
  cliEnv = env;
  meetings = await createApp('Meetings', REDIRECT_URI);
  rp = await discover(meetings);
});

after(async () => {
  await app?.close();
  await services?.close();
  await database?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('discovery and registration', () => {
  test('discovery advertises code + S256 PKCE, the Carillon scope and claims, all under the public URL', async () => {
    const meta = rp.serverMetadata();
    assert.equal(meta.issuer, issuer);
    for (const endpoint of [meta.authorization_endpoint, meta.token_endpoint, meta.userinfo_endpoint, meta.jwks_uri, meta.introspection_endpoint, meta.revocation_endpoint]) {
      assert.ok(endpoint?.startsWith(`${issuer}/`), `${endpoint} is under the issuer`);
    }
    assert.deepEqual(meta.response_types_supported, ['code']);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    for (const scope of ['openid', 'email', 'profile', 'carillon']) assert.ok(meta.scopes_supported?.includes(scope), scope);
    for (const claim of ['sub', 'email', 'email_verified', 'name', 'account_id', 'account_type', 'license']) assert.ok(meta.claims_supported?.includes(claim), claim);
    assert.ok(meta.grant_types_supported?.includes('refresh_token'));
    assert.equal(meta.registration_endpoint, undefined, 'no dynamic registration: apps come from the CLI');

    // A forged Host header changes nothing: the provider always describes itself at the public URL.
    const forgeries: Array<Record<string, string>> = [{ host: 'evil.example' }, { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }];
    for (const headers of forgeries) {
      const forged = await sendRaw(baseUrl, { method: 'GET', path: '/oidc/.well-known/openid-configuration', headers });
      const body = forged.json as { issuer: string; token_endpoint: string; authorization_endpoint: string };
      assert.equal(body.issuer, issuer);
      assert.equal(body.token_endpoint, `${issuer}/token`);
      assert.equal(body.authorization_endpoint, `${issuer}/auth`);
    }

    // JWKS publishes public keys only.
    const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.kty, 'RSA');
    assert.equal(jwks.keys[0]!.d, undefined);
  });

  test('apps list shows the apps without secrets; bad command lines are refused', async () => {
    const list = await carillon('apps', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    const apps = JSON.parse(list.stdout) as Array<{ client_id: string; name: string; redirect_uris: string[]; revoked_at: string | null }>;
    const mine = apps.find((a) => a.client_id === meetings.client_id);
    assert.deepEqual(mine && { name: mine.name, redirect_uris: mine.redirect_uris, revoked_at: mine.revoked_at }, { name: 'Meetings', redirect_uris: [REDIRECT_URI], revoked_at: null });
    assert.ok(!list.stdout.includes(meetings.client_secret));
    const table = await carillon('apps', 'list');
    assert.ok(table.stdout.includes(meetings.client_id) && !table.stdout.includes(meetings.client_secret));

    assert.equal((await carillon('apps', 'create', '--name', 'No Redirect')).code, 2);
    assert.equal((await carillon('apps', 'create', '--redirect-uri', REDIRECT_URI)).code, 2);
    const fragment = await carillon('apps', 'create', '--name', 'Fragment', '--redirect-uri', 'https://x.example/cb#frag');
    assert.equal(fragment.code, 1);
    assert.match(fragment.stderr, /fragment/);
    const scheme = await carillon('apps', 'create', '--name', 'Scheme', '--redirect-uri', 'javascript:alert(1)');
    assert.equal(scheme.code, 1);
    const after = JSON.parse((await carillon('apps', 'list', '--json')).stdout) as unknown[];
    assert.equal(after.length, apps.length, 'refused command lines registered nothing');

    // The registration is an audited administrative change, and the audit log holds no secret.
    const audit = await carillon('audit', '--action', 'CreateOidcApp', '--json');
    const events = JSON.parse(audit.stdout) as Array<{ resourceType: string; resourceId: string; actorType: string }>;
    assert.deepEqual(events.filter((e) => e.resourceId === meetings.client_id).map((e) => [e.resourceType, e.actorType]), [['oidc_app', 'cli']]);
    assert.ok(!audit.stdout.includes(meetings.client_secret));
  });
});

describe('behind a reverse proxy at https://id.example.test/carillon', () => {
  const publicUrl = 'https://id.example.test/carillon';
  let proxiedApp: FastifyInstance;
  let direct: string;

  before(async () => {
    const port = await freePort();
    direct = `http://127.0.0.1:${port}`;
    proxiedApp = await appWithOidc({ config: { ...config, publicUrl }, secretBox, identities: standInIdentities, sessions: standInSessions, keyRefreshMs: 0 });
    await proxiedApp.listen({ port, host: '127.0.0.1' });
  });

  after(async () => {
    await proxiedApp?.close();
  });

  test('issuer, endpoints and every link handed to the browser carry the public URL and its path', async () => {
    const discovery = await sendRaw(direct, { method: 'GET', path: '/oidc/.well-known/openid-configuration', headers: { host: `127.0.0.1` } });
    const meta = discovery.json as { issuer: string; token_endpoint: string; jwks_uri: string };
    assert.equal(meta.issuer, `${publicUrl}/oidc`);
    assert.equal(meta.token_endpoint, `${publicUrl}/oidc/token`);
    assert.equal(meta.jwks_uri, `${publicUrl}/oidc/jwks`);

    const query = new URLSearchParams({
      client_id: meetings.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const start = await sendRaw(direct, { method: 'GET', path: `/oidc/auth?${query}`, headers: {} });
    assert.equal(start.status, 303);
    const interactionPath = String(start.headers.location);
    assert.match(interactionPath, /^\/carillon\/oidc\/interaction\/[\w-]+$/);
    const setCookies = [start.headers['set-cookie']].flat().filter((c): c is string => !!c);
    assert.ok(setCookies.length > 0 && setCookies.every((c) => /;\s*secure/i.test(c)), 'cookies are Secure at an https public URL');
    assert.ok(setCookies.some((c) => c.includes(`path=${interactionPath}`)), 'the interaction cookie is scoped to the public path');

    // The proxy strips /carillon; the interaction page sends the browser to the public /carillon/signin.
    const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
    const page = await sendRaw(direct, { method: 'GET', path: interactionPath.replace(/^\/carillon/, ''), headers: { cookie } });
    assert.equal(page.status, 303);
    assert.equal(page.headers.location, `/carillon/signin?return_to=${encodeURIComponent(interactionPath)}`);
  });
});

describe('sign-in with code + PKCE', () => {
  test('a person signs in through /signin, the app gets tokens, userinfo has the Carillon claims, refresh rotates', async () => {
    const person = await addPerson({ name: 'Ada Lovelace', accountType: 'EnterpriseOIDC', license: 'Pro' });
    const browser = new Browser();
    const flow = await signIn(browser, person);
    assert.equal(flow.callback.origin + flow.callback.pathname, REDIRECT_URI);
    assert.equal(flow.callback.searchParams.get('state'), flow.state);

    const tokens = await oidc.authorizationCodeGrant(rp, flow.callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    seenSecrets.push(tokens.access_token, tokens.refresh_token!);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.refresh_token, 'a refresh token is issued');
    assert.equal(tokens.claims()?.sub, person.id);
    assert.equal(tokens.claims()?.iss, issuer);
    assert.equal(tokens.claims()?.aud, meetings.client_id);
    assert.ok(await verifiesAgainstJwks(tokens.id_token!));

    const info = await oidc.fetchUserInfo(rp, tokens.access_token, person.id);
    assert.deepEqual(
      { ...info },
      { sub: person.id, email: person.email, email_verified: true, name: 'Ada Lovelace', account_id: 'acct-1', account_type: 'EnterpriseOIDC', license: 'Pro' },
    );

    const introspected = await oidc.tokenIntrospection(rp, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.sub, person.id);
    assert.equal(introspected.client_id, meetings.client_id);

    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    seenSecrets.push(refreshed.access_token, refreshed.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotates');
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.equal((await oidc.fetchUserInfo(rp, refreshed.access_token, person.id)).license, 'Pro');
    // The replaced refresh token is spent.
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!), oauthError('invalid_grant'));

    // Already signed in: the next sign-in goes straight back to the app, with no page in between.
    const again = await authorizationRequest();
    const back = await followToApp(browser, again.url);
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.ok(back.searchParams.get('code'));
  });

  test('scopes limit the claims: openid alone releases only sub', async () => {
    const person = await addPerson();
    const browser = new Browser();
    browser.setCookie('test_session', person.id);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const callback = await followToApp(browser, url);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier });
    seenSecrets.push(tokens.access_token, tokens.refresh_token!);
    assert.deepEqual({ ...(await oidc.fetchUserInfo(rp, tokens.access_token, person.id)) }, { sub: person.id });
  });

  test('the provider session follows the Carillon sign-in: another person, or none, means a new login', async () => {
    const alice = await addPerson();
    const bob = await addPerson();
    const { browser } = await tokensFor(alice);

    // The Carillon session now belongs to Bob: the app must receive Bob, not Alice's provider session.
    browser.setCookie('test_session', bob.id);
    const asBob = await authorizationRequest();
    const callback = await followToApp(browser, asBob.url);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: asBob.verifier, expectedState: asBob.state });
    seenSecrets.push(tokens.access_token, tokens.refresh_token!);
    assert.equal(tokens.claims()?.sub, bob.id);

    // Signed out of Carillon: back to /signin, even though the provider session still exists.
    browser.clearCookie('test_session');
    const signedOut = await authorizationRequest();
    const interaction = location(await browser.get(signedOut.url));
    assert.match(interaction.pathname, /^\/oidc\/interaction\//);
    assert.equal(location(await browser.get(interaction)).pathname, '/signin');

    // prompt=none cannot skip that: the app hears login_required.
    const silent = await authorizationRequest(rp, { prompt: 'none' });
    const answer = location(await browser.get(silent.url));
    assert.equal(answer.origin + answer.pathname, REDIRECT_URI);
    assert.equal(answer.searchParams.get('error'), 'login_required');
  });

  test('cancelling the sign-in sends access_denied back to the app', async () => {
    const browser = new Browser();
    const request = await authorizationRequest();
    const interaction = location(await browser.get(request.url));
    const back = await followToApp(browser, new URL(`${interaction.pathname}/abort`, baseUrl));
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), request.state);
    assert.equal(back.searchParams.get('code'), null);
  });

  test('an interaction URL without its browser cookie is an error page, not a sign-in', async () => {
    const request = await authorizationRequest();
    const interaction = location(await new Browser().get(request.url));
    const stranger = new Browser();
    stranger.setCookie('test_session', (await addPerson()).id);
    const res = await stranger.get(interaction);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });
});

describe('protocol checks', () => {
  test('an authorization code works once; a replay is refused and revokes what the first exchange issued', async () => {
    const person = await addPerson();
    const flow = await unusedCode(person);
    const tokens = await oidc.authorizationCodeGrant(rp, flow.callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    seenSecrets.push(tokens.access_token, tokens.refresh_token!);
    assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, true);
    await assert.rejects(oidc.authorizationCodeGrant(rp, flow.callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state }), oauthError('invalid_grant'));
    assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, false);
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!), oauthError('invalid_grant'));
  });

  test('a wrong code_verifier is refused, and PKCE cannot be left out', async () => {
    const person = await addPerson();
    const flow = await unusedCode(person);
    await assert.rejects(
      oidc.authorizationCodeGrant(rp, flow.callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: flow.state }),
      oauthError('invalid_grant'),
    );

    const browser = new Browser();
    browser.setCookie('test_session', person.id);
    const noPkce = oidc.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: SCOPE, state: 'no-pkce' });
    const answer = location(await browser.get(noPkce));
    assert.equal(answer.origin + answer.pathname, REDIRECT_URI);
    assert.equal(answer.searchParams.get('error'), 'invalid_request');
    assert.equal(answer.searchParams.get('code'), null);

    const plain = oidc.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: SCOPE, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    const plainAnswer = location(await browser.get(plain));
    assert.equal(plainAnswer.searchParams.get('error'), 'invalid_request');
  });

  test('a redirect_uri that is not registered for the app gets an error page, never a redirect', async () => {
    await createApp('Chat', OTHER_REDIRECT_URI); // registered, but for another app
    const person = await addPerson();
    const browser = new Browser();
    browser.setCookie('test_session', person.id);
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    // An attacker's site, and another app's (registered, but not for this client) redirect URI.
    for (const redirectUri of ['https://evil.example/steal', OTHER_REDIRECT_URI, `${REDIRECT_URI}/../../evil`]) {
      const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: redirectUri, scope: SCOPE, code_challenge: challenge, code_challenge_method: 'S256' });
      const res = await browser.get(url);
      assert.equal(res.status, 400, redirectUri);
      assert.equal(res.headers.get('location'), null, redirectUri);
      assert.match(await res.text(), /redirect_uri/);
      // The provider's own error page carries the same protections as every other end-user page.
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, redirectUri);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', redirectUri);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', redirectUri);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', redirectUri);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/, redirectUri);
    }
  });

  test('a revoked app can neither start a sign-in nor use the token endpoint', async () => {
    const doomed = await createApp('Doomed', REDIRECT_URI);
    const doomedRp = await discover(doomed);
    const person = await addPerson();
    const browser = new Browser();
    const flow = await signIn(browser, person, doomedRp);
    const tokens = await oidc.authorizationCodeGrant(doomedRp, flow.callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    seenSecrets.push(tokens.access_token, tokens.refresh_token!);
    const pending = await signIn(browser, person, doomedRp);

    const revoked = await carillon('apps', 'revoke', doomed.client_id);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await carillon('apps', 'revoke', doomed.client_id)).code, 1, 'revoking twice is an error');

    await assert.rejects(oidc.refreshTokenGrant(doomedRp, tokens.refresh_token!), oauthError('invalid_client'));
    await assert.rejects(oidc.authorizationCodeGrant(doomedRp, pending.callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state }), oauthError('invalid_client'));
    const start = await browser.get((await authorizationRequest(doomedRp)).url);
    assert.equal(start.status, 400);
    assert.equal(start.headers.get('location'), null);
    const listed = JSON.parse((await carillon('apps', 'list', '--json')).stdout) as Array<{ client_id: string; revoked_at: string | null }>;
    assert.ok(listed.find((a) => a.client_id === doomed.client_id)?.revoked_at);
  });
});

describe('revocation follows the identity directory on every path', () => {
  for (const [label, revoke] of [
    ['signed out everywhere or suspended (tokensStillValid is false)', signOutEverywhere],
    ['removed (claimsFor is undefined)', removePerson],
  ] as const) {
    test(label, async () => {
      const person = await addPerson();
      const { tokens, browser } = await tokensFor(person);
      const pending = await unusedCode(person, browser);
      // Everything works before.
      assert.equal((await userinfoStatus(tokens.access_token)).status, 200);
      assert.equal((await oidc.tokenIntrospection(rp, tokens.refresh_token!)).active, true);

      await revoke(person);

      const userinfo = await userinfoStatus(tokens.access_token);
      assert.equal(userinfo.status, 401);
      assert.match(userinfo.challenge ?? '', /invalid_token/);
      await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, person.id));
      assert.deepEqual({ ...(await oidc.tokenIntrospection(rp, tokens.access_token)) }, { active: false });
      assert.deepEqual({ ...(await oidc.tokenIntrospection(rp, tokens.refresh_token!)) }, { active: false });
      await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!), oauthError('invalid_grant'));
      await assert.rejects(oidc.authorizationCodeGrant(rp, pending.callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state }), oauthError('invalid_grant'));
    });
  }

  test('a removed person still signed in to Carillon is refused at sign-in: access_denied to the app', async () => {
    const person = await addPerson();
    const browser = new Browser();
    browser.setCookie('test_session', person.id);
    await removePerson(person);
    const request = await authorizationRequest();
    const back = await followToApp(browser, request.url);
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('code'), null);
  });
});

describe('signing keys and storage', () => {
  test('rotate-keys: JWKS has both keys, new ID tokens use the new kid, old ones still verify; the next rotation retires the oldest', async () => {
    const person = await addPerson();
    const before = (await tokensFor(person)).tokens.id_token!;
    const oldKid = decodeJwtPart(before.split('.')[0]!).kid as string;

    const rotation = await carillon('oidc', 'rotate-keys');
    assert.equal(rotation.code, 0, rotation.stderr);
    const kids = async () => ((await (await fetch(rp.serverMetadata().jwks_uri!)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    const published = await kids();
    assert.equal(published.length, 2);
    assert.ok(published.includes(oldKid));
    const newKid = published.find((k) => k !== oldKid)!;
    assert.ok(rotation.stdout.includes(newKid));

    const afterRotation = (await tokensFor(person)).tokens.id_token!;
    assert.equal(decodeJwtPart(afterRotation.split('.')[0]!).kid, newKid);
    assert.ok(await verifiesAgainstJwks(afterRotation));
    assert.ok(await verifiesAgainstJwks(before), 'ID tokens signed before the rotation still verify');
    // The check is real: a token with a broken signature does not verify.
    const tampered = `${afterRotation.slice(0, -4)}AAAA`;
    assert.equal(await verifiesAgainstJwks(tampered), false);

    assert.equal((await carillon('oidc', 'rotate-keys')).code, 0);
    const third = await kids();
    assert.equal(third.length, 2);
    assert.ok(!third.includes(oldKid), 'the oldest key is retired at the next rotation');
    assert.ok(third.includes(newKid));
    assert.equal(await verifiesAgainstJwks(before), false);
  });

  test('no secret is stored in plain text: client secrets, codes, tokens, signing keys', async () => {
    const person = await addPerson();
    await tokensFor(person);
    const db = services.db as unknown as Kysely<any>;
    const dump = JSON.stringify([
      await db.selectFrom('oidc_clients').selectAll().execute(),
      await db.selectFrom('oidc_payloads').selectAll().execute(),
      await db.selectFrom('oidc_keys').selectAll().execute(),
    ]);
    assert.ok(seenSecrets.length > 10);
    for (const secret of seenSecrets) assert.ok(!dump.includes(secret), 'a secret value is in the database');
    assert.ok(!/"d":|"kty"/.test(dump.replaceAll('\\"', '"')), 'a private key is in the database unsealed');
    const payloads = await db.selectFrom('oidc_payloads').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    assert.ok(Number(payloads.n) > 0, 'the provider stores its artifacts in oidc_payloads');
  });

  test('expired artifacts are purged; live ones are kept', async () => {
    const person = await addPerson();
    const { tokens } = await tokensFor(person);
    const count = async () => Number((await people().selectFrom('oidc_payloads').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
    const stored = await count();
    await purgeExpiredOidcPayloads(services.db);
    assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, true, 'nothing live is purged');
    assert.ok((await count()) > 0);
    // A year from now everything issued today has expired.
    const purged = await purgeExpiredOidcPayloads(services.db, new Date(Date.now() + 400 * 86_400_000));
    assert.ok(purged >= 1 && purged <= stored);
    assert.equal(await count(), 0);
    assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, false);
  });
});

describe('with the real sign-in service (SigninService as IdentityDirectory and SessionReader)', () => {
  let realApp: FastifyInstance;
  let realBase: string;
  let realRp: oidc.Configuration;

  before(async () => {
    // A second app over the same services and database, wired the way src/app.ts will wire it.
    const port = await freePort();
    realBase = `http://127.0.0.1:${port}`;
    realApp = await appWithOidc({ config: { ...config, publicUrl: realBase }, secretBox, keyRefreshMs: 0 });
    await realApp.listen({ port, host: '127.0.0.1' });
    realRp = await oidc.discovery(new URL(`${realBase}/oidc`), meetings.client_id, undefined, oidc.ClientSecretBasic(meetings.client_secret), { execute: [oidc.allowInsecureRequests] });
  });

  after(async () => {
    await realApp?.close();
  });

  test('a person signs in on /signin and comes back to the app; signing out everywhere kills every token', async () => {
    const email = `grace.${Date.now()}@example.test`;
    const password = 'Harbour-Lantern-Quartz-1906';
    const identity = await services.signin.createIdentity(services.db, { email, password, displayName: 'Grace Hopper', emailVerified: true });
    const browser = new Browser(realBase);

    const request = await authorizationRequest(realRp);
    const interaction = location(await browser.get(request.url), realBase);
    const toSignin = location(await browser.get(interaction), realBase);
    assert.equal(toSignin.pathname, '/signin');
    const page = await (await browser.get(toSignin)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    assert.equal(/name="return_to" value="([^"]+)"/.exec(page)?.[1], interaction.pathname, 'the sign-in page keeps return_to');
    const signedIn = await browser.post('/signin', new URLSearchParams({ csrf: csrf!, return_to: interaction.pathname, email, password }));
    const back = location(signedIn, realBase);
    assert.equal(back.pathname, interaction.pathname, '/signin sends the browser back to the interaction');
    const callback = await followToApp(browser, back);
    const tokens = await oidc.authorizationCodeGrant(realRp, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
    seenSecrets.push(tokens.access_token, tokens.refresh_token!);
    assert.equal(tokens.claims()?.sub, identity.id);
    const info = await oidc.fetchUserInfo(realRp, tokens.access_token, identity.id);
    const directory = await services.signin.claimsFor(identity.id);
    assert.deepEqual({ sub: info.sub, email: info.email, email_verified: info.email_verified, name: info.name, license: info.license }, {
      sub: identity.id,
      email,
      email_verified: true,
      name: 'Grace Hopper',
      license: directory?.license,
    });

    // Signed in already: a second sign-in is silent, and leaves a code the app has not exchanged yet.
    const second = await authorizationRequest(realRp);
    const pending = await followToApp(browser, second.url);
    assert.ok(pending.searchParams.get('code'));

    // Sign out in a later second than the tokens' iat, so this walk through every path does not hinge on
    // sub-second timing (the same-second case is the contract check below).
    await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
    await services.signin.signOutEverywhere(identity.id);

    assert.equal((await userinfoStatus(tokens.access_token, `${realBase}/oidc`)).status, 401);
    assert.equal((await oidc.tokenIntrospection(realRp, tokens.access_token)).active, false);
    assert.equal((await oidc.tokenIntrospection(realRp, tokens.refresh_token!)).active, false);
    await assert.rejects(oidc.refreshTokenGrant(realRp, tokens.refresh_token!), oauthError('invalid_grant'));
    await assert.rejects(oidc.authorizationCodeGrant(realRp, pending, { pkceCodeVerifier: second.verifier, expectedState: second.state }), oauthError('invalid_grant'));
    // The browser's Carillon session ended too: the next sign-in goes through /signin again.
    const third = await authorizationRequest(realRp);
    const thirdInteraction = location(await browser.get(third.url), realBase);
    assert.equal(location(await browser.get(thirdInteraction), realBase).pathname, '/signin');
  });

  test('contract: a token issued earlier in the same second as a sign-out everywhere is no longer valid', async () => {
    // Token iat has whole seconds. A token issued at 12:00:00.2 and a sign-out at 12:00:00.7 share iat 12:00:00;
    // IdentityDirectory.tokensStillValid must answer false, or a token stolen just before the sign-out lives on.
    const email = `same.second.${Date.now()}@example.test`;
    const identity = await services.signin.createIdentity(services.db, { email, password: 'Harbour-Lantern-Quartz-1906', displayName: undefined, emailVerified: true });
    assert.equal(await services.signin.tokensStillValid(identity.id, Math.floor(Date.now() / 1000) - 1), true, 'valid before any sign-out');
    await services.signin.signOutEverywhere(identity.id);
    const row = await people().selectFrom('identities').select('sessions_revoked_at').where('id', '=', identity.id).executeTakeFirstOrThrow();
    const signedOutSecond = Math.floor(Date.parse(row.sessions_revoked_at) / 1000);
    // iat = the sign-out's own second: the token may have been issued before the sign-out within that second.
    assert.equal(await services.signin.tokensStillValid(identity.id, signedOutSecond), false);
    assert.equal(await services.signin.tokensStillValid(identity.id, signedOutSecond + 1), true, 'a token from the next second is a new sign-in');
  });
});
