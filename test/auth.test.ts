// SigV4 authentication and role/account authorization: every refusal is a 403 with the right exception name,
// a JSON {Code, Message} body and a request id, and a refused request changes nothing and writes no audit record.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  ChimeClient,
  ChimeServiceException,
  CreateAccountCommand,
  DeleteAccountCommand,
  ForbiddenException,
  GetAccountCommand,
  GetGlobalSettingsCommand,
  GetUserCommand,
  InviteUsersCommand,
  ListAccountsCommand,
  ListUsersCommand,
  NotFoundException,
  UpdateAccountCommand,
  UpdateGlobalSettingsCommand,
  UpdateUserCommand,
  CreateUserCommand,
} from '@aws-sdk/client-chime';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { databaseSnapshot } from './support/snapshot.js';
import { startTestServer, type Credentials, type TestServer } from './support/server.js';
import { sendRaw, signHeaders, signedRequest, type RawRequest, type RawResponse } from './support/signed-request.js';

let server: TestServer;
let accountA: string;
let accountB: string;
let userA: string;

before(async () => {
  server = await startTestServer();
  accountA = (await server.client.send(new CreateAccountCommand({ Name: 'Auth Alpha' }))).Account!.AccountId!;
  accountB = (await server.client.send(new CreateAccountCommand({ Name: 'Auth Beta' }))).Account!.AccountId!;
  userA = (await server.client.send(new CreateUserCommand({ AccountId: accountA, Email: 'member@alpha.example.com', Username: 'member' }))).User!.UserId!;
});
after(() => server.stop());

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const MINUTE = 60_000;

const snapshot = () => databaseSnapshot(server.services.db);

/** Runs `fn` and asserts that the database is exactly as before (no row, no update, no audit record). */
async function assertUnchanged(fn: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await fn();
  assert.deepEqual(await snapshot(), before, 'a refused request must change nothing');
}

const jsonLength = (body: string) => ({ 'content-length': String(Buffer.byteLength(body)) });

/** The wire shape of every refusal: status, x-amzn-errortype, JSON {Code, Message}, x-amzn-requestid. */
function assertRefused(res: RawResponse, status: number, type: string, code: string): void {
  assert.equal(res.status, status, `status (body: ${res.text})`);
  assert.equal(res.headers['x-amzn-errortype'], type);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.ok(res.headers['x-amzn-requestid'], 'x-amzn-requestid header');
  assert.ok(res.json !== null && typeof res.json === 'object', 'JSON object body');
  const body = res.json as Record<string, unknown>;
  assert.equal(body.Code, code);
  assert.equal(typeof body.Message, 'string');
  assert.ok((body.Message as string).length > 0);
}

const assertSignatureRefused = (res: RawResponse, type = 'InvalidSignatureException') => assertRefused(res, 403, type, 'Forbidden');

/** An SDK call refused with an unmodelled (SigV4) error type: a ChimeServiceException carrying that name. */
async function assertSdkRefused(promise: Promise<unknown>, name: string, status = 403): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ChimeServiceException, `expected a ChimeServiceException, got ${String(e)}`);
    assert.equal(e.name, name);
    assert.equal(e.$fault, 'client');
    assert.equal(e.$metadata.httpStatusCode, status);
    assert.ok(e.$metadata.requestId, 'requestId from x-amzn-RequestId');
    return true;
  });
}

/** An SDK call refused with ForbiddenException (a modelled error class). */
async function assertSdkForbidden(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ForbiddenException, `expected ForbiddenException, got ${String(e)}`);
    assert.equal(e.name, 'ForbiddenException');
    assert.equal(e.Code, 'Forbidden');
    assert.equal(e.$metadata.httpStatusCode, 403);
    return true;
  });
}

function authorizationOf(headers: Record<string, string>): string {
  const v = headers.authorization;
  assert.ok(v, 'the signer set an authorization header');
  return v;
}

/** Flips one hex digit of the signature (the first one). */
function flipSignature(authorization: string): string {
  return authorization.replace(/Signature=([0-9a-f])/, (_m, d: string) => `Signature=${d === '0' ? '1' : '0'}`);
}

