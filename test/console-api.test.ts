// The administration console's server side, over real HTTP (fetch) against a live server: the first-run setup
// link, password sign-in with its throttle, the session cookie and its CSRF header on /console/api and on the
// Chime API, the three administrator roles, disabling an administrator, and the Carillon API extensions the
// console reads (ListUsers filters, GetUserInvitation, ListDeletedAccounts, RestoreAccount, ListAuditEvents),
// with cookies and with SigV4 signatures.
//
// The describes run in order on one server: the first one needs an installation without any administrator.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import nodeHttp from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateAccountCommand, CreateUserCommand, DeleteAccountCommand, InviteUsersCommand } from '@aws-sdk/client-chime';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import type { Role } from '../src/platform/roles.js';
import { DAY_MS } from '../src/platform/clock.js';
import type { Actor } from '../src/platform/types.js';
import { sendRaw, signHeaders, signedRequest, type RawRequest } from './support/signed-request.js';
import { startTestServer, type Credentials, type TestServer } from './support/server.js';
import { databaseSnapshot } from './support/snapshot.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const PASSWORD = 'Lantern-Harbor-42';
const OTHER_PASSWORD = 'Quiet-Meadow-Falcon-7';
/** Who hands out setup links and disables administrators in these tests (the CLI in real life). */
const OPERATOR: Actor = { type: 'cli', id: 'console-api-test' };
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A fresh address no other test uses. */
const email = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;
const uniqueName = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;

// Response bodies are checked field by field; `any` keeps those checks readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Reply = { status: number; headers: Headers; text: string; json: Json };

type HttpOptions = {
  /** Sent as JSON with content-type application/json unless `contentType` says otherwise. */
  body?: unknown;
  /** Sent as is. */
  rawBody?: string;
  contentType?: string;
  cookie?: string;
  csrf?: string;
};

async function http(method: string, path: string, options: HttpOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    body = options.rawBody ?? JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  if (options.cookie !== undefined) headers.cookie = `carillon_console=${options.cookie}`;
  if (options.csrf !== undefined) headers['x-carillon-csrf'] = options.csrf;
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  let json: Json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts an error reply: status and body Code. */
function assertError(r: Reply, status: number, code: string, what = ''): void {
  assert.equal(r.status, status, `${what} → ${r.status} ${r.text}`);
  assert.equal(r.json?.Code, code, `${what}: ${r.text}`);
  assert.equal(typeof r.json?.Message, 'string');
}

/** The console cookie a Set-Cookie header sets: its value and Max-Age, when it is HttpOnly, SameSite=Strict and for
 *  the whole site (attributes in any order); null otherwise. */
const COOKIE = {
  exec(set: string): [string, string, string] | null {
    const [pair, ...attributes] = set.split(/;\s*/);
    const m = /^carillon_console=(.*)$/.exec(pair ?? '');
    const has = (a: string) => attributes.some((x) => x.toLowerCase() === a.toLowerCase());
    const maxAge = attributes.map((a) => /^Max-Age=(\d+)$/i.exec(a)).find(Boolean);
    if (!m || !has('HttpOnly') || !has('SameSite=Strict') || !has('Path=/') || !maxAge) return null;
    return [set, m[1]!, maxAge[1]!];
  },
};

/** The session cookie value a reply sets. */
function cookieOf(r: Reply): string {
  const set = r.headers.get('set-cookie');
  assert.ok(set, `a Set-Cookie header (status ${r.status} ${r.text})`);
  const m = COOKIE.exec(set);
  assert.ok(m, `the console cookie is HttpOnly and SameSite=Strict: ${set}`);
  return m[1]!;
}

const tokenOf = (link: string) => {
  const m = /\/console\/setup#token=([A-Za-z0-9_-]+)$/.exec(link);
  assert.ok(m, `a setup link with the token in the fragment: ${link}`);
  return m[1]!;
};

type Session = { id: string; email: string; role: Role; cookie: string; csrf: string };

function sessionFrom(r: Reply): Session {
  assert.equal(r.status, 200, r.text);
  const a = r.json.Administrator;
  assert.match(r.json.CsrfToken, TOKEN);
  return { id: a.AdministratorId, email: a.Email, role: a.Role, cookie: cookieOf(r), csrf: r.json.CsrfToken };
}

const inspect = (token: string) => http('POST', '/console/api/setup/inspect', { body: { Token: token } });
const setup = (body: Record<string, string>) => http('POST', '/console/api/setup', { body });
const signIn = (address: string, password: string) => http('POST', '/console/api/session', { body: { Email: address, Password: password } });
const whoAmI = (cookie?: string) => http('GET', '/console/api/session', cookie === undefined ? {} : { cookie });

/** A Chime API call with a console session: its cookie and, unless told otherwise, its CSRF header. */
const api = (s: Session, method: string, path: string, body?: unknown, csrf: string | null = s.csrf) =>
  http(method, path, { cookie: s.cookie, ...(csrf !== null && { csrf }), ...(body !== undefined && { body }) });

/** A new administrator with the role, made the way the console makes them: setup link, then the setup page. */
async function newAdmin(role: Role, label: string, password = PASSWORD): Promise<Session> {
  const address = email(label);
  const { link } = await server.services.admins.createSetupLink(OPERATOR, { email: address, role });
  const s = sessionFrom(await setup({ Token: tokenOf(link), Name: label, Password: password }));
  assert.equal(s.email, address);
  assert.equal(s.role, role);
  return s;
}

async function count(table: 'admins' | 'admin_sessions' | 'admin_setup_tokens'): Promise<number> {
  const row = await server.services.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function createAccount(label = 'acct'): Promise<string> {
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: uniqueName(label) }));
  return Account!.AccountId!;
}

/** Every page of a listing, following NextToken; asserts the pages do not overlap. */
async function allPages(fetchPage: (token: string | undefined) => Promise<{ items: Json[]; next: string | undefined }>, key: string): Promise<{ items: Json[]; pages: number }> {
  const items: Json[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await fetchPage(token);
    pages++;
    assert.ok(pages < 100, 'paging ends');
    items.push(...page.items);
    token = page.next;
  } while (token !== undefined);
  const ids = items.map((i) => i[key]);
  assert.equal(new Set(ids).size, ids.length, 'no item on two pages');
  return { items, pages };
}

