// Every modelled error class of the account/user operations, through the SDK (instanceof) and on the wire
// (status, x-amzn-ErrorType, {"Code","Message"}, x-amzn-RequestId), and the request-shape refusals: unknown
// routes, bad bodies, oversized bodies (413), wrong types, NUL bytes, bad paging parameters. None of them changes
// anything.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  BadRequestException,
  AssociateSigninDelegateGroupsWithAccountCommand,
  ChimeServiceException,
  ConflictException,
  CreateAccountCommand,
  CreateUserCommand,
  DeleteAccountCommand,
  ForbiddenException,
  GetAccountCommand,
  GetUserCommand,
  InviteUsersCommand,
  ListAccountsCommand,
  ListUsersCommand,
  NotFoundException,
  UnprocessableEntityException,
  UpdateAccountCommand,
  UpdateAccountSettingsCommand,
} from '@aws-sdk/client-chime';
import { databaseSnapshot } from './support/snapshot.js';
import { startTestServer, type TestServer } from './support/server.js';
import { sendRaw, signHeaders, signedRequest, type RawRequest, type RawResponse } from './support/signed-request.js';

let server: TestServer;
let accountId: string;
let userId: string;

before(async () => {
  server = await startTestServer();
  accountId = (await server.client.send(new CreateAccountCommand({ Name: 'Errors Inc' }))).Account!.AccountId!;
  userId = (await server.client.send(new CreateUserCommand({ AccountId: accountId, Email: 'taken@errors.example.com', Username: 'taken' }))).User!.UserId!;
});
after(() => server.stop());

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const snapshot = (s: TestServer = server) => databaseSnapshot(s.services.db);

async function assertUnchanged(fn: () => Promise<void>, s: TestServer = server): Promise<void> {
  const before = await snapshot(s);
  await fn();
  assert.deepEqual(await snapshot(s), before, 'a rejected request must change nothing');
}

const exceptionStatus: Record<string, [number, string]> = {
  BadRequestException: [400, 'BadRequest'],
  ForbiddenException: [403, 'Forbidden'],
  NotFoundException: [404, 'NotFound'],
  ConflictException: [409, 'Conflict'],
  UnprocessableEntityException: [422, 'Unprocessable'],
};

/** The Chime error wire format: modelled status (or `status` where the code has its own), x-amzn-errortype, JSON
 *  {Code, Message}, x-amzn-requestid. */
function assertWireError(res: RawResponse, type: keyof typeof exceptionStatus | string, what = '', status = exceptionStatus[type]?.[0] ?? NaN): void {
  const code = exceptionStatus[type]?.[1] ?? '';
  assert.equal(res.status, status, `${what} status (body: ${res.text.slice(0, 300)})`);
  assert.equal(res.headers['x-amzn-errortype'], type, what);
  assert.match(String(res.headers['content-type']), /^application\/json/, what);
  assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/, `${what} x-amzn-requestid`);
  assert.ok(res.json !== null && typeof res.json === 'object' && !Array.isArray(res.json), `${what} JSON object body: ${res.text.slice(0, 200)}`);
  const body = res.json as Record<string, unknown>;
  assert.equal(body.Code, code, what);
  assert.equal(typeof body.Message, 'string', what);
  assert.ok((body.Message as string).length > 0, what);
}

/** Asserts an SDK rejection is the given modelled class, with the matching name, Code, status and request id. */
async function assertSdkError(promise: Promise<unknown>, cls: new (...args: never[]) => ChimeServiceException, name: keyof typeof exceptionStatus): Promise<void> {
  const [status, code] = exceptionStatus[name]!;
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.ok(e instanceof ChimeServiceException);
    assert.equal(e.name, name);
    assert.equal(e.$fault, 'client');
    assert.equal(e.$metadata.httpStatusCode, status);
    assert.ok(e.$metadata.requestId, 'requestId from x-amzn-RequestId');
    assert.equal((e as unknown as { Code?: string }).Code, code);
    assert.equal(typeof e.message, 'string');
    return true;
  });
}

const withLength = (body: string): Record<string, string> => ({ 'content-length': String(Buffer.byteLength(body)) });

