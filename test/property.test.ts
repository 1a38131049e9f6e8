// Property-based tests: every route the API serves gets malformed, oversized and hostile input in properly
// signed raw requests. Whatever arrives, the server never answers 5xx, every refusal is the modelled JSON error
// ({Code, Message} + x-amzn-errortype), and a refused request changes nothing in the database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CreateAccountCommand, CreateUserCommand, InviteUsersCommand } from '@aws-sdk/client-chime';
import { databaseSnapshot } from './support/snapshot.js';
import { startTestServer, type TestServer } from './support/server.js';
import { signedRequest, type RawResponse } from './support/signed-request.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

// ---------------------------------------------------------------------------------------------------------------
// Database snapshot: row counts, plus a digest of the columns updates touch.

const snapshot = () => databaseSnapshot(server.services.db);

// ---------------------------------------------------------------------------------------------------------------
// What a well-formed answer looks like.

/** Modelled status of each exception name the server may send for a client error. */
const errorStatus: Record<string, number> = {
  BadRequestException: 400,
  ForbiddenException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  UnprocessableEntityException: 422,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
  UnrecognizedClientException: 403,
  MissingAuthenticationTokenException: 403,
};
const chimeErrorCodes = new Set(['BadRequest', 'Conflict', 'Forbidden', 'NotFound', 'PreconditionFailed', 'ResourceLimitExceeded', 'ServiceFailure', 'AccessDenied', 'ServiceUnavailable', 'Throttled', 'Throttling', 'Unauthorized', 'Unprocessable']);

type Req = { method: string; path: string; query: Record<string, string>; body?: string | undefined; contentType?: string | undefined };

const describeReq = (r: Req) => `${r.method} ${r.path.slice(0, 300)} ${JSON.stringify(r.query).slice(0, 300)} body=${(r.body ?? '').slice(0, 300)}`;

