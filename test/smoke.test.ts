// The shortest proof that the server, the database under test and the official SDK fit together.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateAccountCommand, GetAccountCommand, NotFoundException } from '@aws-sdk/client-chime';
import { startTestServer, type TestServer } from './support/server.js';
import { signedRequest } from './support/signed-request.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

test('an account created through the SDK can be read back', async () => {
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Smoke' }));
  const got = await server.client.send(new GetAccountCommand({ AccountId: Account!.AccountId }));
  assert.equal(got.Account?.Name, 'Smoke');
  assert.equal(got.Account?.AccountType, 'Team');
  assert.ok(got.Account?.CreatedTimestamp instanceof Date);
});

test('a missing account is a NotFoundException', async () => {
  await assert.rejects(server.client.send(new GetAccountCommand({ AccountId: 'missing' })), NotFoundException);
});

test('a raw signed request reaches the API', async () => {
  const res = await signedRequest(server.url, server.admin, { method: 'GET', path: '/accounts', query: { 'max-results': '1' } });
  assert.equal(res.status, 200);
  assert.ok(res.headers['x-amzn-requestid']);
});
