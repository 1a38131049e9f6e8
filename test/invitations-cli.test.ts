// Administrators list and revoke invitations with the carillon CLI; a revoked link stops working at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateAccountCommand, InviteUsersCommand } from '@aws-sdk/client-chime';
import { Browser } from './support/browser.js';
import { runCarillon } from './support/cli.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const carillon = (...args: string[]) => runCarillon(server.env, ...args);

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
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${drop.InviteId}\\s+drop@example\\.com\\s+pending`));

  assert.equal((await carillon('invitations', 'revoke', drop.InviteId!)).code, 0);
  assert.equal((await browser.get(dropLink)).status, 404);
  const invitee = (await server.services.users.listUsers({ accountId, userEmail: 'drop@example.com', limit: 1 })).items[0]!;
  assert.equal(invitee.invitationStatus, 'Failed');
  assert.equal((await browser.get(await linkFor('keep@example.com'))).status, 200, 'the other invitation is untouched');
  assert.match((await carillon('invitations', 'list', '--account', accountId)).stdout, new RegExp(`${drop.InviteId}\\s+drop@example\\.com\\s+revoked`));
  const audit = await server.services.db.selectFrom('audit_events').select(['action', 'actor_type']).where('resource_id', '=', drop.InviteId!).where('action', '=', 'RevokeInvitation').execute();
  assert.deepEqual(audit, [{ action: 'RevokeInvitation', actor_type: 'cli' }]);

  assert.equal((await carillon('invitations', 'revoke', drop.InviteId!)).code, 1);
  assert.equal((await carillon('invitations', 'list')).code, 2);
});
