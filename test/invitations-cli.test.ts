// Administrators list and revoke invitations with the carillon CLI; a revoked link stops working at once.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccountCommand, InviteUsersCommand } from '@aws-sdk/client-chime';
import { Browser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

function carillon(...args: string[]) {
  return run(process.execPath, ['bin/carillon.mjs', ...args], { cwd: root, env: { ...process.env, ...server.env } });
}

/** The token of the newest invitation mail for an address, read from the outbox (no SMTP configured). */
async function linkFor(email: string): Promise<string> {
  const mail = await server.services.db.selectFrom('outbox').select('text_body').where('recipient', '=', email).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return new URL(/https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/.exec(mail.text_body)![0]).pathname;
}

test('invitations list shows pending invitations; revoke kills the link and is recorded; a second revoke fails', async () => {
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Revocations' }));
  const accountId = Account!.AccountId!;
  const { Invites } = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['keep@example.com', 'drop@example.com'] }));
  const drop = Invites!.find((i) => i.EmailAddress === 'drop@example.com')!;
  const browser = new Browser(server.url);
  const dropLink = await linkFor('drop@example.com');
  assert.equal((await browser.get(dropLink)).status, 200);

  const listed = await carillon('invitations', 'list', '--account', accountId);
  assert.match(listed.stdout, new RegExp(`${drop.InviteId}\\s+drop@example\\.com\\s+pending`));

  await carillon('invitations', 'revoke', drop.InviteId!);
  assert.equal((await browser.get(dropLink)).status, 404);
  const invitee = (await server.services.users.listUsers({ accountId, userEmail: 'drop@example.com', limit: 1 })).items[0]!;
  assert.equal(invitee.invitationStatus, 'Failed');
  assert.equal((await browser.get(await linkFor('keep@example.com'))).status, 200, 'the other invitation is untouched');
  assert.match((await carillon('invitations', 'list', '--account', accountId)).stdout, new RegExp(`${drop.InviteId}\\s+drop@example\\.com\\s+revoked`));
  const audit = await server.services.db.selectFrom('audit_events').select(['action', 'actor_type']).where('resource_id', '=', drop.InviteId!).where('action', '=', 'RevokeInvitation').execute();
  assert.deepEqual(audit, [{ action: 'RevokeInvitation', actor_type: 'cli' }]);

  await assert.rejects(carillon('invitations', 'revoke', drop.InviteId!), (e: { code?: number }) => e.code === 1);
  await assert.rejects(carillon('invitations', 'list'), (e: { code?: number }) => e.code === 2);
});