/** Signs like the AWS CLI: no x-amz-content-sha256; only host, x-amz-date and (with a body) content-type are signed. */
async function cliSignedHeaders(creds: Credentials, req: RawRequest, options: { service?: string; region?: string } = {}): Promise<Record<string, string>> {
  const url = new URL(server.url);
  const body = req.body ?? '';
  const headers: Record<string, string> = { host: url.host };
  if (body.length > 0) headers['content-type'] = 'application/json';
  const signer = new SignatureV4({
    credentials: creds,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'chime',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({ method: req.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: req.path, query: req.query ?? {}, headers, body }),
  );
  const out: Record<string, string> = { ...(signed.headers as Record<string, string>), 'accept-encoding': 'identity' };
  if (body.length > 0) out['content-length'] = String(Buffer.byteLength(body));
  return out;
}

/** Records the signed wire request of every SDK call made with `client`. */
function captureWire(client: ChimeClient): Array<{ path: string; headers: Record<string, string> }> {
  const seen: Array<{ path: string; headers: Record<string, string> }> = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { path: string; headers: Record<string, string> };
      seen.push({ path: req.path, headers: { ...req.headers } });
      return next(args);
    },
    { step: 'deserialize', name: 'captureWireRequest' },
  );
  return seen;
}

const accountsCount = async () => Number((await snapshot()).accounts);

// ---------------------------------------------------------------------------------------------------------------