function assertWellFormed(res: RawResponse, req: Req, expectedSuccess?: number): void {
  const where = `${res.status} for ${describeReq(req)} → ${res.text.slice(0, 300)}`;
  assert.ok(res.status >= 200 && res.status < 500, `never a 5xx (or a non-HTTP answer): ${where}`);
  assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/, `x-amzn-requestid on every response: ${where}`);
  if (res.status < 300) {
    if (expectedSuccess !== undefined) assert.equal(res.status, expectedSuccess, `modelled success status: ${where}`);
    if (res.status === 204) assert.equal(res.text, '', where);
    else assert.ok(res.json !== null && typeof res.json === 'object' && !Array.isArray(res.json), `JSON object on success: ${where}`);
    return;
  }
  const type = res.headers['x-amzn-errortype'];
  assert.equal(typeof type, 'string', `x-amzn-errortype on every error: ${where}`);
  // An oversized body is the one BadRequestException with a status of its own: 413.
  const modelled = (res.json as { Reason?: unknown } | undefined)?.Reason === 'request.too_large' ? 413 : errorStatus[type as string];
  assert.equal(modelled, res.status, `exception name matches the status: ${type} ${where}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, where);
  assert.ok(res.json !== null && typeof res.json === 'object' && !Array.isArray(res.json), `JSON error body: ${where}`);
  const body = res.json as Record<string, unknown>;
  assert.equal(typeof body.Code, 'string', where);
  assert.ok(chimeErrorCodes.has(body.Code as string), `Code is a Chime ErrorCode: ${where}`);
  assert.equal(typeof body.Message, 'string', where);
}

async function send(req: Req): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  if (req.body !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(req.body));
    headers['content-type'] = req.contentType ?? 'application/json';
  }
  return signedRequest(server.url, server.admin, { method: req.method, path: req.path, query: req.query, headers, ...(req.body !== undefined && { body: req.body }) });
}

/**
 * The checked step: send the request twice (a hostile request repeated must be as harmless as the first time),
 * each time asserting the answer is well formed and that a refusal left the database untouched.
 */
async function checkRequest(req: Req, expectedSuccess?: number): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = await snapshot();
    const res = await send(req);
    assertWellFormed(res, req, expectedSuccess);
    if (res.status >= 300) assert.deepEqual(await snapshot(), before, `a refused request changed the database: ${res.status} for ${describeReq(req)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile input.

const wellFormed = (s: string) => !/\p{Cs}/u.test(s);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlChar = fc.constantFrom(
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\u000b', '\f', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\u00a0',
  '\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\ufeff', '\ufffd', '\ufffe', '\uffff',
);
const specialText = fc.constantFrom(
  '', ' ', '   ', '\t', '.', '..', '../..', '/', '//', '%', '%00', '%2F', '%25', '\\', '"', "'", '`', '<script>alert(1)</script>',
  "'; DROP TABLE accounts; --", "' OR '1'='1", '%s%n%x', '${x}', '{{x}}', '__proto__', 'constructor', 'prototype', 'toString',
  'null', 'undefined', 'true', 'NaN', 'Infinity', '0', '-1', '1e309', 'Team', 'Pro', 'Basic', 'Plus', 'ProTrial',
  'PrivateUser', 'SharedDevice', '😀', '👩‍👩‍👧‍👦', 'ü', 'İ', 'ß', 'ﬀ', 'Σ', '\u0130\u0131', 'e\u0301', '日本語', 'مرحبا',
  'a@b.co', 'A@B.CO', ' a@b.co ', 'a@b', '@b.co', 'a@@b.co', 'a b@c.de', 'x@y.z\u0000', 'é@ü.de',
);
/** Strings of every kind, short enough to sit in a URL. */
const shortString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), controlChar, loneSurrogate, specialText), { maxLength: 6 }).map((a) => a.join('')),
  specialText,
);
const hugeString = fc
  .tuple(fc.constantFrom('x', ' ', 'é', '😀', '\u0000', '%', '\ud800', 'a@b.co,'), fc.integer({ min: 101, max: 40_000 }))
  .map(([c, n]) => c.repeat(Math.ceil(n / c.length)));
const anyString = fc.oneof({ weight: 5, arbitrary: shortString }, { weight: 1, arbitrary: hugeString });
const urlSafeString = shortString.filter(wellFormed);

/** Any JSON value at all, in place of a field. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, [], {}, [null], { '': '' }, [[[]]]) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 60 }) },
);

/** A field: a valid value, a hostile one, or absent. */
function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 2, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant(undefined) });
}

/** A list: usually a short clean one, sometimes up to `max` items of which any may be hostile. */
function list<T>(clean: fc.Arbitrary<T>, hostileItem: fc.Arbitrary<unknown>, max: number): fc.Arbitrary<unknown[]> {
  return fc.oneof({ weight: 3, arbitrary: fc.array(clean, { minLength: 1, maxLength: 5 }) }, { weight: 2, arbitrary: fc.array(hostileItem, { maxLength: max }) });
}

/** An object whose members are each valid, hostile or absent, sometimes with unknown members added. */
function object(model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(Object.entries(model).map(([k, v]) => [k, field(v)]));
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.option(fc.dictionary(fc.oneof(shortString, fc.constantFrom('__proto__', 'constructor', 'Name ')), hostileValue, { maxKeys: 3 }), { nil: undefined }))
    .map(([known, extra]) => {
      const out: Record<string, unknown> = {};
      if (extra) for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      for (const [k, v] of Object.entries(known)) if (v !== undefined) out[k] = v;
      return out;
    });
}