/** A signed JSON request (content-length set and signed, as the SDK does). */
function send(method: string, path: string, options: { query?: Record<string, string>; body?: string | object } = {}): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const req: RawRequest = { method, path, ...(options.query && { query: options.query }), ...(body !== undefined && { body, headers: withLength(body) }) };
  return signedRequest(server.url, server.admin, req);
}

/** Sends bytes on a fresh socket and reads the whole answer (for requests Node's HTTP client cannot form). */
function rawHttp(baseUrl: string, request: Buffer): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => (chunks.length > 0 ? undefined : reject(e)));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const body = split === -1 ? '' : text.slice(split + 4);
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: Number(statusLine?.split(' ')[1] ?? 0), headers, text: body, json });
    });
    socket.write(request);
  });
}

// ---------------------------------------------------------------------------------------------------------------

describe('modelled errors through the SDK', () => {
  test('BadRequestException: invalid input and operations that do not apply to the account type', async () => {
    await assertUnchanged(async () => {
      await assertSdkError(server.client.send(new CreateAccountCommand({ Name: '' })), BadRequestException, 'BadRequestException');
      await assertSdkError(server.client.send(new CreateAccountCommand({ Name: 'n'.repeat(101) })), BadRequestException, 'BadRequestException');
      await assertSdkError(server.client.send(new ListAccountsCommand({ MaxResults: 0 })), BadRequestException, 'BadRequestException');
      await assertSdkError(server.client.send(new ListUsersCommand({ AccountId: accountId, NextToken: 'garbage' })), BadRequestException, 'BadRequestException');
      await assertSdkError(server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['no-at-sign.example.com'] })), BadRequestException, 'BadRequestException');
      // Sign-in delegate groups are a directory's; this Team account has none.
      await assertSdkError(
        server.client.send(new AssociateSigninDelegateGroupsWithAccountCommand({ AccountId: accountId, SigninDelegateGroups: [{ GroupName: 'Desks' }] })),
        BadRequestException,
        'BadRequestException',
      );
    });
  });

  test('ForbiddenException: a read-only key may not write', async () => {
    const reader = server.clientFor(await server.createKey('read-only'));
    try {
      await assertUnchanged(() => assertSdkError(reader.send(new CreateAccountCommand({ Name: 'reader' })), ForbiddenException, 'ForbiddenException'));
    } finally {
      reader.destroy();
    }
  });

  test('NotFoundException: missing account, missing user, update and delete of a missing account', async () => {
    const missing = randomUUID();
    await assertUnchanged(async () => {
      await assertSdkError(server.client.send(new GetAccountCommand({ AccountId: missing })), NotFoundException, 'NotFoundException');
      await assertSdkError(server.client.send(new GetUserCommand({ AccountId: accountId, UserId: missing })), NotFoundException, 'NotFoundException');
      await assertSdkError(server.client.send(new GetUserCommand({ AccountId: missing, UserId: userId })), NotFoundException, 'NotFoundException');
      await assertSdkError(server.client.send(new UpdateAccountCommand({ AccountId: missing, Name: 'x' })), NotFoundException, 'NotFoundException');
      await assertSdkError(server.client.send(new DeleteAccountCommand({ AccountId: missing })), NotFoundException, 'NotFoundException');
      await assertSdkError(server.client.send(new UpdateAccountSettingsCommand({ AccountId: missing, AccountSettings: { EnableDialOut: false } })), NotFoundException, 'NotFoundException');
    });
  });

  test('ConflictException: CreateUser with an email already in the account (case-insensitively)', async () => {
    await assertUnchanged(async () => {
      await assertSdkError(server.client.send(new CreateUserCommand({ AccountId: accountId, Email: 'taken@errors.example.com' })), ConflictException, 'ConflictException');
      await assertSdkError(server.client.send(new CreateUserCommand({ AccountId: accountId, Email: 'TAKEN@Errors.Example.com' })), ConflictException, 'ConflictException');
    });
  });

  test('UnprocessableEntityException: DeleteAccount while registered users remain', async () => {
    await assertUnchanged(() => assertSdkError(server.client.send(new DeleteAccountCommand({ AccountId: accountId })), UnprocessableEntityException, 'UnprocessableEntityException'));
    assert.equal((await server.client.send(new GetAccountCommand({ AccountId: accountId }))).Account?.AccountId, accountId);
  });
});