describe('SigV4: a request changed after signing is refused', () => {
  test('baseline: the untouched signed request is accepted', async () => {
    const res = await signedRequest(server.url, server.admin, { method: 'GET', path: `/accounts/${accountA}` });
    assert.equal(res.status, 200);
    assert.equal((res.json as { Account: { AccountId: string } }).Account.AccountId, accountA);
  });

  test('one hex digit of the signature flipped → 403 InvalidSignatureException', async () => {
    const req: RawRequest = { method: 'GET', path: `/accounts/${accountA}` };
    const headers = await signHeaders(server.url, server.admin, req);
    const tampered = flipSignature(authorizationOf(headers));
    assert.notEqual(tampered, headers.authorization);
    assertSignatureRefused(await sendRaw(server.url, { ...req, headers: { ...headers, authorization: tampered } }));
  });

  test('the SDK with a wrong secret for a real key → InvalidSignatureException', async () => {
    const client = server.clientFor({ accessKeyId: server.admin.accessKeyId, secretAccessKey: `${server.admin.secretAccessKey}x` });
    try {
      await assertUnchanged(() => assertSdkRefused(client.send(new CreateAccountCommand({ Name: 'wrong secret' })), 'InvalidSignatureException'));
    } finally {
      client.destroy();
    }
  });

  test('body replaced after signing (SDK style, x-amz-content-sha256 present) → 403, nothing created', async () => {
    const signedBody = '{"Name":"tamper-aaaa"}';
    const sentBody = '{"Name":"tamper-bbbb"}';
    assert.equal(sentBody.length, signedBody.length);
    const req: RawRequest = { method: 'POST', path: '/accounts', body: signedBody, headers: jsonLength(signedBody) };
    const headers = await signHeaders(server.url, server.admin, req);
    assert.ok(headers['x-amz-content-sha256'], 'the SDK-style signer sends x-amz-content-sha256');
    await assertUnchanged(async () => {
      assertSignatureRefused(await sendRaw(server.url, { ...req, body: sentBody, headers }));
      // The attacker also recomputes the declared payload hash: it is a signed header, so the signature breaks.
      const rehashed = { ...headers, 'x-amz-content-sha256': createHash('sha256').update(sentBody).digest('hex') };
      assertSignatureRefused(await sendRaw(server.url, { ...req, body: sentBody, headers: rehashed }));
    });
    // Positive control: the very same signed headers with the signed body are accepted.
    const ok = await sendRaw(server.url, { ...req, headers });
    assert.equal(ok.status, 201);
  });

  test('body replaced after signing (AWS CLI style, no x-amz-content-sha256) → 403, nothing created', async () => {
    const signedBody = '{"Name":"cli-aaaa"}';
    const sentBody = '{"Name":"cli-bbbb"}';
    const req: RawRequest = { method: 'POST', path: '/accounts', body: signedBody };
    const headers = await cliSignedHeaders(server.admin, req);
    assert.equal(headers['x-amz-content-sha256'], undefined, 'CLI-style requests carry no payload hash header');
    assert.match(authorizationOf(headers), /SignedHeaders=content-type;host;x-amz-date,/);
    await assertUnchanged(async () => assertSignatureRefused(await sendRaw(server.url, { ...req, body: sentBody, headers })));
    // Positive control: the CLI-style signature over the real body verifies (the server hashes the body itself).
    const before = await accountsCount();
    const ok = await sendRaw(server.url, { ...req, headers });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(await accountsCount(), before + 1);
  });

  test('path changed after signing → 403 (both accounts exist)', async () => {
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: `/accounts/${accountA}` });
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: `/accounts/${accountB}`, headers }));
  });

  test('method changed after signing → 403, the account survives', async () => {
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: `/accounts/${accountB}` });
    await assertUnchanged(async () => assertSignatureRefused(await sendRaw(server.url, { method: 'DELETE', path: `/accounts/${accountB}`, headers })));
  });

  test('query changed or extended after signing → 403', async () => {
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: '/accounts', query: { 'max-results': '1' } });
    assert.equal((await sendRaw(server.url, { method: 'GET', path: '/accounts', query: { 'max-results': '1' }, headers })).status, 200);
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: '/accounts', query: { 'max-results': '2' }, headers }));
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: '/accounts', query: { 'max-results': '1', name: 'Auth' }, headers }));
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: '/accounts', headers }));
  });

  test('the operation= query selector changed after signing → 403, no user created', async () => {
    const body = '{"UserEmailList":["swap@alpha.example.com"]}';
    const req: RawRequest = { method: 'POST', path: `/accounts/${accountA}/users`, query: { operation: 'suspend' }, body, headers: jsonLength(body) };
    const headers = await signHeaders(server.url, server.admin, req);
    await assertUnchanged(async () => assertSignatureRefused(await sendRaw(server.url, { ...req, query: { operation: 'add' }, headers })));
  });

  test('x-amz-date changed after signing → 403', async () => {
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: '/accounts' });
    const date = headers['x-amz-date']!;
    assert.match(date, /^\d{8}T\d{6}Z$/);
    const seconds = Number(date.slice(13, 15));
    const changed = `${date.slice(0, 13)}${String((seconds + 1) % 60).padStart(2, '0')}Z`;
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: '/accounts', headers: { ...headers, 'x-amz-date': changed } }));
  });

  test('a signed amz-sdk-request header changed → 403; an unsigned header changed → accepted', async () => {
    const req: RawRequest = { method: 'GET', path: '/accounts', headers: { 'amz-sdk-request': 'attempt=1; max=3' } };
    const headers = await signHeaders(server.url, server.admin, req);
    assert.match(authorizationOf(headers), /SignedHeaders=[^,]*amz-sdk-request/);
    assertSignatureRefused(await sendRaw(server.url, { ...req, headers: { ...headers, 'amz-sdk-request': 'attempt=2; max=3' } }));
    // user-agent is never signed: changing it must not matter.
    const ok = await sendRaw(server.url, { ...req, headers: { ...headers, 'user-agent': 'something-else/1.0' } });
    assert.equal(ok.status, 200, ok.text);
  });

  test('host header changed after signing → 403', async () => {
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: '/accounts' });
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: '/accounts', headers: { ...headers, host: 'evil.example.com' } }));
  });
});