const validName = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 100 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.constantFrom('Acme', 'Ünïcödé Corp', '日本語の会社', 'x'.repeat(100)),
);
/** Basic and Pro are assignable; Plus and ProTrial are legacy values the API only reports. */
const license = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('Basic', 'Pro') }, { weight: 1, arbitrary: fc.constantFrom('Plus', 'ProTrial') });
const userType = fc.constantFrom('PrivateUser', 'SharedDevice');
/** A small pool of addresses, so the users table stays bounded; some differ only in case. */
const validEmail = fc.constantFrom('alice@example.com', 'bob@example.com', 'ALICE@Example.com', 'carol+tag@example.org', 'dave@sub.example.net', 'émile@exämple.de');
const groupName = fc.oneof(fc.constantFrom('admins', 'staff', 'Admins', 'g 1'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }));

/** Raw wire path labels: real ids, traversal, bad percent-encoding, encoded slashes, unicode, very long ids. */
function rawLabel(real: string[]): fc.Arbitrary<string> {
  const printable = fc.constantFrom(...Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '/' && c !== '?'));
  return fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...real) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '', '.', '..', '...', '%', '%%', '%2', '%zz', '%2e', '%2e%2e', '%2E%2E%2F', '%2F', 'a%2Fb', '..%2F..%2Fsettings', '%2F%2F', '%00',
        'a%00', '%25', '%25zz', '%ED%A0%80', '%C0%AF', '%FF', '%E2%80%AE', '%F0%9F%98%80', '~', "!'()*", ';', ';x=1', ':', '@', '+', '=',
        '&', '$', ',', '#', '#frag', '%20', '%09', '%0A', '%0D%0A', '%7F', '*', 'null', 'undefined', '__proto__', 'constructor',
        '00000000-0000-0000-0000-000000000000',
      ),
    },
    { weight: 2, arbitrary: urlSafeString.map((s) => encodeURIComponent(s)) },
    { weight: 1, arbitrary: fc.string({ unit: printable, minLength: 1, maxLength: 24 }) },
    { weight: 1, arbitrary: fc.integer({ min: 257, max: 5000 }).map((n) => 'a'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 1500 }).map((n) => '%41'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(...real).map((id) => `${id}%2F..`) },
    { weight: 1, arbitrary: fc.constantFrom(...real).map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom(...real).map((id) => `${id}%00`) },
  );
}

const queryValue = fc.oneof(
  { weight: 3, arbitrary: urlSafeString },
  { weight: 2, arbitrary: fc.constantFrom('0', '1', '2', '100', '200', '201', '-1', '1.5', '1e2', '0x10', 'abc', '', ' ', 'Team', 'PrivateUser', 'SharedDevice', 'add', 'create') },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 2000 }).map((n) => 'q'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('djEuMDFhMjIwZjAtZjc3NC03MzYzLTkzZDYtZmUwZDhjYTg0MDhk', 'djEuZ2FyYmFnZQ', 'v1.', '%', '%%%') },
);
const queryKey = fc.oneof(fc.constantFrom('name', 'user-email', 'user-type', 'max-results', 'next-token', 'operation', 'Name', 'MaxResults', 'X-Amz-Signature', 'x-amz-date', '__proto__', 'constructor'), urlSafeString);

/** The query: the route's own parameters (valid or hostile), random extras, and usually the route's operation=. */
function query(route: Route): fc.Arbitrary<Record<string, string>> {
  const own = Object.fromEntries(Object.entries(route.query ?? {}).map(([k, v]) => [k, fc.oneof({ weight: 3, arbitrary: v }, { weight: 2, arbitrary: queryValue })]));
  return fc
    .tuple(
      fc.record(own, { requiredKeys: [] }),
      fc.option(fc.dictionary(queryKey, queryValue, { maxKeys: 4 }), { freq: 3, nil: undefined }),
      fc.oneof({ weight: 9, arbitrary: fc.constant(route.operation) }, { weight: 1, arbitrary: fc.option(queryValue, { nil: undefined }) }),
    )
    .map(([ownQ, extra, operation]) => {
      const q: Record<string, string> = {};
      if (extra) for (const [k, v] of Object.entries(extra)) if (k !== 'operation') Object.defineProperty(q, k, { value: v, enumerable: true, writable: true, configurable: true });
      for (const [k, v] of Object.entries(ownQ)) if (v !== undefined) q[k] = v as string;
      if (operation !== undefined) q.operation = operation;
      return q;
    });
}