describe('the error wire format', () => {
  test('each modelled class carries status, x-amzn-ErrorType, {Code, Message} and x-amzn-RequestId', async () => {
    const reader = await server.createKey('read-only');
    await assertUnchanged(async () => {
      assertWireError(await send('POST', '/accounts', { body: { Name: '' } }), 'BadRequestException');
      assertWireError(await signedRequest(server.url, reader, { method: 'POST', path: '/accounts', body: '{"Name":"r"}', headers: withLength('{"Name":"r"}') }), 'ForbiddenException');
      assertWireError(await send('GET', `/accounts/${randomUUID()}`), 'NotFoundException');
      assertWireError(await send('POST', `/accounts/${accountId}/users`, { query: { operation: 'create' }, body: { Email: 'Taken@errors.example.com' } }), 'ConflictException');
      assertWireError(await send('DELETE', `/accounts/${accountId}`), 'UnprocessableEntityException');
    });
  });

  test('x-amzn-RequestId is on every response, success (200, 201, 204) and error, and is unique', async () => {
    const ids: string[] = [];
    const record = (res: RawResponse, status: number) => {
      assert.equal(res.status, status, res.text);
      const id = res.headers['x-amzn-requestid'];
      assert.equal(typeof id, 'string');
      assert.match(id as string, /^[0-9a-f-]{36}$/);
      ids.push(id as string);
    };
    record(await send('GET', `/accounts/${accountId}`), 200);
    const created = await send('POST', '/accounts', { body: { Name: 'Request ids' } });
    record(created, 201);
    const newId = (created.json as { Account: { AccountId: string } }).Account.AccountId;
    record(await send('PUT', `/accounts/${newId}/settings`, { body: { AccountSettings: { EnableDialOut: false } } }), 204);
    record(await send('POST', `/accounts/${accountId}/users/${userId}`, { query: { operation: 'logout' } }), 204);
    record(await send('DELETE', `/accounts/${newId}`), 204);
    record(await send('GET', `/accounts/${newId}`), 404);
    record(await send('GET', '/nope'), 404);
    record(await sendRaw(server.url, { method: 'GET', path: '/accounts', headers: { host: new URL(server.url).host } }), 403);
    assert.equal(new Set(ids).size, ids.length, 'request ids are unique');

    const out = await server.client.send(new GetAccountCommand({ AccountId: accountId }));
    assert.ok(out.$metadata.requestId, 'the SDK surfaces the request id of a success');
  });
});

describe('routes that do not exist', () => {
  test('unknown paths, methods and operation= values → 404 NotFoundException in JSON', async () => {
    const cases: Array<[string, string, Record<string, string> | undefined]> = [
      ['GET', '/', undefined],
      ['GET', '/nope', undefined],
      ['PATCH', '/accounts', undefined],
      ['POST', `/accounts/x/users`, { operation: 'bogus' }],
      ['POST', `/accounts/${accountId}/users`, { operation: 'bogus' }],
      ['GET', `/accounts/${accountId}`, { operation: 'associate-signin-delegate-groups' }],
      ['PUT', '/accounts', undefined],
      ['DELETE', '/settings', undefined],
      ['OPTIONS', '/accounts', undefined],
      ['GET', `/accounts/${accountId}/users/${userId}/settings/extra`, undefined],
      ['GET', '/settings/nope', undefined],
      ['GET', '/accountsx', undefined],
    ];
    await assertUnchanged(async () => {
      for (const [method, path, query] of cases) {
        assertWireError(await send(method, path, query ? { query } : {}), 'NotFoundException', `${method} ${path}`);
      }
      // Even without a signature, an unknown path answers in the same JSON shape.
      assertWireError(await sendRaw(server.url, { method: 'GET', path: '/nope', headers: { host: new URL(server.url).host } }), 'NotFoundException', 'unsigned /nope');
    });
  });

  test('GET /accounts/ (empty label) → a modelled 400 or 404, never an unhandled error', async () => {
    await assertUnchanged(async () => {
      for (const path of ['/accounts/', `/accounts//users`, `/accounts/${accountId}/users/`]) {
        const res = await send('GET', path);
        assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
        assertWireError(res, res.status === 400 ? 'BadRequestException' : 'NotFoundException', path);
      }
      // The SDK sends an empty AccountId as GET /accounts/.
      await assert.rejects(server.client.send(new GetAccountCommand({ AccountId: '' })), (e: unknown) => {
        assert.ok(e instanceof BadRequestException || e instanceof NotFoundException, String(e));
        return true;
      });
    });
  });
});