describe('SigV4: request time', () => {
  const at = (offsetMs: number) => ({ signingDate: new Date(Date.now() + offsetMs) });

  test('signed 16 minutes ago → 403 InvalidSignatureException, nothing created', async () => {
    const body = '{"Name":"too old"}';
    await assertUnchanged(async () =>
      assertSignatureRefused(await signedRequest(server.url, server.admin, { method: 'POST', path: '/accounts', body, headers: jsonLength(body) }, at(-16 * MINUTE))),
    );
  });

  test('signed 16 minutes in the future → 403 InvalidSignatureException', async () => {
    assertSignatureRefused(await signedRequest(server.url, server.admin, { method: 'GET', path: '/accounts' }, at(16 * MINUTE)));
  });

  test('signed 2 hours ago or a day ahead → 403', async () => {
    assertSignatureRefused(await signedRequest(server.url, server.admin, { method: 'GET', path: '/accounts' }, at(-120 * MINUTE)));
    assertSignatureRefused(await signedRequest(server.url, server.admin, { method: 'GET', path: '/accounts' }, at(24 * 60 * MINUTE)));
  });

  test('signed 10 minutes ago or 10 minutes ahead → accepted', async () => {
    for (const offset of [-10 * MINUTE, 10 * MINUTE]) {
      const res = await signedRequest(server.url, server.admin, { method: 'GET', path: `/accounts/${accountA}` }, at(offset));
      assert.equal(res.status, 200, `offset ${offset}: ${res.text}`);
    }
  });

  test('the SDK with its clock 20 minutes behind → InvalidSignatureException', async () => {
    const client = new ChimeClient({ endpoint: server.url, region: 'us-east-1', credentials: server.admin, maxAttempts: 1, systemClockOffset: -20 * MINUTE });
    try {
      await assertSdkRefused(client.send(new ListAccountsCommand({})), 'InvalidSignatureException');
    } finally {
      client.destroy();
    }
  });
});

describe('SigV4: keys and the Authorization header', () => {
  test('unknown access key → 403 UnrecognizedClientException (raw and SDK)', async () => {
    const stranger = { accessKeyId: 'CKIAUNKNOWNUNKNOWN00', secretAccessKey: 'not-a-real-secret' };
    const body = '{"Name":"stranger"}';
    await assertUnchanged(async () => {
      assertSignatureRefused(await signedRequest(server.url, stranger, { method: 'POST', path: '/accounts', body, headers: jsonLength(body) }), 'UnrecognizedClientException');
      const client = server.clientFor(stranger);
      try {
        await assertSdkRefused(client.send(new CreateAccountCommand({ Name: 'stranger' })), 'UnrecognizedClientException');
      } finally {
        client.destroy();
      }
    });
  });

  test('a revoked key is refused with UnrecognizedClientException at once', async () => {
    const key = await server.createKey('full');
    const client = server.clientFor(key);
    try {
      const ok = await client.send(new GetAccountCommand({ AccountId: accountA }));
      assert.equal(ok.Account?.AccountId, accountA);
      await server.services.accessKeys.revokeKey({ type: 'system', id: 'test' }, key.accessKeyId);
      await assertUnchanged(async () => {
        await assertSdkRefused(client.send(new GetAccountCommand({ AccountId: accountA })), 'UnrecognizedClientException');
        await assertSdkRefused(client.send(new CreateAccountCommand({ Name: 'revoked' })), 'UnrecognizedClientException');
        assertSignatureRefused(await signedRequest(server.url, key, { method: 'GET', path: '/accounts' }), 'UnrecognizedClientException');
      });
    } finally {
      client.destroy();
    }
  });

  test('no Authorization header → 403 MissingAuthenticationTokenException', async () => {
    const host = new URL(server.url).host;
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: '/accounts', headers: { host } }), 'MissingAuthenticationTokenException');
    const body = '{"Name":"anonymous"}';
    await assertUnchanged(async () =>
      assertSignatureRefused(
        await sendRaw(server.url, { method: 'POST', path: '/accounts', body, headers: { host, 'content-type': 'application/json', ...jsonLength(body) } }),
        'MissingAuthenticationTokenException',
      ),
    );
    // A signed request with its Authorization header removed is just as anonymous.
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: `/accounts/${accountA}` });
    const { authorization: _dropped, ...rest } = headers;
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: `/accounts/${accountA}`, headers: rest }), 'MissingAuthenticationTokenException');
  });

  test('malformed Authorization headers → 403 IncompleteSignatureException', async () => {
    const headers = await signHeaders(server.url, server.admin, { method: 'GET', path: '/accounts' });
    const good = authorizationOf(headers);
    const variants: Array<[string, string]> = [
      ['other scheme', 'Basic dXNlcjpwYXNzd29yZA=='],
      ['algorithm only', 'AWS4-HMAC-SHA256'],
      ['credential only', `AWS4-HMAC-SHA256 Credential=${server.admin.accessKeyId}/20260101/us-east-1/chime/aws4_request`],
      ['short signature', good.replace(/Signature=[0-9a-f]{64}/, 'Signature=abc123')],
      ['non-hex signature', good.replace(/Signature=[0-9a-f]{64}/, `Signature=${'z'.repeat(64)}`)],
      ['scope not ending in aws4_request', good.replace('/aws4_request', '/aws5_request')],
      ['host not signed', good.replace(/SignedHeaders=([^,]*)/, (_m, list: string) => `SignedHeaders=${list.split(';').filter((h) => h !== 'host').join(';')}`)],
    ];
    for (const [what, authorization] of variants) {
      assert.notEqual(authorization, good, what);
      const res = await sendRaw(server.url, { method: 'GET', path: '/accounts', headers: { ...headers, authorization } });
      assert.equal(res.headers['x-amzn-errortype'], 'IncompleteSignatureException', `${what}: ${res.text}`);
      assertSignatureRefused(res, 'IncompleteSignatureException');
    }
    // A valid Authorization header without the x-amz-date it claims to sign.
    const { 'x-amz-date': _date, ...noDate } = headers;
    assertSignatureRefused(await sendRaw(server.url, { method: 'GET', path: '/accounts', headers: noDate }), 'IncompleteSignatureException');
  });

  test('a credential scoped to another service → 403 InvalidSignatureException, nothing created', async () => {
    const body = '{"Name":"wrong service"}';
    const req: RawRequest = { method: 'POST', path: '/accounts', body };
    for (const service of ['iam', 'chime-sdk', 's3']) {
      const headers = await cliSignedHeaders(server.admin, req, { service });
      assert.match(authorizationOf(headers), new RegExp(`/${service}/aws4_request`));
      await assertUnchanged(async () => assertSignatureRefused(await sendRaw(server.url, { ...req, headers })));
    }
    // Positive control: the same signer with service chime is accepted.
    const ok = await sendRaw(server.url, { ...req, headers: await cliSignedHeaders(server.admin, req, { service: 'chime' }) });
    assert.equal(ok.status, 201, ok.text);
  });
});