/** The body: usually the route's JSON object (fields valid or hostile); sometimes any JSON, garbage or an oversized one. */
function body(route: Route): fc.Arbitrary<{ body: string | undefined; contentType: string | undefined }> {
  const json = route.body ? object(route.body).map((o) => JSON.stringify(o)) : fc.constant(undefined);
  const garbage = fc.oneof(
    fc.constantFrom('', '{', '[', '}', 'null', '[]', '"x"', '42', 'true', '{"a":1', '{"a":1}}', '\u0000', '\ufeff{}', '{"__proto__":{"polluted":1}}', '{"Name":"a","Name":"b"}'),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.integer({ min: 1000, max: 200_000 }).map((n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`),
    shortString,
  );
  const oversized = fc.constant(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/xml', ';;;', 'multipart/form-data; boundary=x', '*/*') },
  );
  return fc.record({
    body: fc.oneof(
      { weight: route.body ? 14 : 0, arbitrary: json },
      { weight: 2, arbitrary: garbage },
      { weight: route.body ? 0 : 14, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: oversized },
    ),
    contentType,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The routes (src/api/chime-api.ts operations), with the fields each one reads.

type Route = {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  operation?: string;
  status: 200 | 201 | 204;
  query?: Record<string, fc.Arbitrary<string>>;
  body?: Record<string, fc.Arbitrary<unknown>>;
};

/**
 * Real resources for the labels to hit: a Team account with a registered and an invited member, an empty Team
 * account, and (set directly in the database, as no API creates them) an EnterpriseLWA and an EnterpriseDirectory
 * account with one registered member each, so the type-dependent rules (suspend, unsuspend, licenses, delete) run.
 */
type Fixture = { accountId: string; userId: string; invitedId: string; otherAccountId: string; pairs: Array<[string, string]>; accounts: string[]; users: string[] };

function routes(fx: Fixture): Route[] {
  const userIds = fc.constantFrom(...fx.users, 'missing-user', fx.accountId);
  const alexa = object({ IsAlexaForBusinessEnabled: fc.boolean(), AlexaForBusinessRoomArn: fc.constantFrom('arn:aws:a4b:us-east-1:123456789012:room/abc', '') });
  const maxResults = fc.integer({ min: 1, max: 200 }).map(String);
  return [
    { name: 'CreateAccount', method: 'POST', path: '/accounts', status: 201, body: { Name: validName } },
    { name: 'GetAccount', method: 'GET', path: '/accounts/{a}', status: 200 },
    {
      name: 'ListAccounts',
      method: 'GET',
      path: '/accounts',
      status: 200,
      query: { name: validName, 'user-email': validEmail, 'max-results': maxResults, 'next-token': fc.constant('djEuMDFhMjIwZjAtZjc3NC03MzYzLTkzZDYtZmUwZDhjYTg0MDhk') },
    },
    { name: 'UpdateAccount', method: 'POST', path: '/accounts/{a}', status: 200, body: { Name: validName, DefaultLicense: license } },
    { name: 'DeleteAccount', method: 'DELETE', path: '/accounts/{a}', status: 204 },
    { name: 'GetAccountSettings', method: 'GET', path: '/accounts/{a}/settings', status: 200 },
    {
      name: 'UpdateAccountSettings',
      method: 'PUT',
      path: '/accounts/{a}/settings',
      status: 204,
      body: { AccountSettings: object({ DisableRemoteControl: fc.boolean(), EnableDialOut: fc.boolean() }) },
    },
    {
      name: 'AssociateSigninDelegateGroupsWithAccount',
      method: 'POST',
      path: '/accounts/{a}',
      operation: 'associate-signin-delegate-groups',
      status: 200,
      body: { SigninDelegateGroups: list(fc.record({ GroupName: groupName }), object({ GroupName: groupName }), 55) },
    },
    {
      name: 'DisassociateSigninDelegateGroupsFromAccount',
      method: 'POST',
      path: '/accounts/{a}',
      operation: 'disassociate-signin-delegate-groups',
      status: 200,
      body: { GroupNames: list(groupName, field(groupName), 55) },
    },
    {
      name: 'InviteUsers',
      method: 'POST',
      path: '/accounts/{a}/users',
      operation: 'add',
      status: 201,
      body: { UserEmailList: list(validEmail, field(validEmail), 55), UserType: userType },
    },
    { name: 'CreateUser', method: 'POST', path: '/accounts/{a}/users', operation: 'create', status: 201, body: { Username: validName, Email: validEmail, UserType: userType } },
    {
      name: 'ListUsers',
      method: 'GET',
      path: '/accounts/{a}/users',
      status: 200,
      query: { 'user-email': validEmail, 'user-type': userType, 'max-results': maxResults, 'next-token': fc.constant('djEuMDFhMjIwZjAtZjc3NC03MzYzLTkzZDYtZmUwZDhjYTg0MDhk') },
    },
    { name: 'GetUser', method: 'GET', path: '/accounts/{a}/users/{u}', status: 200 },
    { name: 'UpdateUser', method: 'POST', path: '/accounts/{a}/users/{u}', status: 200, body: { LicenseType: license, UserType: userType, AlexaForBusinessMetadata: alexa } },
    {
      name: 'BatchUpdateUser',
      method: 'POST',
      path: '/accounts/{a}/users',
      status: 200,
      body: {
        UpdateUserRequestItems: fc.oneof(
          fc.uniqueArray(fc.record({ UserId: userIds, LicenseType: license, UserType: userType }, { requiredKeys: ['UserId'] }), { minLength: 1, maxLength: 4, selector: (i) => i.UserId }),
          fc.array(object({ UserId: userIds, LicenseType: license, UserType: userType, AlexaForBusinessMetadata: alexa }), { maxLength: 24 }),
        ),
      },
    },
    { name: 'BatchSuspendUser', method: 'POST', path: '/accounts/{a}/users', operation: 'suspend', status: 200, body: { UserIdList: list(userIds, field(userIds), 55) } },
    { name: 'BatchUnsuspendUser', method: 'POST', path: '/accounts/{a}/users', operation: 'unsuspend', status: 200, body: { UserIdList: list(userIds, field(userIds), 55) } },
    { name: 'ResetPersonalPIN', method: 'POST', path: '/accounts/{a}/users/{u}', operation: 'reset-personal-pin', status: 200 },
    { name: 'LogoutUser', method: 'POST', path: '/accounts/{a}/users/{u}', operation: 'logout', status: 204 },
    { name: 'GetUserSettings', method: 'GET', path: '/accounts/{a}/users/{u}/settings', status: 200 },
    {
      name: 'UpdateUserSettings',
      method: 'PUT',
      path: '/accounts/{a}/users/{u}/settings',
      status: 204,
      body: { UserSettings: object({ Telephony: object({ InboundCalling: fc.boolean(), OutboundCalling: fc.boolean(), SMS: fc.boolean() }) }) },
    },
    { name: 'GetGlobalSettings', method: 'GET', path: '/settings', status: 200 },
    {
      name: 'UpdateGlobalSettings',
      method: 'PUT',
      path: '/settings',
      status: 204,
      body: { BusinessCalling: object({ CdrBucket: fc.constantFrom('cdr-bucket', 'b'.repeat(255)) }), VoiceConnector: object({ CdrBucket: fc.constantFrom('vc-bucket', '') }) },
    },
  ];
}

/** A signed request for `route`, with hostile labels, query and body. */
function requestFor(route: Route, fx: Fixture): fc.Arbitrary<Req> {
  const labels = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...fx.pairs).map(([a, u]) => ({ a, u })) },
    { weight: 2, arbitrary: fc.record({ a: rawLabel(fx.accounts), u: rawLabel(fx.users) }) },
  );
  return fc.record({ labels, query: query(route), body: body(route) }).map(({ labels: { a, u }, query: q, body: b }) => ({
    method: route.method,
    path: route.path.replace('{a}', a).replace('{u}', u),
    query: q,
    body: b.body,
    contentType: b.contentType,
  }));
}

/** Whether the request is addressed to the route's own operation (so a 2xx must be its modelled status). */
const targetsRoute = (route: Route, req: Req) => req.query.operation === route.operation;

async function createFixture(): Promise<Fixture> {
  const db = server.services.db;
  const account = async (name: string) => (await server.client.send(new CreateAccountCommand({ Name: name }))).Account!.AccountId!;
  // Each fixture has addresses of its own: a person is a registered member of one account at a time.
  const tag = randomBytes(4).toString('hex');
  const member = async (accountId: string, email: string) => (await server.client.send(new CreateUserCommand({ AccountId: accountId, Email: email.replace('@', `+${tag}@`), Username: 'member' }))).User!.UserId!;
  const accountId = await account('Property fixture');
  const otherAccountId = await account('Property other');
  const userId = await member(accountId, 'registered@fixture.example.com');
  await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: [`invited+${tag}@fixture.example.com`] }));
  const invited = await db.selectFrom('users').select('id').where('account_id', '=', accountId).where('email_norm', '=', `invited+${tag}@fixture.example.com`).executeTakeFirstOrThrow();
  const lwaAccountId = await account('Property LWA');
  const lwaUserId = await member(lwaAccountId, 'lwa@fixture.example.com');
  await db.updateTable('accounts').set({ type: 'EnterpriseLWA' }).where('id', '=', lwaAccountId).execute();
  const dirAccountId = await account('Property directory');
  const dirUserId = await member(dirAccountId, 'dir@fixture.example.com');
  await db.updateTable('accounts').set({ type: 'EnterpriseDirectory' }).where('id', '=', dirAccountId).execute();
  return {
    accountId,
    userId,
    invitedId: invited.id,
    otherAccountId,
    pairs: [
      [accountId, userId],
      [accountId, invited.id],
      [lwaAccountId, lwaUserId],
      [dirAccountId, dirUserId],
    ],
    accounts: [accountId, otherAccountId, lwaAccountId, dirAccountId],
    users: [userId, invited.id, lwaUserId, dirUserId],
  };
}

const RUNS = Number(process.env.CARILLON_PROPERTY_RUNS ?? 40);

/** Examples every run includes: JSON strings that are not well-formed Unicode (lone surrogates). */
function surrogateExamples(route: Route, fx: Fixture): Req[] {
  const path = route.path.replace('{a}', fx.accountId).replace('{u}', fx.userId);
  const q: Record<string, string> = route.operation ? { operation: route.operation } : {};
  const bodies: Record<string, unknown> = {
    CreateAccount: { Name: 'lone \ud800 surrogate' },
    UpdateAccount: { Name: 'lone \udc00 surrogate' },
    AssociateSigninDelegateGroupsWithAccount: { SigninDelegateGroups: [{ GroupName: 'grp\ud800' }, { GroupName: 'grp\udc00' }] },
    DisassociateSigninDelegateGroupsFromAccount: { GroupNames: ['grp\ud800'] },
    InviteUsers: { UserEmailList: ['lone\ud800@example.com', 'lone\udbff@example.com'] },
    CreateUser: { Email: 'lone\ud800@example.com', Username: '\udfff' },
    UpdateUser: { AlexaForBusinessMetadata: { AlexaForBusinessRoomArn: 'arn\ud800' } },
    BatchUpdateUser: { UpdateUserRequestItems: [{ UserId: 'u\ud800' }, { UserId: 'u\udc00' }] },
    BatchSuspendUser: { UserIdList: ['u\ud800', 'u\udc00'] },
    UpdateGlobalSettings: { BusinessCalling: { CdrBucket: 'bucket\ud800' } },
  };
  const b = bodies[route.name];
  return b === undefined ? [] : [{ method: route.method, path, query: q, body: JSON.stringify(b) }];
}

// ---------------------------------------------------------------------------------------------------------------

describe('every route withstands hostile input', () => {
  // The route list is built from placeholder ids only to name the tests; each test uses a fresh fixture.
  const names = routes({ accountId: 'a', userId: 'u', invitedId: 'i', otherAccountId: 'o', pairs: [['a', 'u']], accounts: ['a'], users: ['u'] }).map((r) => r.name);
  for (const name of names) {
    test(`${name}: never 5xx, refusals are modelled JSON errors and change nothing`, async () => {
      // A fresh fixture per route, so earlier routes (deletes, suspensions) do not leave this one only NotFound.
      const fx = await createFixture();
      const route = routes(fx).find((r) => r.name === name)!;
      await fc.assert(
        fc.asyncProperty(fc.limitShrink(requestFor(route, fx), 40), async (req) => {
          await checkRequest(req, targetsRoute(route, req) ? route.status : undefined);
        }),
        { numRuns: RUNS, includeErrorInReport: true, examples: surrogateExamples(route, fx).map((r) => [r] as [Req]) },
      );
    });
  }
});

describe('anything on the wire', () => {
  test('random methods, paths and queries: never 5xx, always a modelled JSON error when refused', async () => {
    const fx = await createFixture();
    const segment = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('accounts', 'users', 'settings', fx.accountId, fx.userId) },
      { weight: 3, arbitrary: rawLabel([...fx.accounts, ...fx.users]) },
    );
    const anyRequest = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      segments: fc.array(segment, { minLength: 0, maxLength: 7 }),
      query: fc.dictionary(queryKey, queryValue, { maxKeys: 4 }),
      body: fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), shortString), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.limitShrink(anyRequest, 40), async (r) => {
        const query: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.query)) Object.defineProperty(query, k, { value: v, enumerable: true, writable: true, configurable: true });
        await checkRequest({ method: r.method, path: `/${r.segments.join('/')}`, query, body: r.body });
      }),
      { numRuns: RUNS * 2, includeErrorInReport: true },
    );
  });
});

describe('strings that are not well-formed Unicode', () => {
  // JSON may carry lone surrogates ("\ud800"); the databases store them as U+FFFD, so two different strings
  // can become equal once stored. Whatever the server decides (accept or refuse), it must never be a 5xx.
  test('group names and invitation emails with lone surrogates, sent twice: never 5xx', async () => {
    const fx = await createFixture();
    const withSurrogate = fc
      .tuple(fc.string({ unit: 'grapheme-ascii', maxLength: 8 }), loneSurrogate, fc.string({ unit: 'grapheme-ascii', maxLength: 8 }))
      .map(([a, s, b]) => `${a}${s}${b}`)
      .filter((s) => /\S/.test(s));
    const req = fc.oneof(
      fc.array(withSurrogate, { minLength: 1, maxLength: 3 }).map(
        (names): Req => ({
          method: 'POST',
          path: `/accounts/${fx.accountId}`,
          query: { operation: 'associate-signin-delegate-groups' },
          body: JSON.stringify({ SigninDelegateGroups: names.map((GroupName) => ({ GroupName })) }),
        }),
      ),
      fc.array(withSurrogate.map((s) => `${s.replace(/[@\s]/g, '')}x@example.com`), { minLength: 1, maxLength: 3 }).map(
        (emails): Req => ({ method: 'POST', path: `/accounts/${fx.accountId}/users`, query: { operation: 'add' }, body: JSON.stringify({ UserEmailList: emails }) }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.limitShrink(req, 20), async (r) => {
        await checkRequest(r);
      }),
      { numRuns: 30, includeErrorInReport: true },
    );
  });
});