describe('request bodies', () => {
  test('malformed JSON → 400 BadRequestException, nothing changes', async () => {
    const bodies = ['{"Name":', '{Name: "x"}', "{'Name':'x'}", 'not json', '{"Name":"x"} trailing', '{"Name":"x",}', '\u0000', '{"Name":"\u0000'];
    await assertUnchanged(async () => {
      for (const body of bodies) {
        assertWireError(await send('POST', '/accounts', { body }), 'BadRequestException', JSON.stringify(body));
        assertWireError(await send('POST', `/accounts/${accountId}/users`, { query: { operation: 'add' }, body }), 'BadRequestException', JSON.stringify(body));
      }
    });
  });

  test('a JSON value that is not an object (array, null, string, number) → 400', async () => {
    const bodies = ['[]', '[{"Name":"x"}]', 'null', '"Name"', '42', 'true'];
    await assertUnchanged(async () => {
      for (const body of bodies) {
        assertWireError(await send('POST', '/accounts', { body }), 'BadRequestException', body);
        assertWireError(await send('PUT', `/accounts/${accountId}/settings`, { body }), 'BadRequestException', body);
        assertWireError(await send('PUT', '/settings', { body }), 'BadRequestException', body);
      }
    });
  });

  test('wrong member types → 400, nothing changes', async () => {
    const cases: Array<[string, string, Record<string, string> | undefined, object]> = [
      ['POST', '/accounts', undefined, { Name: 5 }],
      ['POST', '/accounts', undefined, { Name: null }],
      ['POST', '/accounts', undefined, { Name: ['x'] }],
      ['POST', '/accounts', undefined, { Name: { value: 'x' } }],
      ['POST', '/accounts', undefined, { Name: true }],
      ['POST', '/accounts', undefined, {}],
      ['POST', `/accounts/${accountId}`, undefined, { Name: 5 }],
      ['POST', `/accounts/${accountId}`, undefined, { DefaultLicense: 'Platinum' }],
      ['PUT', `/accounts/${accountId}/settings`, undefined, { AccountSettings: { DisableRemoteControl: 'true' } }],
      ['PUT', `/accounts/${accountId}/settings`, undefined, { AccountSettings: 'on' }],
      ['POST', `/accounts/${accountId}`, { operation: 'associate-signin-delegate-groups' }, { SigninDelegateGroups: [{ GroupName: 5 }] }],
      ['POST', `/accounts/${accountId}`, { operation: 'disassociate-signin-delegate-groups' }, { GroupNames: [] }],
      ['POST', `/accounts/${accountId}/users`, { operation: 'add' }, { UserEmailList: 'a@example.com' }],
      ['POST', `/accounts/${accountId}/users`, { operation: 'add' }, { UserEmailList: [5] }],
      ['POST', `/accounts/${accountId}/users`, { operation: 'add' }, { UserEmailList: ['a@example.com'], UserType: 'Robot' }],
      ['POST', `/accounts/${accountId}/users`, { operation: 'create' }, { Email: 42 }],
      ['POST', `/accounts/${accountId}/users`, undefined, { UpdateUserRequestItems: {} }],
      ['POST', `/accounts/${accountId}/users`, undefined, { UpdateUserRequestItems: [{ UserId: userId, LicenseType: 7 }] }],
      ['POST', `/accounts/${accountId}/users`, { operation: 'suspend' }, { UserIdList: [null] }],
      ['POST', `/accounts/${accountId}/users/${userId}`, undefined, { LicenseType: 'Plus' }],
      ['POST', `/accounts/${accountId}/users/${userId}`, undefined, { AlexaForBusinessMetadata: { IsAlexaForBusinessEnabled: 'yes' } }],
      ['PUT', `/accounts/${accountId}/users/${userId}/settings`, undefined, { UserSettings: { Telephony: { InboundCalling: 1, OutboundCalling: true, SMS: true } } }],
      ['PUT', `/accounts/${accountId}/users/${userId}/settings`, undefined, { UserSettings: { Telephony: { InboundCalling: true } } }],
      ['PUT', '/settings', undefined, { BusinessCalling: { CdrBucket: 12 } }],
    ];
    await assertUnchanged(async () => {
      for (const [method, path, query, body] of cases) {
        assertWireError(await send(method, path, { ...(query && { query }), body }), 'BadRequestException', `${method} ${path} ${JSON.stringify(body)}`);
      }
    });
  });

  test('strings with a NUL byte (body, path label, query) → 400, nothing stored', async () => {
    const nul = 'a\u0000b';
    await assertUnchanged(async () => {
      const bodyCases: Array<[string, string, Record<string, string> | undefined, object]> = [
        ['POST', '/accounts', undefined, { Name: nul }],
        ['POST', `/accounts/${accountId}`, undefined, { Name: nul }],
        ['POST', `/accounts/${accountId}/users`, { operation: 'create' }, { Email: 'nul\u0000@errors.example.com' }],
        ['POST', `/accounts/${accountId}/users`, { operation: 'create' }, { Email: 'fresh@errors.example.com', Username: nul }],
        ['POST', `/accounts/${accountId}/users`, { operation: 'add' }, { UserEmailList: ['nul\u0000@errors.example.com'] }],
        ['POST', `/accounts/${accountId}`, { operation: 'associate-signin-delegate-groups' }, { SigninDelegateGroups: [{ GroupName: nul }] }],
        ['POST', `/accounts/${accountId}/users/${userId}`, undefined, { AlexaForBusinessMetadata: { AlexaForBusinessRoomArn: nul } }],
        ['POST', `/accounts/${accountId}/users`, { operation: 'suspend' }, { UserIdList: [`${userId}\u0000`] }],
        ['PUT', '/settings', undefined, { VoiceConnector: { CdrBucket: nul } }],
      ];
      for (const [method, path, query, body] of bodyCases) {
        assertWireError(await send(method, path, { ...(query && { query }), body }), 'BadRequestException', `${method} ${path} ${JSON.stringify(body)}`);
      }
      assertWireError(await send('GET', '/accounts/a%00b'), 'BadRequestException', 'path label');
      assertWireError(await send('GET', `/accounts/${accountId}/users/%00`), 'BadRequestException', 'user label');
      assertWireError(await send('GET', '/accounts', { query: { name: nul } }), 'BadRequestException', 'name filter');
      assertWireError(await send('GET', '/accounts', { query: { 'user-email': 'a\u0000@b.example.com' } }), 'BadRequestException', 'user-email filter');
      assertWireError(await send('GET', `/accounts/${accountId}/users`, { query: { 'next-token': nul } }), 'BadRequestException', 'next-token');
    });
    const user = await server.client.send(new GetUserCommand({ AccountId: accountId, UserId: userId }));
    assert.equal(user.User?.UserRegistrationStatus, 'Registered');
  });

  test('a body over the default 1 MiB limit → 413 with BadRequestException (the SDK raises that class)', async () => {
    const big = JSON.stringify({ Name: 'big', pad: 'x'.repeat(1024 * 1024) });
    await assertUnchanged(async () => {
      const res = await send('POST', '/accounts', { body: big });
      assertWireError(res, 'BadRequestException', 'oversized', 413);
      assert.equal((res.json as { Reason?: string }).Reason, 'request.too_large');
      await assert.rejects(server.client.send(new CreateAccountCommand({ Name: 'n'.repeat(1024 * 1024 + 1) })), (e: unknown) => {
        assert.ok(e instanceof BadRequestException, `expected BadRequestException, got ${String(e)}`);
        assert.equal(e.$metadata.httpStatusCode, 413);
        assert.equal(e.$fault, 'client');
        assert.ok(e.$metadata.requestId);
        return true;
      });
    });
  });

  describe('with CARILLON_BODY_LIMIT=4096', () => {
    let small: TestServer;
    before(async () => {
      small = await startTestServer({ env: { CARILLON_BODY_LIMIT: '4096' } });
    });
    after(() => small.stop());

    const padded = (size: number) => {
      const base = JSON.stringify({ Name: 'limit', pad: '' });
      return JSON.stringify({ Name: 'limit', pad: 'p'.repeat(size - base.length) });
    };

    test('4097 bytes (declared or chunked) → 413 BadRequestException, nothing created', async () => {
      const body = padded(4097);
      assert.equal(Buffer.byteLength(body), 4097);
      await assertUnchanged(async () => {
        assertWireError(await signedRequest(small.url, small.admin, { method: 'POST', path: '/accounts', body, headers: withLength(body) }), 'BadRequestException', 'content-length', 413);
        // Without content-length, Node sends the body chunked: the limit applies to what arrives.
        assertWireError(await signedRequest(small.url, small.admin, { method: 'POST', path: '/accounts', body }), 'BadRequestException', 'chunked', 413);
        assertWireError(await signedRequest(small.url, small.admin, { method: 'POST', path: '/accounts', body: padded(64 * 1024), headers: withLength(padded(64 * 1024)) }), 'BadRequestException', '64 KiB', 413);
      }, small);
    });

    test('exactly 4096 bytes is accepted', async () => {
      const body = padded(4096);
      assert.equal(Buffer.byteLength(body), 4096);
      const res = await signedRequest(small.url, small.admin, { method: 'POST', path: '/accounts', body, headers: withLength(body) });
      assert.equal(res.status, 201, res.text);
    });
  });
});