describe('SigV4: what real clients send is accepted', () => {
  test('any region in the credential scope works through the SDK (eu-central-1, ap-southeast-2)', async () => {
    for (const region of ['eu-central-1', 'ap-southeast-2']) {
      const client = server.clientFor(server.admin, region);
      const wire = captureWire(client);
      try {
        const created = await client.send(new CreateAccountCommand({ Name: `Region ${region}` }));
        assert.equal(created.Account?.Name, `Region ${region}`);
        const got = await client.send(new GetAccountCommand({ AccountId: created.Account!.AccountId }));
        assert.equal(got.Account?.AccountId, created.Account!.AccountId);
        assert.equal(wire.length, 2);
        for (const w of wire) assert.match(authorizationOf(w.headers), new RegExp(`/${region}/chime/aws4_request`));
      } finally {
        client.destroy();
      }
    }
  });

  test('an invented region in a raw signed request is accepted too', async () => {
    const res = await signedRequest(server.url, server.admin, { method: 'GET', path: '/accounts' }, { region: 'mars-north-7' });
    assert.equal(res.status, 200, res.text);
  });

  test("the SDK's double-encoded path label verifies: `a b/c@d+e` as AccountId → NotFoundException", async () => {
    const client = server.clientFor(server.admin);
    const wire = captureWire(client);
    try {
      await assert.rejects(client.send(new GetAccountCommand({ AccountId: 'a b/c@d+e' })), (e: unknown) => {
        assert.ok(e instanceof NotFoundException, `expected NotFoundException, got ${String(e)}`);
        assert.equal(e.$metadata.httpStatusCode, 404);
        return true;
      });
      assert.equal(wire[0]?.path, '/accounts/a%20b%2Fc%40d%2Be');
      await assert.rejects(client.send(new GetUserCommand({ AccountId: accountA, UserId: "x y/z?%#&=+!'()*" })), NotFoundException);
      const ok = await client.send(new GetUserCommand({ AccountId: accountA, UserId: userA }));
      assert.equal(ok.User?.UserId, userA);
    } finally {
      client.destroy();
    }
  });
});