const query = (q: Record<string, string | number | undefined>) => {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

/** The full administrator made by the first-run setup; later describes use it. */
let ada: Session;

describe('first-run setup', () => {
  let first: string;
  let spare: string;
  const adaEmail = 'Ada.Lovelace@Example.com';

  test('while there is no administrator, firstRunLink() gives a fresh one-time link with the token in the fragment', async () => {
    assert.equal(await count('admins'), 0);
    const link = await server.services.admins.firstRunLink();
    assert.ok(link, 'a first-run link while there is no administrator');
    assert.ok(link.startsWith(`${server.services.config.publicUrl}/console/setup#token=`), link);
    first = tokenOf(link);
    assert.match(first, TOKEN);
    const other = await server.services.admins.firstRunLink();
    assert.ok(other);
    spare = tokenOf(other);
    assert.notEqual(spare, first, 'each call gives a new link');

    const r = await inspect(first);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { Email: null, Role: 'full' });
    assert.equal(r.headers.get('cache-control'), 'no-store');

    assertError(await inspect('not-a-real-token'), 400, 'BadRequest', 'an unknown token');
    assertError(await inspect('x'.repeat(101)), 400, 'BadRequest', 'an over-long token');
  });

  test('a weak password or a missing name is refused with a reason, and nothing is created', async () => {
    const tokensBefore = await count('admin_setup_tokens');
    const cases: Array<[body: Record<string, string>, message: RegExp]> = [
      [{ Token: first, Email: adaEmail, Name: 'Ada', Password: 'short' }, /at least 8 characters/],
      [{ Token: first, Email: adaEmail, Name: 'Ada', Password: 'aaaaabbbbbaaaaabbbbb' }, /easy to guess/],
      [{ Token: first, Email: adaEmail, Name: 'Ada', Password: 'Ada.Lovelace-1815' }, /email address/],
      [{ Token: first, Email: adaEmail, Name: 'Ada', Password: 'Password1!' }, /too common/],
      [{ Token: first, Email: adaEmail, Name: '   ', Password: PASSWORD }, /name/],
      [{ Token: first, Email: 'not-an-address', Name: 'Ada', Password: PASSWORD }, /email/],
    ];
    for (const [body, message] of cases) {
      const r = await setup(body);
      assertError(r, 400, 'BadRequest', `setup with ${JSON.stringify(body)}`);
      assert.match(r.json.Message, message);
      assert.equal(r.headers.get('set-cookie'), null, 'no session cookie');
    }
    assert.equal(await count('admins'), 0);
    assert.equal(await count('admin_sessions'), 0);
    assert.equal(await count('admin_setup_tokens'), tokensBefore);
    const stillUsable = await inspect(first);
    assert.equal(stillUsable.status, 200, 'a refused setup does not use up the link');
  });

  test('a body that is not application/json is refused before anything happens (login CSRF)', async () => {
    const fields = { Token: first, Email: adaEmail, Name: 'Ada Lovelace', Password: PASSWORD };
    // What a form on another site can send without asking this server first: url-encoded, multipart or text/plain.
    const attempts: Array<[contentType: string, body: string]> = [
      ['application/x-www-form-urlencoded', new URLSearchParams(fields).toString()],
      ['text/plain', JSON.stringify(fields)],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="Token"\r\n\r\n${first}\r\n--x--\r\n`],
    ];
    for (const [contentType, rawBody] of attempts) {
      const r = await http('POST', '/console/api/setup', { contentType, rawBody });
      assertError(r, 400, 'BadRequest', `setup as ${contentType}`);
      assert.match(r.json.Message, /application\/json/);
      assert.equal(r.headers.get('set-cookie'), null);
      const signInAttempt = await http('POST', '/console/api/session', { contentType, rawBody: JSON.stringify({ Email: adaEmail, Password: PASSWORD }) });
      assertError(signInAttempt, 400, 'BadRequest', `sign-in as ${contentType}`);
      assert.equal(signInAttempt.headers.get('set-cookie'), null);
    }
    assertError(await http('POST', '/console/api/setup', { rawBody: '{"Token": ' }), 400, 'BadRequest', 'malformed JSON');
    assert.equal(await count('admins'), 0);
    assert.equal(await count('admin_sessions'), 0);
    assert.equal((await inspect(first)).status, 200, 'the link is still unused');
  });

  test('good input creates the first full administrator and signs them in', async () => {
    const r = await setup({ Token: first, Email: adaEmail, Name: 'Ada Lovelace', Password: PASSWORD });
    assert.equal(r.status, 200, r.text);
    const set = r.headers.get('set-cookie')!;
    const m = COOKIE.exec(set);
    assert.ok(m, set);
    assert.match(m[1]!, TOKEN);
    assert.equal(Number(m[2]), server.services.config.session.maxHours * 3600);
    assert.equal(/;\s*Secure/i.test(set), false, 'no Secure attribute on a plain-http public URL');
    assert.equal(r.headers.get('cache-control'), 'no-store');

    const admin = r.json.Administrator;
    assert.match(admin.AdministratorId, UUID);
    assert.deepEqual(admin, { AdministratorId: admin.AdministratorId, Email: adaEmail, Name: 'Ada Lovelace', Role: 'full' });
    assert.match(r.json.CsrfToken, TOKEN);
    assert.notEqual(r.json.CsrfToken, m[1], 'the CSRF token is not the cookie');
    ada = sessionFrom(r);

    const me = await whoAmI(ada.cookie);
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.json, r.json, 'the session endpoint returns the same administrator and CSRF token');

    const rows = await server.services.db.selectFrom('admins').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.email_norm, adaEmail.toLowerCase());
    assert.match(rows[0]!.password_hash, /^\$argon2id\$/, 'the password is stored as an argon2id hash');
    const sessions = await server.services.db.selectFrom('admin_sessions').selectAll().execute();
    assert.equal(sessions.length, 1);
    assert.notEqual(sessions[0]!.id, ada.cookie, 'the cookie value is not stored as the session id');
  });

  test('the link is then used up (410), every other first-run link is retired, and no new one is issued', async () => {
    const again = await setup({ Token: first, Email: 'mallory@example.com', Name: 'Mallory', Password: OTHER_PASSWORD });
    assertError(again, 410, 'BadRequest', 'the used link');
    assert.equal(again.headers.get('set-cookie'), null);
    assertError(await inspect(first), 410, 'BadRequest', 'inspecting the used link');

    assertError(await inspect(spare), 410, 'BadRequest', 'the other outstanding first-run link');
    assertError(await setup({ Token: spare, Email: 'mallory@example.com', Name: 'Mallory', Password: OTHER_PASSWORD }), 410, 'BadRequest', 'setup with the spare link');

    assert.equal(await server.services.admins.firstRunLink(), undefined);
    assert.equal(await count('admins'), 1);

    const audit = await api(ada, 'GET', `/audit-events${query({ action: 'CreateAdministrator' })}`);
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.AuditEvents.length, 1);
    const event = audit.json.AuditEvents[0];
    assert.equal(event.ActorType, 'admin');
    assert.equal(event.ActorId, ada.id);
    assert.equal(event.ActorName, adaEmail);
    assert.equal(event.ResourceId, ada.id);
    assert.equal(event.Details.role, 'full');
  });
});

describe('console sign-in and sign-out', () => {
  test('a wrong password or an unknown address is 401 Unauthorized; the right one opens another session', async () => {
    const s = await newAdmin('full', 'signer');
    const wrong = await signIn(s.email, 'Wrong-Password-99');
    assertError(wrong, 401, 'Unauthorized', 'wrong password');
    assert.equal(wrong.headers.get('set-cookie'), null);
    const unknown = await signIn(email('nobody'), PASSWORD);
    assertError(unknown, 401, 'Unauthorized', 'unknown address');
    assert.equal(unknown.json.Message, wrong.json.Message, 'an unknown address cannot be told from a wrong password');

    const second = sessionFrom(await signIn(s.email.toUpperCase(), PASSWORD));
    assert.equal(second.id, s.id, 'the address is matched case-insensitively');
    assert.notEqual(second.cookie, s.cookie);
    assert.notEqual(second.csrf, s.csrf, 'each session has its own CSRF token');
    assert.equal((await whoAmI(s.cookie)).status, 200, 'the first session goes on');
    assert.equal((await whoAmI(second.cookie)).json.CsrfToken, second.csrf);
  });

  test('five failures lock the address-and-source pair: even the right password is then 429 Throttled', async () => {
    const s = await newAdmin('full', 'locked');
    for (let i = 1; i <= 5; i++) assertError(await signIn(s.email, `Wrong-Password-${i}${i}`), 401, 'Unauthorized', `failure ${i}`);
    const locked = await signIn(s.email, PASSWORD);
    assertError(locked, 429, 'Throttled', 'the right password while locked');
    assert.equal(locked.headers.get('set-cookie'), null);
    assertError(await signIn(s.email.toUpperCase(), PASSWORD), 429, 'Throttled', 'the same address in capitals');

    // The lock is for this address from this source: others still sign in, and open sessions go on.
    const other = await newAdmin('full', 'unlocked');
    assert.equal((await signIn(other.email, PASSWORD)).status, 200);
    assert.equal((await whoAmI(s.cookie)).status, 200);
  });

  test('GET /console/api/session: 401 without a (valid) cookie, the administrator and CSRF token with one', async () => {
    assertError(await whoAmI(), 401, 'Unauthorized', 'no cookie');
    assertError(await whoAmI('x'.repeat(43)), 401, 'Unauthorized', 'an unknown cookie');
    assertError(await whoAmI(''), 401, 'Unauthorized', 'an empty cookie');
    const me = await whoAmI(ada.cookie);
    assert.equal(me.status, 200);
    assert.equal(me.json.Administrator.AdministratorId, ada.id);
    assert.equal(me.json.Administrator.Role, 'full');
    assert.equal(me.json.CsrfToken, ada.csrf);
  });

  test('sign-out needs the CSRF header; afterwards the cookie authenticates nothing', async () => {
    const first = await newAdmin('full', 'leaver');
    const s = sessionFrom(await signIn(first.email, PASSWORD));

    const noHeader = await http('DELETE', '/console/api/session', { cookie: s.cookie });
    assertError(noHeader, 403, 'Forbidden', 'sign-out without the header');
    assert.equal(noHeader.headers.get('set-cookie'), null, 'the cookie is not cleared');
    assertError(await http('DELETE', '/console/api/session', { cookie: s.cookie, csrf: first.csrf }), 403, 'Forbidden', "another session's CSRF token");
    assertError(await http('DELETE', '/console/api/session', { cookie: s.cookie, csrf: '' }), 403, 'Forbidden', 'an empty CSRF token');
    assert.equal((await whoAmI(s.cookie)).status, 200, 'the session survives a refused sign-out');
    assert.equal((await api(s, 'GET', '/accounts')).status, 200);

    const out = await http('DELETE', '/console/api/session', { cookie: s.cookie, csrf: s.csrf });
    assert.equal(out.status, 204, out.text);
    const cleared = out.headers.get('set-cookie') ?? '';
    const m = COOKIE.exec(cleared);
    assert.ok(m, cleared);
    assert.equal(m[1], '');
    assert.equal(m[2], '0');

    assertError(await whoAmI(s.cookie), 401, 'Unauthorized', 'the signed-out session');
    assertError(await api(s, 'GET', '/accounts'), 401, 'Unauthorized', 'an API call with the signed-out session');
    const row = await server.services.db.selectFrom('admin_sessions').select('revoked_at').where('admin_id', '=', s.id).where('csrf_token', '=', s.csrf).executeTakeFirstOrThrow();
    assert.ok(row.revoked_at, 'the session is revoked in storage');
    assert.equal((await whoAmI(first.cookie)).status, 200, 'only the session signed out ends');

    const again = await http('DELETE', '/console/api/session', { cookie: s.cookie, csrf: s.csrf });
    assert.equal(again.status, 204, 'signing out an ended session is harmless');
  });
});

describe('the Chime API with a console session', () => {
  test('cookie + CSRF header: CreateAccount and ListAccounts work, and the audit names the administrator', async () => {
    const name = uniqueName('Console Made');
    const created = await api(ada, 'POST', '/accounts', { Name: name });
    assert.equal(created.status, 201, created.text);
    const accountId = created.json.Account.AccountId;
    assert.equal(created.json.Account.Name, name);

    const listed = await api(ada, 'GET', `/accounts${query({ name })}`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json.Accounts.map((a: Json) => a.AccountId), [accountId]);
    assert.equal((await api(ada, 'GET', `/accounts/${accountId}`)).json.Account.Name, name);

    const audit = await api(ada, 'GET', `/audit-events${query({ 'account-id': accountId })}`);
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.AuditEvents.length, 1);
    const [event] = audit.json.AuditEvents;
    assert.equal(event.Action, 'CreateAccount');
    assert.equal(event.ActorType, 'admin');
    assert.equal(event.ActorId, ada.id);
    assert.equal(event.ActorName, ada.email);
    assert.equal(event.AccountId, accountId);
    assert.match(event.SourceIp, /(^|:)127\.0\.0\.1$/);
  });

  test('without the CSRF header, or with a wrong one, every call is 403 Forbidden and changes nothing', async () => {
    const accountId = await createAccount('csrf');
    const other = await newAdmin('full', 'csrf-other');
    const unchanged = await databaseSnapshot(server.services.db);
    const wrongTokens: Array<[label: string, csrf: string | null]> = [
      ['no header', null],
      ['an empty header', ''],
      ['a random token', randomBytes(32).toString('base64url')],
      ["another session's token", other.csrf],
      ['the cookie value', ada.cookie],
    ];
    for (const [label, csrf] of wrongTokens) {
      assertError(await api(ada, 'POST', '/accounts', { Name: uniqueName('Forged') }, csrf), 403, 'Forbidden', `CreateAccount, ${label}`);
      assertError(await api(ada, 'POST', `/accounts/${accountId}`, { Name: 'Forged rename' }, csrf), 403, 'Forbidden', `UpdateAccount, ${label}`);
      assertError(await api(ada, 'DELETE', `/accounts/${accountId}`, undefined, csrf), 403, 'Forbidden', `DeleteAccount, ${label}`);
      assertError(await api(ada, 'POST', `/accounts/${accountId}/users?operation=add`, { UserEmailList: [email('forged')] }, csrf), 403, 'Forbidden', `InviteUsers, ${label}`);
      assertError(await api(ada, 'GET', '/accounts', undefined, csrf), 403, 'Forbidden', `ListAccounts, ${label}`);
    }
    assert.deepEqual(await databaseSnapshot(server.services.db), unchanged);
  });

  test('a cookie of an ended or unknown session is 401 Unauthorized, even with its CSRF token', async () => {
    const admin = await newAdmin('full', 'ended');
    const s = sessionFrom(await signIn(admin.email, PASSWORD));
    assert.equal((await http('DELETE', '/console/api/session', { cookie: s.cookie, csrf: s.csrf })).status, 204);
    const unchanged = await databaseSnapshot(server.services.db);
    assertError(await api(s, 'POST', '/accounts', { Name: uniqueName('After sign-out') }), 401, 'Unauthorized', 'CreateAccount after sign-out');
    assertError(await api({ ...s, cookie: randomBytes(32).toString('base64url') }, 'POST', '/accounts', { Name: uniqueName('Unknown cookie') }), 401, 'Unauthorized', 'an unknown cookie');
    assert.deepEqual(await databaseSnapshot(server.services.db), unchanged);
  });

  test('a SigV4-signed request that also carries a cookie is judged by its signature only', async () => {
    const signedWithCookie = async (creds: Credentials, req: RawRequest, cookie: string, csrf: string) => {
      const headers = await signHeaders(server.url, creds, req);
      return sendRaw(server.url, { ...req, headers: { ...headers, cookie: `carillon_console=${cookie}`, 'x-carillon-csrf': csrf } });
    };
    const ended = await newAdmin('full', 'sig-ended');
    await server.services.admins.disable(OPERATOR, { email: ended.email });

    // A good signature wins over a dead cookie; the key is the actor.
    const name = uniqueName('Signed');
    const ok = await signedWithCookie(server.admin, { method: 'POST', path: '/accounts', body: JSON.stringify({ Name: name }) }, ended.cookie, 'bogus');
    assert.equal(ok.status, 201, ok.text);
    const accountId = (ok.json as Json).Account.AccountId;
    const audit = await api(ada, 'GET', `/audit-events${query({ 'account-id': accountId })}`);
    assert.equal(audit.json.AuditEvents[0].ActorType, 'access_key');
    assert.equal(audit.json.AuditEvents[0].ActorId, server.admin.accessKeyId);

    const readOnly = await server.createKey('read-only');
    // A bad signature is not rescued by a good cookie and CSRF token.
    const unchanged = await databaseSnapshot(server.services.db);
    const forged = await signedWithCookie(
      { accessKeyId: server.admin.accessKeyId, secretAccessKey: 'x'.repeat(40) },
      { method: 'POST', path: '/accounts', body: JSON.stringify({ Name: uniqueName('Forged signature') }) },
      ada.cookie,
      ada.csrf,
    );
    assert.equal(forged.status, 403, forged.text);
    assert.equal(forged.headers['x-amzn-errortype'], 'InvalidSignatureException');

    // A read-only key keeps its role even next to a full administrator's cookie.
    const denied = await signedWithCookie(readOnly, { method: 'POST', path: '/accounts', body: JSON.stringify({ Name: uniqueName('Via cookie') }) }, ada.cookie, ada.csrf);
    assert.equal(denied.status, 403, denied.text);
    assert.equal((denied.json as Json).Code, 'Forbidden');
    assert.equal(denied.headers['x-amzn-errortype'], 'ForbiddenException');
    assert.deepEqual(await databaseSnapshot(server.services.db), unchanged);
  });
});

describe('administrator roles', () => {
  let live: string;
  let empty: string;
  let gone: string;
  let member: string;
  let invitee: string;

  before(async () => {
    live = await createAccount('roles-live');
    empty = await createAccount('roles-empty');
    gone = await createAccount('roles-gone');
    await server.client.send(new DeleteAccountCommand({ AccountId: gone }));
    const { User } = await server.client.send(new CreateUserCommand({ AccountId: live, Email: email('member') }));
    member = User!.UserId!;
    await server.client.send(new InviteUsersCommand({ AccountId: live, UserEmailList: [email('invitee')] }));
    const users = await api(ada, 'GET', `/accounts/${live}/users${query({ 'registration-status': 'Unregistered' })}`);
    invitee = users.json.Users[0].UserId;
  });

  /** Every write the roles are checked against, each a valid request that a full administrator could make. */
  const writes = (): Array<[name: string, method: string, path: string, body: unknown]> => [
    ['CreateAccount', 'POST', '/accounts', { Name: uniqueName('Role Test') }],
    ['UpdateAccount', 'POST', `/accounts/${live}`, { Name: uniqueName('Renamed') }],
    ['DeleteAccount', 'DELETE', `/accounts/${empty}`, undefined],
    ['RestoreAccount', 'POST', `/deleted-accounts/${gone}?operation=restore`, {}],
    ['UpdateAccountSettings', 'PUT', `/accounts/${live}/settings`, { AccountSettings: { EnableDialOut: false } }],
    ['InviteUsers', 'POST', `/accounts/${live}/users?operation=add`, { UserEmailList: [email('role-invite')] }],
    ['BatchUpdateUser', 'POST', `/accounts/${live}/users`, { UpdateUserRequestItems: [{ UserId: member, LicenseType: 'Basic' }] }],
  ];

  test('read-only: every read works, every write is 403 Forbidden and changes nothing', async () => {
    const ro = await newAdmin('read-only', 'reader');
    const reads: Array<[name: string, path: string]> = [
      ['ListAccounts', '/accounts'],
      ['GetAccount', `/accounts/${live}`],
      ['GetAccountSettings', `/accounts/${live}/settings`],
      ['ListUsers', `/accounts/${live}/users`],
      ['GetUser', `/accounts/${live}/users/${member}`],
      ['GetUserSettings', `/accounts/${live}/users/${member}/settings`],
      ['GetUserInvitation', `/accounts/${live}/users/${invitee}/invitation`],
      ['GetGlobalSettings', '/settings'],
      ['ListDeletedAccounts', '/deleted-accounts'],
      ['ListAuditEvents', `/audit-events${query({ 'account-id': live })}`],
    ];
    for (const [name, path] of reads) {
      const r = await api(ro, 'GET', path);
      assert.equal(r.status, 200, `${name}: ${r.text}`);
    }
    assert.ok((await api(ro, 'GET', '/deleted-accounts')).json.Accounts.some((a: Json) => a.AccountId === gone));

    const unchanged = await databaseSnapshot(server.services.db);
    for (const [name, method, path, body] of writes()) {
      const r = await api(ro, method, path, body);
      assertError(r, 403, 'Forbidden', `read-only ${name}`);
      assert.match(r.json.Message, new RegExp(`read-only.*${name}`));
    }
    assert.deepEqual(await databaseSnapshot(server.services.db), unchanged);
  });

  test('user-management: invites and user changes work; account changes are 403 Forbidden', async () => {
    const um = await newAdmin('user-management', 'people');
    const address = email('um-invite');
    const invited = await api(um, 'POST', `/accounts/${live}/users?operation=add`, { UserEmailList: [address] });
    assert.equal(invited.status, 201, invited.text);
    assert.equal(invited.json.Invites[0].Status, 'Pending');
    const updated = await api(um, 'POST', `/accounts/${live}/users`, { UpdateUserRequestItems: [{ UserId: member, LicenseType: 'Basic' }] });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.json.UserErrors, []);
    assert.equal((await api(um, 'GET', `/accounts/${live}/users/${member}`)).json.User.LicenseType, 'Basic');
    const audit = await api(um, 'GET', `/audit-events${query({ 'account-id': live, 'actor-id': um.id })}`);
    assert.deepEqual(audit.json.AuditEvents.map((e: Json) => [e.Action, e.ActorType, e.ActorName]), [
      ['BatchUpdateUser', 'admin', um.email],
      ['InviteUser', 'admin', um.email],
    ]);

    const unchanged = await databaseSnapshot(server.services.db);
    for (const [name, method, path, body] of writes().filter(([n]) => ['CreateAccount', 'UpdateAccount', 'DeleteAccount', 'RestoreAccount', 'UpdateAccountSettings'].includes(n))) {
      const r = await api(um, method, path, body);
      assertError(r, 403, 'Forbidden', `user-management ${name}`);
      assert.match(r.json.Message, new RegExp(`user-management.*${name}`));
    }
    assert.deepEqual(await databaseSnapshot(server.services.db), unchanged);
  });

  test('full: the same writes all succeed (the refusals above are the role, not the requests)', async () => {
    const expected: Record<string, number> = { CreateAccount: 201, UpdateAccount: 200, DeleteAccount: 204, RestoreAccount: 200, UpdateAccountSettings: 204, InviteUsers: 201, BatchUpdateUser: 200 };
    for (const [name, method, path, body] of writes()) {
      const r = await api(ada, method, path, body);
      assert.equal(r.status, expected[name], `${name}: ${r.text}`);
    }
  });

  test('the session lists the operations the role may call, from the same table the API enforces', async () => {
    const allowedFor = async (role: Role) => {
      const s = await newAdmin(role, `ops-${role}`);
      return new Set((await whoAmI(s.cookie)).json.AllowedOperations as string[]);
    };
    const [readOnly, userManagement, full] = [await allowedFor('read-only'), await allowedFor('user-management'), await allowedFor('full')];
    for (const read of ['ListAccounts', 'ListUsers', 'GetUser', 'ListAuditEvents', 'ListDeletedAccounts', 'GetUserInvitation']) {
      assert.ok(readOnly.has(read) && userManagement.has(read) && full.has(read), read);
    }
    for (const write of ['InviteUsers', 'BatchUpdateUser', 'BatchSuspendUser', 'ResetPersonalPIN', 'LogoutUser']) {
      assert.ok(!readOnly.has(write) && userManagement.has(write) && full.has(write), write);
    }
    for (const write of ['CreateAccount', 'UpdateAccount', 'DeleteAccount', 'RestoreAccount', 'UpdateAccountSettings']) {
      assert.ok(!readOnly.has(write) && !userManagement.has(write) && full.has(write), write);
    }
  });
});

describe('disabling an administrator', () => {
  test('ends every session at once and stops sign-in; a new setup link re-enables them with the new role', async () => {
    const d = await newAdmin('full', 'departing');
    const second = sessionFrom(await signIn(d.email, PASSWORD));
    for (const s of [d, second]) assert.equal((await api(s, 'GET', '/accounts')).status, 200);

    const disabled = await server.services.admins.disable(OPERATOR, { email: d.email.toUpperCase() });
    assert.equal(disabled.id, d.id);
    assert.ok(disabled.disabledAt);
    for (const s of [d, second]) {
      assertError(await api(s, 'GET', '/accounts'), 401, 'Unauthorized', 'an API call of a disabled administrator');
      assertError(await whoAmI(s.cookie), 401, 'Unauthorized', 'the session of a disabled administrator');
    }
    assertError(await signIn(d.email, PASSWORD), 401, 'Unauthorized', 'sign-in of a disabled administrator');
    await assert.rejects(server.services.admins.disable(OPERATOR, { email: d.email }), { code: 'admin.not_found' });
    await assert.rejects(server.services.admins.disable(OPERATOR, { email: email('never') }), { code: 'admin.not_found' });
    await assert.rejects(server.services.admins.createSetupLink(OPERATOR, { email: ada.email, role: 'read-only' }), { code: 'admin.email_taken' });

    const events = await api(ada, 'GET', `/audit-events${query({ action: 'DisableAdministrator', 'resource-id': d.id })}`);
    assert.deepEqual(events.json.AuditEvents.map((e: Json) => [e.ActorType, e.ActorId, e.Details.email]), [['cli', OPERATOR.id, d.email]]);

    const { link } = await server.services.admins.createSetupLink(OPERATOR, { email: d.email, role: 'read-only' });
    const promised = await inspect(tokenOf(link));
    assert.deepEqual(promised.json, { Email: d.email, Role: 'read-only' });
    // The address is fixed by the link: another one in the body is ignored.
    const back = sessionFrom(await setup({ Token: tokenOf(link), Email: 'someone-else@example.com', Name: 'Returning', Password: OTHER_PASSWORD }));
    assert.equal(back.id, d.id, 'the same administrator record comes back');
    assert.equal(back.email, d.email);
    assert.equal(back.role, 'read-only');

    assert.equal((await api(back, 'GET', '/accounts')).status, 200);
    assertError(await api(back, 'POST', '/accounts', { Name: uniqueName('Not any more') }), 403, 'Forbidden', 'a write with the new role');
    for (const s of [d, second]) assertError(await whoAmI(s.cookie), 401, 'Unauthorized', 'old sessions stay ended');
    assertError(await signIn(d.email, PASSWORD), 401, 'Unauthorized', 'the old password');
    assert.equal(sessionFrom(await signIn(d.email, OTHER_PASSWORD)).role, 'read-only');
    assert.equal((await server.services.admins.list()).filter((a) => a.emailNorm === d.email.toLowerCase()).length, 1);
  });

  test(
    'a setup link issued before the administrator was disabled cannot bring them back',
    async () => {
      const address = email('stale');
      const older = await server.services.admins.createSetupLink(OPERATOR, { email: address, role: 'full' });
      const newer = await server.services.admins.createSetupLink(OPERATOR, { email: address, role: 'read-only' });
      sessionFrom(await setup({ Token: tokenOf(newer.link), Name: 'Stale', Password: PASSWORD }));
      await server.services.admins.disable(OPERATOR, { email: address });
      const revived = await setup({ Token: tokenOf(older.link), Name: 'Stale', Password: OTHER_PASSWORD });
      assert.equal(revived.status, 410, `the older link re-enabled the disabled administrator: ${revived.text}`);
      assert.ok((await server.services.admins.list()).find((a) => a.email === address)?.disabledAt, 'still disabled');
    },
  );
});

describe('Carillon API extensions', () => {
  describe('ListUsers filters', () => {
    let accountId: string;
    const ids: Record<string, string> = {};

    before(async () => {
      accountId = await createAccount('filters');
      const invited = await api(ada, 'POST', `/accounts/${accountId}/users?operation=add`, {
        UserEmailList: ['Alpha.One@Example.com', 'alpha.two@example.com', 'beta.one@example.com'],
      });
      assert.equal(invited.status, 201, invited.text);
      for (const address of ['ALPHA.three@example.com', 'alpha.four@example.com', 'beta.two@example.com', 'gamma@example.com']) {
        const r = await api(ada, 'POST', `/accounts/${accountId}/users?operation=create`, { Email: address });
        assert.equal(r.status, 201, r.text);
      }
      const all = await api(ada, 'GET', `/accounts/${accountId}/users`);
      for (const u of all.json.Users) ids[u.PrimaryEmail.toLowerCase().split('@')[0]] = u.UserId;
      assert.equal(Object.keys(ids).length, 7);

      const basic = await api(ada, 'POST', `/accounts/${accountId}/users`, {
        UpdateUserRequestItems: [
          { UserId: ids['alpha.two'], LicenseType: 'Basic' },
          { UserId: ids['beta.two'], LicenseType: 'Basic' },
        ],
      });
      assert.deepEqual(basic.json.UserErrors, []);
      // Personal Pro trials come from self-registration; set them directly: one over yesterday, one running.
      const now = Date.now();
      await server.services.db.updateTable('users').set({ license: 'ProTrial', pro_trial_ends_at: new Date(now - DAY_MS).toISOString() }).where('id', '=', ids['alpha.four']!).execute();
      await server.services.db.updateTable('users').set({ license: 'ProTrial', pro_trial_ends_at: new Date(now + 10 * DAY_MS).toISOString() }).where('id', '=', ids.gamma!).execute();
      // Suspension needs an EnterpriseLWA account (stands in for a domain claim, as in api-users.test.ts).
      await accountsRepository.update(server.services.db, accountId, { type: 'EnterpriseLWA' }, new Date().toISOString());
      const suspended = await api(ada, 'POST', `/accounts/${accountId}/users?operation=suspend`, { UserIdList: [ids['beta.two']] });
      assert.deepEqual(suspended.json.UserErrors, []);
    });

    const list = async (filter: Record<string, string | number | undefined>) => {
      const r = await api(ada, 'GET', `/accounts/${accountId}/users${query(filter)}`);
      assert.equal(r.status, 200, r.text);
      return r.json as { Users: Json[]; NextToken?: string };
    };
    const names = (users: Json[]) => users.map((u) => u.PrimaryEmail.toLowerCase().split('@')[0]).sort();

    test('registration-status', async () => {
      assert.deepEqual(names((await list({ 'registration-status': 'Unregistered' })).Users), ['alpha.one', 'alpha.two', 'beta.one']);
      assert.deepEqual(names((await list({ 'registration-status': 'Registered' })).Users), ['alpha.four', 'alpha.three', 'gamma']);
      const suspended = (await list({ 'registration-status': 'Suspended' })).Users;
      assert.deepEqual(names(suspended), ['beta.two']);
      assert.equal(suspended[0].UserRegistrationStatus, 'Suspended');
      assertError(await api(ada, 'GET', `/accounts/${accountId}/users${query({ 'registration-status': 'Gone' })}`), 400, 'BadRequest', 'an unknown status');
    });

    test('license: the effective license, so a Pro trial past its end counts as Basic', async () => {
      const basic = (await list({ license: 'Basic' })).Users;
      assert.deepEqual(names(basic), ['alpha.four', 'alpha.two', 'beta.two']);
      for (const u of basic) assert.equal(u.LicenseType, 'Basic');
      assert.deepEqual(names((await list({ license: 'Pro' })).Users), ['alpha.one', 'alpha.three', 'beta.one']);
      const trial = (await list({ license: 'ProTrial' })).Users;
      assert.deepEqual(names(trial), ['gamma'], 'only the running trial');
      assert.equal(trial[0].LicenseType, 'ProTrial');
      assert.deepEqual((await list({ license: 'Plus' })).Users, []);
      assertError(await api(ada, 'GET', `/accounts/${accountId}/users${query({ license: 'Gold' })}`), 400, 'BadRequest', 'an unknown license');
    });

    test('email-prefix: case-insensitive, a literal prefix, combinable with the other filters', async () => {
      const alphas = ['alpha.four', 'alpha.one', 'alpha.three', 'alpha.two'];
      assert.deepEqual(names((await list({ 'email-prefix': 'alpha' })).Users), alphas);
      assert.deepEqual(names((await list({ 'email-prefix': 'ALPHA.' })).Users), alphas);
      assert.deepEqual(names((await list({ 'email-prefix': 'Alpha.T' })).Users), ['alpha.three', 'alpha.two']);
      assert.deepEqual((await list({ 'email-prefix': 'alpha_' })).Users, [], "'_' is not a wildcard");
      assert.deepEqual((await list({ 'email-prefix': 'a%' })).Users, [], "'%' is not a wildcard");
      assert.deepEqual((await list({ 'email-prefix': 'lpha' })).Users, [], 'a prefix, not a substring');
      assert.deepEqual(names((await list({ 'email-prefix': 'alpha', 'registration-status': 'Registered' })).Users), ['alpha.four', 'alpha.three']);
      assert.deepEqual(names((await list({ 'email-prefix': 'alpha', 'registration-status': 'Registered', license: 'Basic' })).Users), ['alpha.four']);
      assert.deepEqual(names((await list({ 'email-prefix': 'beta', license: 'Basic', 'registration-status': 'Suspended' })).Users), ['beta.two']);
    });

    test('NextToken pages through the filtered set only, without overlap', async () => {
      for (const size of [1, 2, 3]) {
        const { items, pages } = await allPages(async (token) => {
          const page = await list({ 'email-prefix': 'ALPHA', 'max-results': size, 'next-token': token });
          assert.ok(page.Users.length <= size);
          return { items: page.Users, next: page.NextToken };
        }, 'UserId');
        assert.equal(pages, Math.ceil(4 / size), `pages of ${size}`);
        // A search by address is listed by address (created one, two, three, four), each page going on from the
        // last address listed: all four, once each, in that order.
        assert.deepEqual(
          items.map((u) => u.PrimaryEmail.toLowerCase().split('@')[0]),
          ['alpha.four', 'alpha.one', 'alpha.three', 'alpha.two'],
          `in address order across pages of ${size}`,
        );
      }
      const pro = await allPages(async (token) => {
        const page = await list({ 'email-prefix': 'alpha', license: 'Pro', 'max-results': 1, 'next-token': token });
        return { items: page.Users, next: page.NextToken };
      }, 'UserId');
      assert.deepEqual(pro.items.map((u) => u.PrimaryEmail.toLowerCase().split('@')[0]), ['alpha.one', 'alpha.three']);
      const { items } = await allPages(async (token) => {
        const page = await list({ license: 'Basic', 'max-results': 2, 'next-token': token });
        return { items: page.Users, next: page.NextToken };
      }, 'UserId');
      assert.deepEqual(names(items), ['alpha.four', 'alpha.two', 'beta.two']);
      const order = items.map((u) => u.UserId);
      assert.deepEqual(order, [...order].sort(), 'without an address search, in id (creation) order across pages');
    });

    test("a NextToken from another account's address search lists nothing here, so it tells nothing of that address", async () => {
      const otherId = await createAccount('filters-other');
      for (const address of ['alpha.a@example.com', 'alpha.b@example.com']) {
        const r = await api(ada, 'POST', `/accounts/${otherId}/users?operation=create`, { Email: address });
        assert.equal(r.status, 201, r.text);
      }
      const first = await api(ada, 'GET', `/accounts/${otherId}/users${query({ 'email-prefix': 'alpha', 'max-results': 1 })}`);
      assert.equal(first.json.Users[0].PrimaryEmail, 'alpha.a@example.com');
      const foreign = first.json.NextToken as string;
      assert.deepEqual((await list({ 'email-prefix': 'alpha', 'next-token': foreign })).Users, []);
    });

    test('the same filters with a SigV4-signed request', async () => {
      const r = await signedRequest(server.url, server.admin, {
        method: 'GET',
        path: `/accounts/${accountId}/users`,
        query: { 'email-prefix': 'ALPHA', 'registration-status': 'Registered', 'max-results': '1' },
      });
      assert.equal(r.status, 200, r.text);
      const first = r.json as Json;
      assert.equal(first.Users.length, 1);
      assert.ok(first.NextToken);
      const rest = await signedRequest(server.url, server.admin, {
        method: 'GET',
        path: `/accounts/${accountId}/users`,
        query: { 'email-prefix': 'ALPHA', 'registration-status': 'Registered', 'max-results': '1', 'next-token': first.NextToken },
      });
      assert.equal(rest.status, 200, rest.text);
      assert.equal((rest.json as Json).NextToken, undefined);
      assert.deepEqual(names([...first.Users, ...(rest.json as Json).Users]), ['alpha.four', 'alpha.three']);
    });
  });

  describe('GetUserInvitation', () => {
    test('the latest invitation of an invitee; 404 NotFound for a member never invited', async () => {
      const accountId = await createAccount('invitation');
      const address = email('invited');
      const invited = await api(ada, 'POST', `/accounts/${accountId}/users?operation=add`, { UserEmailList: [address] });
      assert.equal(invited.status, 201, invited.text);
      const inviteId = invited.json.Invites[0].InviteId;
      const userId = (await api(ada, 'GET', `/accounts/${accountId}/users${query({ 'user-email': address })}`)).json.Users[0].UserId;

      const r = await api(ada, 'GET', `/accounts/${accountId}/users/${userId}/invitation`);
      assert.equal(r.status, 200, r.text);
      const i = r.json.Invitation;
      assert.equal(i.InviteId, inviteId);
      assert.equal(i.Status, 'Pending');
      assert.equal(i.EmailStatus, 'NotSent', 'no SMTP server is configured');
      assert.equal(i.EmailAddress, address);
      assert.ok(Math.abs(Date.parse(i.InvitedOn) - Date.now()) < 60_000, i.InvitedOn);
      assert.equal(Date.parse(i.ExpiresOn) - Date.parse(i.InvitedOn), server.services.config.invitationTtlDays * DAY_MS);

      // Invited again: the newest invitation is the one shown.
      const again = await api(ada, 'POST', `/accounts/${accountId}/users?operation=add`, { UserEmailList: [address] });
      const newer = (await api(ada, 'GET', `/accounts/${accountId}/users/${userId}/invitation`)).json.Invitation;
      assert.equal(newer.InviteId, again.json.Invites[0].InviteId);
      assert.notEqual(newer.InviteId, inviteId);

      // Through SigV4 as well.
      const signed = await signedRequest(server.url, server.admin, { method: 'GET', path: `/accounts/${accountId}/users/${userId}/invitation` });
      assert.equal(signed.status, 200, signed.text);
      assert.equal((signed.json as Json).Invitation.InviteId, newer.InviteId);

      const created = await api(ada, 'POST', `/accounts/${accountId}/users?operation=create`, { Email: email('direct') });
      assertError(await api(ada, 'GET', `/accounts/${accountId}/users/${created.json.User.UserId}/invitation`), 404, 'NotFound', 'a member created directly');
      assertError(await api(ada, 'GET', `/accounts/${accountId}/users/0190f0f0-0000-7000-8000-000000000000/invitation`), 404, 'NotFound', 'an unknown user');
      const otherAccount = await createAccount('invitation-other');
      assertError(await api(ada, 'GET', `/accounts/${otherAccount}/users/${userId}/invitation`), 404, 'NotFound', 'the user through another account');
    });
  });

  describe('ListDeletedAccounts and RestoreAccount', () => {
    test('a deleted account is listed with its restore deadline and comes back on RestoreAccount', async () => {
      const name = uniqueName('Phoenix');
      const accountId = (await api(ada, 'POST', '/accounts', { Name: name })).json.Account.AccountId;
      const startedAt = Date.now();
      assert.equal((await api(ada, 'DELETE', `/accounts/${accountId}`)).status, 204);
      assertError(await api(ada, 'GET', `/accounts/${accountId}`), 404, 'NotFound', 'GetAccount of a deleted account');

      const deleted = await api(ada, 'GET', '/deleted-accounts');
      assert.equal(deleted.status, 200, deleted.text);
      const entry = deleted.json.Accounts.find((a: Json) => a.AccountId === accountId);
      assert.ok(entry, 'the deleted account is listed');
      assert.equal(entry.Name, name);
      const deletedAt = Date.parse(entry.DeletedTimestamp);
      assert.ok(deletedAt >= startedAt - 1000 && deletedAt <= Date.now() + 1000, entry.DeletedTimestamp);
      assert.equal(Date.parse(entry.RestorableUntil) - deletedAt, 90 * DAY_MS);
      const liveIds = (await api(ada, 'GET', '/accounts')).json.Accounts.map((a: Json) => a.AccountId);
      assert.equal(liveIds.includes(accountId), false);
      for (const a of deleted.json.Accounts) assert.equal(liveIds.includes(a.AccountId), false, 'only deleted accounts are listed');

      // Through SigV4 as well.
      const signedList = await signedRequest(server.url, server.admin, { method: 'GET', path: '/deleted-accounts' });
      assert.equal(signedList.status, 200, signedList.text);
      assert.ok((signedList.json as Json).Accounts.some((a: Json) => a.AccountId === accountId));

      const restored = await api(ada, 'POST', `/deleted-accounts/${accountId}?operation=restore`, {});
      assert.equal(restored.status, 200, restored.text);
      assert.equal(restored.json.Account.AccountId, accountId);
      assert.equal(restored.json.Account.Name, name);
      assert.equal((await api(ada, 'GET', `/accounts/${accountId}`)).json.Account.Name, name);
      assert.equal((await api(ada, 'GET', '/deleted-accounts')).json.Accounts.some((a: Json) => a.AccountId === accountId), false);
      const audit = await api(ada, 'GET', `/audit-events${query({ 'account-id': accountId })}`);
      assert.deepEqual(audit.json.AuditEvents.map((e: Json) => e.Action), ['RestoreAccount', 'DeleteAccount', 'CreateAccount']);

      const unchanged = await databaseSnapshot(server.services.db);
      assertError(await api(ada, 'POST', `/deleted-accounts/${accountId}?operation=restore`, {}), 400, 'BadRequest', 'restoring a live account');
      assertError(await api(ada, 'POST', '/deleted-accounts/0190a8c2-0000-7000-8000-000000000001?operation=restore', {}), 404, 'NotFound', 'restoring an unknown account');
      assert.deepEqual(await databaseSnapshot(server.services.db), unchanged);

      // Delete and restore again, signed with SigV4.
      await server.client.send(new DeleteAccountCommand({ AccountId: accountId }));
      const signedRestore = await signedRequest(server.url, server.admin, { method: 'POST', path: `/deleted-accounts/${accountId}`, query: { operation: 'restore' }, body: '{}' });
      assert.equal(signedRestore.status, 200, signedRestore.text);
      assert.equal((signedRestore.json as Json).Account.AccountId, accountId);
    });
  });

  describe('ListAuditEvents', () => {
    let a: string;
    let b: string;

    before(async () => {
      a = (await api(ada, 'POST', '/accounts', { Name: uniqueName('Audit A') })).json.Account.AccountId;
      assert.equal((await api(ada, 'POST', `/accounts/${a}`, { Name: uniqueName('Audit A1') })).status, 200);
      assert.equal((await api(ada, 'POST', `/accounts/${a}`, { Name: uniqueName('Audit A2') })).status, 200);
      await server.client.send(new InviteUsersCommand({ AccountId: a, UserEmailList: [email('audit1'), email('audit2')] }));
      assert.equal((await api(ada, 'PUT', `/accounts/${a}/settings`, { AccountSettings: { EnableDialOut: false } })).status, 204);
      b = await createAccount('Audit B');
    });

    const events = async (q: Record<string, string | number | undefined>) => {
      const r = await api(ada, 'GET', `/audit-events${query(q)}`);
      assert.equal(r.status, 200, r.text);
      return r.json as { AuditEvents: Json[]; NextToken?: string };
    };

    test('account-id, action and actor-id filter; newest first', async () => {
      const all = (await events({ 'account-id': a })).AuditEvents;
      assert.deepEqual(all.map((e) => e.Action), ['UpdateAccountSettings', 'InviteUser', 'InviteUser', 'UpdateAccount', 'UpdateAccount', 'CreateAccount']);
      for (const e of all) assert.equal(e.AccountId, a);
      const ids = all.map((e) => e.EventId);
      assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].OccurredAt >= all[i].OccurredAt);

      const updates = (await events({ 'account-id': a, action: 'UpdateAccount' })).AuditEvents;
      assert.deepEqual(updates.map((e) => e.Action), ['UpdateAccount', 'UpdateAccount']);

      const byAda = (await events({ 'account-id': a, 'actor-id': ada.id })).AuditEvents;
      assert.deepEqual(byAda.map((e) => e.Action), ['UpdateAccountSettings', 'UpdateAccount', 'UpdateAccount', 'CreateAccount']);
      for (const e of byAda) assert.deepEqual([e.ActorType, e.ActorName], ['admin', ada.email]);

      const byKey = (await events({ 'account-id': a, 'actor-id': server.admin.accessKeyId })).AuditEvents;
      assert.deepEqual(byKey.map((e) => [e.Action, e.ActorType, e.ActorName]), [
        ['InviteUser', 'access_key', 'test-full'],
        ['InviteUser', 'access_key', 'test-full'],
      ]);

      const resource = (await events({ 'resource-id': b })).AuditEvents;
      assert.deepEqual(resource.map((e) => e.Action), ['CreateAccount']);
      assert.deepEqual((await events({ 'account-id': a, action: 'NoSuchAction' })).AuditEvents, []);
    });

    test('NextToken pages newest first without overlap or gap', async () => {
      const all = (await events({ 'account-id': a })).AuditEvents;
      for (const size of [1, 2, 4]) {
        const { items, pages } = await allPages(async (token) => {
          const page = await events({ 'account-id': a, 'max-results': size, 'next-token': token });
          assert.ok(page.AuditEvents.length <= size);
          return { items: page.AuditEvents, next: page.NextToken };
        }, 'EventId');
        assert.deepEqual(items.map((e) => e.EventId), all.map((e) => e.EventId), `pages of ${size}`);
        assert.equal(pages, Math.ceil(all.length / size));
      }
      // Across the whole installation too, with the filter kept on every page.
      const { items } = await allPages(async (token) => {
        const page = await events({ action: 'CreateAccount', 'max-results': 3, 'next-token': token });
        return { items: page.AuditEvents, next: page.NextToken };
      }, 'EventId');
      assert.ok(items.length >= 3);
      for (const e of items) assert.equal(e.Action, 'CreateAccount');
      const ids = items.map((e) => e.EventId);
      assert.deepEqual(ids, [...ids].sort().reverse());
      assert.ok(ids.includes(all.at(-1).EventId) && items.some((e) => e.AccountId === b));
      assertError(await api(ada, 'GET', `/audit-events${query({ 'next-token': 'bm90LWEtdG9rZW4' })}`), 400, 'BadRequest', 'a forged NextToken');
    });

    test('an access key scoped to one account sees only its events and is refused the rest', async () => {
      const scoped = await server.createKey('full', a);
      const mine = await signedRequest(server.url, scoped, { method: 'GET', path: '/audit-events' });
      assert.equal(mine.status, 200, mine.text);
      const seen = (mine.json as Json).AuditEvents as Json[];
      assert.deepEqual(
        seen.map((e) => e.EventId),
        (await events({ 'account-id': a })).AuditEvents.map((e) => e.EventId),
        "exactly its account's events",
      );
      const explicit = await signedRequest(server.url, scoped, { method: 'GET', path: '/audit-events', query: { 'account-id': a, action: 'InviteUser' } });
      assert.equal(explicit.status, 200, explicit.text);
      assert.equal((explicit.json as Json).AuditEvents.length, 2);

      const unchanged = await databaseSnapshot(server.services.db);
      const refusals: Array<[label: string, req: RawRequest]> = [
        ["another account's events", { method: 'GET', path: '/audit-events', query: { 'account-id': b } }],
        ['ListDeletedAccounts', { method: 'GET', path: '/deleted-accounts' }],
        ['RestoreAccount of its own account', { method: 'POST', path: `/deleted-accounts/${a}`, query: { operation: 'restore' }, body: '{}' }],
        ['RestoreAccount of another account', { method: 'POST', path: `/deleted-accounts/${b}`, query: { operation: 'restore' }, body: '{}' }],
        ['ListUsers of another account', { method: 'GET', path: `/accounts/${b}/users` }],
      ];
      for (const [label, req] of refusals) {
        const r = await signedRequest(server.url, scoped, req);
        assert.equal(r.status, 403, `${label}: ${r.text}`);
        assert.equal((r.json as Json).Code, 'Forbidden', label);
      }
      assert.deepEqual(await databaseSnapshot(server.services.db), unchanged);
    });
  });
});

describe('serving the console app', () => {
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: path.resolve(import.meta.dirname, '..') }));

  test('every screen path gets the app, with a strict content security policy and no caching', async () => {
    for (const p of ['/console/', '/console/accounts', '/console/accounts/some-id/users?status=Registered', '/console/setup']) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200, p);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.match(await res.text(), /<script[^>]+src="\/console\/assets\/[^"]+\.js"/);
    }
    const bare = await fetch(server.url + '/console', { redirect: 'manual' });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/console/');
  });

  test('assets are immutable and compressed; a missing asset or console endpoint is a JSON 404, never the app', async () => {
    const html = await (await fetch(server.url + '/console/')).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const res = await fetch(server.url + script, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.ok((await res.text()).length > 100_000);
    for (const p of ['/console/assets/nope.js', '/console/api/nope']) {
      const missing = await fetch(server.url + p);
      assert.equal(missing.status, 404, p);
      assert.equal(((await missing.json()) as { Code: string }).Code, 'NotFound', p);
    }
    // Out of the build folder (sent raw: fetch would tidy the dots away before sending): refused, never served.
    for (const p of ['/console/assets/..%2f..%2f..%2fpackage.json', '/console/assets/%2e%2e/%2e%2e/%2e%2e/package.json']) {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) =>
        nodeHttp
          .get(server.url + '/', { path: p }, (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode!, body }));
          })
          .on('error', reject),
      );
      assert.ok(status === 400 || status === 404, `${p}: ${status}`);
      assert.doesNotMatch(body, /"name":\s*"carillon"/, p);
      assert.ok(['BadRequest', 'NotFound'].includes((JSON.parse(body) as { Code: string }).Code), p);
    }
  });
});