describe('names, emails and paging parameters', () => {
  test('an account name of 101 characters → 400; 100 characters is accepted', async () => {
    await assertUnchanged(async () => {
      assertWireError(await send('POST', '/accounts', { body: { Name: 'n'.repeat(101) } }), 'BadRequestException');
      assertWireError(await send('POST', `/accounts/${accountId}`, { body: { Name: 'n'.repeat(101) } }), 'BadRequestException');
      assertWireError(await send('POST', '/accounts', { body: { Name: '   ' } }), 'BadRequestException');
      assertWireError(await send('GET', '/accounts', { query: { name: 'n'.repeat(101) } }), 'BadRequestException');
    });
    const ok = await send('POST', '/accounts', { body: { Name: 'n'.repeat(100) } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal((ok.json as { Account: { Name: string } }).Account.Name, 'n'.repeat(100));
  });

  test('an email without @ → 400 (InviteUsers, CreateUser, user-email filters)', async () => {
    await assertUnchanged(async () => {
      for (const email of ['no-at.example.com', 'a@b', '@example.com', 'a b@example.com', '']) {
        assertWireError(await send('POST', `/accounts/${accountId}/users`, { query: { operation: 'add' }, body: { UserEmailList: [email] } }), 'BadRequestException', `invite ${email}`);
        assertWireError(await send('POST', `/accounts/${accountId}/users`, { query: { operation: 'create' }, body: { Email: email } }), 'BadRequestException', `create ${email}`);
      }
      // One bad address spoils the whole list: nobody is invited.
      assertWireError(await send('POST', `/accounts/${accountId}/users`, { query: { operation: 'add' }, body: { UserEmailList: ['ok@errors.example.com', 'broken'] } }), 'BadRequestException');
      assertWireError(await send('GET', `/accounts/${accountId}/users`, { query: { 'user-email': 'no-at.example.com' } }), 'BadRequestException');
      assertWireError(await send('GET', '/accounts', { query: { 'user-email': 'no-at.example.com' } }), 'BadRequestException');
      await assertSdkError(server.client.send(new CreateUserCommand({ AccountId: accountId, Email: 'no-at.example.com' })), BadRequestException, 'BadRequestException');
    });
  });

  test('max-results 0 / 201 / abc (and other non-integers) → 400; 1 and 200 are accepted', async () => {
    await assertUnchanged(async () => {
      for (const value of ['0', '201', 'abc', '-1', '1.5', '', ' 5', '1e2', '99999']) {
        assertWireError(await send('GET', '/accounts', { query: { 'max-results': value } }), 'BadRequestException', `accounts max-results=${JSON.stringify(value)}`);
        assertWireError(await send('GET', `/accounts/${accountId}/users`, { query: { 'max-results': value } }), 'BadRequestException', `users max-results=${JSON.stringify(value)}`);
      }
      await assertSdkError(server.client.send(new ListAccountsCommand({ MaxResults: 201 })), BadRequestException, 'BadRequestException');
      await assertSdkError(server.client.send(new ListUsersCommand({ AccountId: accountId, MaxResults: 0 })), BadRequestException, 'BadRequestException');
    });
    for (const value of ['1', '200']) {
      const res = await send('GET', '/accounts', { query: { 'max-results': value } });
      assert.equal(res.status, 200, res.text);
      assert.ok((res.json as { Accounts: unknown[] }).Accounts.length <= Number(value));
      assert.equal((await send('GET', `/accounts/${accountId}/users`, { query: { 'max-results': value } })).status, 200);
    }
  });

  test('a garbage NextToken → 400 (a real one works)', async () => {
    const forged = Buffer.from('v1.not-a-uuid').toString('base64url');
    await assertUnchanged(async () => {
      for (const token of ['garbage', forged, '', '%%%', 't'.repeat(600), Buffer.from('v2.01a220f0-f774-7363-93d6-fe0d8ca8408d').toString('base64url')]) {
        assertWireError(await send('GET', '/accounts', { query: { 'next-token': token } }), 'BadRequestException', `accounts next-token=${token.slice(0, 20)}`);
        assertWireError(await send('GET', `/accounts/${accountId}/users`, { query: { 'next-token': token } }), 'BadRequestException', `users next-token=${token.slice(0, 20)}`);
      }
      await assertSdkError(server.client.send(new ListAccountsCommand({ NextToken: 'garbage' })), BadRequestException, 'BadRequestException');
    });
    const first = await server.client.send(new ListAccountsCommand({ MaxResults: 1 }));
    assert.ok(first.NextToken, 'more than one account exists');
    const second = await server.client.send(new ListAccountsCommand({ MaxResults: 1, NextToken: first.NextToken }));
    assert.notEqual(second.Accounts?.[0]?.AccountId, first.Accounts?.[0]?.AccountId);
  });

  test('a query parameter given twice → 400', async () => {
    const url = new URL(server.url);
    // Sign the exact wire query (duplicates included) by handing the signer the raw string as one parameter set.
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: '/accounts', query: { 'max-results': ['1', '2'] as unknown as string } });
    const res = await sendRaw(server.url, { method: 'GET', path: '/accounts?max-results=1&max-results=2', headers: { ...headers, host: url.host } });
    assertWireError(res, 'BadRequestException');
  });
});

describe('requests the HTTP layer rejects still get a Chime error', () => {
  // Node's HTTP parser refuses these before any route runs; the answer must still be the modelled JSON error,
  // or the SDK reports an unknown error instead of BadRequestException.
  const host = () => new URL(server.url).host;

  test('a raw non-ASCII byte in the request target → 400 BadRequestException', async () => {
    const request = Buffer.concat([Buffer.from('GET /accounts/a'), Buffer.from([0x80]), Buffer.from(`b HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`)]);
    assertWireError(await rawHttp(server.url, request), 'BadRequestException');
  });

  test('a request line longer than the header limit → a JSON BadRequestException (400, 414 or 431)', async () => {
    const request = Buffer.from(`GET /accounts/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
    const res = await rawHttp(server.url, request);
    assert.ok([400, 414, 431].includes(res.status), `status ${res.status}`);
    assert.equal(res.headers['x-amzn-errortype'], 'BadRequestException', `headers ${JSON.stringify(res.headers)} body ${res.text}`);
    assert.ok(res.headers['x-amzn-requestid']);
    assert.equal((res.json as { Code?: unknown } | undefined)?.Code, 'BadRequest');
    assert.equal(typeof (res.json as { Message?: unknown }).Message, 'string');
  });
});