describe('authorization: roles', () => {
  test('a read-only key reads, and CreateAccount / InviteUsers / UpdateUser are ForbiddenException', async () => {
    const client = server.clientFor(await server.createKey('read-only'));
    try {
      assert.equal((await client.send(new GetAccountCommand({ AccountId: accountA }))).Account?.AccountId, accountA);
      assert.ok(((await client.send(new ListAccountsCommand({}))).Accounts ?? []).length >= 2);
      assert.equal((await client.send(new GetUserCommand({ AccountId: accountA, UserId: userA }))).User?.UserId, userA);
      await assertUnchanged(async () => {
        await assertSdkForbidden(client.send(new CreateAccountCommand({ Name: 'by reader' })));
        await assertSdkForbidden(client.send(new InviteUsersCommand({ AccountId: accountA, UserEmailList: ['reader-invite@alpha.example.com'] })));
        await assertSdkForbidden(client.send(new UpdateUserCommand({ AccountId: accountA, UserId: userA, LicenseType: 'Basic' })));
        await assertSdkForbidden(client.send(new DeleteAccountCommand({ AccountId: accountB })));
        await assertSdkForbidden(client.send(new UpdateGlobalSettingsCommand({ BusinessCalling: { CdrBucket: 'reader' } })));
      });
    } finally {
      client.destroy();
    }
  });

  test('a read-only refusal has the modelled wire shape', async () => {
    const reader = await server.createKey('read-only');
    const body = '{"Name":"by reader raw"}';
    await assertUnchanged(async () => assertRefused(await signedRequest(server.url, reader, { method: 'POST', path: '/accounts', body, headers: jsonLength(body) }), 403, 'ForbiddenException', 'Forbidden'));
  });

  test('a user-management key invites users but may not UpdateAccount or DeleteAccount', async () => {
    const client = server.clientFor(await server.createKey('user-management'));
    try {
      const invited = await client.send(new InviteUsersCommand({ AccountId: accountA, UserEmailList: ['um-invite@alpha.example.com'] }));
      assert.equal(invited.Invites?.length, 1);
      assert.equal(invited.Invites?.[0]?.Status, 'Pending');
      await assertUnchanged(async () => {
        await assertSdkForbidden(client.send(new UpdateAccountCommand({ AccountId: accountB, Name: 'renamed by um' })));
        await assertSdkForbidden(client.send(new DeleteAccountCommand({ AccountId: accountB })));
        await assertSdkForbidden(client.send(new CreateAccountCommand({ Name: 'by um' })));
      });
      assert.equal((await server.client.send(new GetAccountCommand({ AccountId: accountB }))).Account?.Name, 'Auth Beta');
    } finally {
      client.destroy();
    }
  });
});

describe('authorization: a key scoped to one account', () => {
  let scoped: ChimeClient;
  let scopedCreds: Credentials;
  before(async () => {
    scopedCreds = await server.createKey('full', accountA);
    scoped = server.clientFor(scopedCreds);
  });
  after(() => scoped.destroy());

  test('ListAccounts returns only its own account, whatever the filter', async () => {
    const all = await server.client.send(new ListAccountsCommand({}));
    assert.ok((all.Accounts ?? []).length >= 2, 'the installation holds other accounts');
    const mine = await scoped.send(new ListAccountsCommand({}));
    assert.deepEqual(
      (mine.Accounts ?? []).map((a) => a.AccountId),
      [accountA],
    );
    const beta = await scoped.send(new ListAccountsCommand({ Name: 'Auth Beta' }));
    assert.deepEqual(beta.Accounts ?? [], []);
  });

  test('its own account is fully usable', async () => {
    assert.equal((await scoped.send(new GetAccountCommand({ AccountId: accountA }))).Account?.AccountId, accountA);
    const users = await scoped.send(new ListUsersCommand({ AccountId: accountA }));
    assert.ok((users.Users ?? []).some((u) => u.UserId === userA));
  });

  test('GetAccount / ListUsers / InviteUsers on another account → ForbiddenException', async () => {
    await assertUnchanged(async () => {
      await assertSdkForbidden(scoped.send(new GetAccountCommand({ AccountId: accountB })));
      await assertSdkForbidden(scoped.send(new ListUsersCommand({ AccountId: accountB })));
      await assertSdkForbidden(scoped.send(new InviteUsersCommand({ AccountId: accountB, UserEmailList: ['scoped@beta.example.com'] })));
      await assertSdkForbidden(scoped.send(new UpdateAccountCommand({ AccountId: accountB, Name: 'hijacked' })));
      await assertSdkForbidden(scoped.send(new DeleteAccountCommand({ AccountId: accountB })));
      // An account that does not exist is Forbidden too, not NotFound: no way to probe other ids.
      await assertSdkForbidden(scoped.send(new GetAccountCommand({ AccountId: '00000000-0000-7000-8000-000000000000' })));
    });
  });

  test('installation-wide operations (CreateAccount, UpdateGlobalSettings, GetGlobalSettings) → ForbiddenException', async () => {
    await assertUnchanged(async () => {
      await assertSdkForbidden(scoped.send(new CreateAccountCommand({ Name: 'from scoped key' })));
      await assertSdkForbidden(scoped.send(new UpdateGlobalSettingsCommand({ BusinessCalling: { CdrBucket: 'scoped-bucket' } })));
      await assertSdkForbidden(scoped.send(new GetGlobalSettingsCommand({})));
    });
    const raw = await signedRequest(server.url, scopedCreds, { method: 'GET', path: `/accounts/${accountB}/users` });
    assertRefused(raw, 403, 'ForbiddenException', 'Forbidden');
  });
});

describe('refusals leave no trace', () => {
  test('a battery of refused writes adds no audit record and changes no row', async () => {
    const reader = await server.createKey('read-only');
    const scopedKey = await server.createKey('user-management', accountA);
    const stranger = { accessKeyId: 'CKIANOBODYNOBODY0000', secretAccessKey: 'nobody' };
    const host = new URL(server.url).host;
    const create = '{"Name":"should not exist"}';
    const invite = '{"UserEmailList":["ghost@beta.example.com"]}';
    const suspend = JSON.stringify({ UserIdList: [userA] });
    const before = await snapshot();
    const statuses: number[] = [];
    const send = async (p: Promise<RawResponse>) => statuses.push((await p).status);

    const createReq: RawRequest = { method: 'POST', path: '/accounts', body: create, headers: jsonLength(create) };
    const signed = await signHeaders(server.url, server.admin, createReq);
    await send(sendRaw(server.url, { ...createReq, headers: { ...signed, authorization: flipSignature(authorizationOf(signed)) } }));
    await send(sendRaw(server.url, { ...createReq, body: '{"Name":"should not exis!"}', headers: signed }));
    await send(signedRequest(server.url, server.admin, createReq, { signingDate: new Date(Date.now() - 30 * MINUTE) }));
    await send(signedRequest(server.url, stranger, createReq));
    await send(sendRaw(server.url, { ...createReq, headers: { host, 'content-type': 'application/json', ...jsonLength(create) } }));
    await send(signedRequest(server.url, reader, createReq));
    await send(signedRequest(server.url, scopedKey, createReq));
    await send(signedRequest(server.url, scopedKey, { method: 'POST', path: `/accounts/${accountB}/users`, query: { operation: 'add' }, body: invite, headers: jsonLength(invite) }));
    await send(signedRequest(server.url, reader, { method: 'POST', path: `/accounts/${accountA}/users`, query: { operation: 'suspend' }, body: suspend, headers: jsonLength(suspend) }));
    await send(signedRequest(server.url, reader, { method: 'DELETE', path: `/accounts/${accountB}` }));
    await send(signedRequest(server.url, scopedKey, { method: 'DELETE', path: `/accounts/${accountA}` }));

    assert.deepEqual(statuses, statuses.map(() => 403));
    assert.deepEqual(await snapshot(), before);
    const user = await server.client.send(new GetUserCommand({ AccountId: accountA, UserId: userA }));
    assert.equal(user.User?.UserRegistrationStatus, 'Registered');
  });
});
