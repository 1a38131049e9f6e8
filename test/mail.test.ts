// Invitation email through a real SMTP server: delivery, retries while SMTP is down, survival across a
// restart, permanent rejections, and the outbox without SMTP.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ChimeClient, CreateAccountCommand, InviteUsersCommand, ListUsersCommand } from '@aws-sdk/client-chime';
import type { ParsedMail } from 'mailparser';
import { loadConfig } from '../src/config.js';
import { hashInvitationToken } from '../src/invitations/invitations-service.js';
import type { Db } from '../src/platform/db/schema.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createTestDatabase } from './support/database.js';
import { startTestServer } from './support/server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const PUBLIC_URL = 'https://carillon.example.test';
const LINK = /https:\/\/carillon\.example\.test\/invitations\/([^\s"'<>]+)/;
const mailEnv = { CARILLON_MAIL_RETRY_BASE_MS: '50', CARILLON_MAIL_POLL_MS: '50', CARILLON_PUBLIC_URL: PUBLIC_URL };

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function recipients(m: ParsedMail): string[] {
  const to = m.to === undefined ? [] : Array.isArray(m.to) ? m.to : [m.to];
  return to.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

const mailsTo = (sink: SmtpSink, address: string) => sink.messages.filter((m) => recipients(m).includes(address.toLowerCase()));

const outboxRows = (db: Db) => db.selectFrom('outbox').selectAll().orderBy('id').execute();
const invitationRows = (db: Db, accountId: string) => db.selectFrom('invitations').selectAll().where('account_id', '=', accountId).orderBy('id').execute();

/** A port on which nothing listens: bind a sink, note its port, stop it. */
async function deadSmtpPort(): Promise<number> {
  const probe = await startSmtpSink();
  await probe.stop();
  return probe.port;
}

const smtpUrlFor = (port: number) => `smtp://127.0.0.1:${port}?tls=off`;

test('InviteUsers sends one mail per distinct address, naming the account, with a personal link', async () => {
  const sink = await startSmtpSink();
  const server = await startTestServer({ env: { SMTP_URL: sink.url, ...mailEnv } });
  try {
    const accountName = 'Nordlicht Orchestra';
    const { Account } = await server.client.send(new CreateAccountCommand({ Name: accountName }));
    const accountId = Account!.AccountId!;
    const { Invites } = await server.client.send(
      new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['Ann@Example.com', 'ann@example.com', 'bob@example.com', 'cleo@example.com'] }),
    );
    // Deduplicated case-insensitively: three invitations for four entries.
    assert.equal(Invites?.length, 3);
    for (const i of Invites!) {
      assert.equal(i.Status, 'Pending');
      assert.equal(i.EmailStatus, 'NotSent');
    }

    const addresses = ['ann@example.com', 'bob@example.com', 'cleo@example.com'];
    // Wait until every invitation reports Sent, then check what the SMTP server got.
    const invitations = await waitFor('all invitations Sent', async () => {
      const rows = await invitationRows(server.services.db, accountId);
      return rows.length === 3 && rows.every((r) => r.email_status === 'Sent') ? rows : undefined;
    });
    const outbox = await outboxRows(server.services.db);
    assert.equal(outbox.length, 3);
    for (const row of outbox) {
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 1);
      assert.ok(row.sent_at);
      assert.equal(row.last_error, null);
    }

    assert.equal(sink.messages.length, 3, 'exactly one message per distinct address');
    const tokens = new Set<string>();
    for (const address of addresses) {
      const mails = mailsTo(sink, address);
      assert.equal(mails.length, 1, `one mail to ${address}`);
      const mail = mails[0]!;
      assert.ok(mail.subject?.includes(accountName), 'subject names the account');
      assert.ok(mail.text?.includes(accountName), 'body names the account');
      const match = LINK.exec(mail.text ?? '');
      assert.ok(match, `a link under ${PUBLIC_URL}/invitations/ in the mail to ${address}`);
      const token = match[1]!;
      assert.match(token, /^[A-Za-z0-9_-]{40,}$/, 'a url-safe token of at least 40 characters');
      assert.ok(mail.html && mail.html.includes(`${PUBLIC_URL}/invitations/${token}`), 'the HTML part carries the same link');
      tokens.add(token);
      // The token is the one whose hash is stored for this invitee's invitation.
      const invitation = invitations.find((i) => i.email.toLowerCase() === address);
      assert.ok(invitation);
      assert.equal(invitation.token_hash, hashInvitationToken(token));
      assert.notEqual(invitation.token_hash, token, 'the token itself is not stored');
    }
    assert.equal(tokens.size, 3, 'a different token per invitee');

    // The users exist once each, with their invitation pending.
    const { Users } = await server.client.send(new ListUsersCommand({ AccountId: accountId }));
    assert.deepEqual(Users?.map((u) => u.PrimaryEmail!.toLowerCase()).sort(), addresses);
    for (const u of Users!) assert.equal(u.UserInvitationStatus, 'Pending');
  } finally {
    await server.stop();
    await sink.stop();
  }
});

test('while SMTP is down the mail is retried and kept pending; it goes out once SMTP is back', async () => {
  const port = await deadSmtpPort();
  const server = await startTestServer({ env: { SMTP_URL: smtpUrlFor(port), ...mailEnv } });
  let sink: SmtpSink | undefined;
  try {
    const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Offline Choir' }));
    const accountId = Account!.AccountId!;
    const { Invites } = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['dora@example.com'] }));
    assert.equal(Invites?.[0]?.EmailStatus, 'NotSent');

    const retried = await waitFor('two failed attempts', async () => {
      const [row] = await outboxRows(server.services.db);
      return row && row.attempts >= 2 ? row : undefined;
    });
    assert.equal(retried.status, 'pending');
    assert.ok(retried.last_error && retried.last_error.length > 0, 'last_error records why');
    assert.equal(retried.sent_at, null);
    // Attempts keep increasing while the server stays down.
    await waitFor('a further attempt', async () => {
      const [row] = await outboxRows(server.services.db);
      return row && row.attempts > retried.attempts ? row : undefined;
    });
    const [invitation] = await invitationRows(server.services.db, accountId);
    assert.equal(invitation?.email_status, 'NotSent');

    sink = await startSmtpSink({ port });
    const mail = await sink.waitFor((m) => recipients(m).includes('dora@example.com'), 15_000);
    assert.ok(mail.subject?.includes('Offline Choir'));
    const sent = await waitFor('outbox row sent', async () => {
      const [row] = await outboxRows(server.services.db);
      return row?.status === 'sent' ? row : undefined;
    });
    assert.ok(sent.attempts > retried.attempts);
    assert.equal(sent.last_error, null);
    await waitFor('invitation Sent', async () => ((await invitationRows(server.services.db, accountId))[0]?.email_status === 'Sent' ? true : undefined));
    assert.equal(mailsTo(sink, 'dora@example.com').length, 1);
  } finally {
    await server.stop();
    await sink?.stop();
  }
});

test('a mail that keeps failing gives up after CARILLON_MAIL_MAX_ATTEMPTS and the invitation reports Failed', async () => {
  const port = await deadSmtpPort();
  const server = await startTestServer({ env: { SMTP_URL: smtpUrlFor(port), ...mailEnv, CARILLON_MAIL_RETRY_BASE_MS: '10', CARILLON_MAIL_MAX_ATTEMPTS: '3' } });
  try {
    const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Give-up Band' }));
    const accountId = Account!.AccountId!;
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['hal@example.com'] }));
    const row = await waitFor('the mail to fail for good', async () => {
      const [r] = await outboxRows(server.services.db);
      return r && r.status !== 'pending' ? r : undefined;
    });
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 3);
    assert.ok(row.last_error);
    await waitFor('invitation Failed', async () => ((await invitationRows(server.services.db, accountId))[0]?.email_status === 'Failed' ? true : undefined));
  } finally {
    await server.stop();
  }
});

test('mail queued while SMTP is down survives a restart and is delivered by the next server', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-mail-restart-'));
  const database = await createTestDatabase();
  const baseEnv: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    CARILLON_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.CARILLON_TEST_LOG_LEVEL ?? 'silent',
    ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }),
    ...mailEnv,
  };
  let first: RunningServer | undefined;
  let second: RunningServer | undefined;
  let sink: SmtpSink | undefined;
  let client: ChimeClient | undefined;
  try {
    const port = await deadSmtpPort();
    first = await startServer(loadConfig({ ...baseEnv, SMTP_URL: smtpUrlFor(port) }));
    const key = await first.services.accessKeys.createKey({ type: 'system', id: 'test' }, { name: 'restart', role: 'full' });
    client = new ChimeClient({ endpoint: first.url, region: 'us-east-1', credentials: { accessKeyId: key.id, secretAccessKey: key.secretAccessKey }, maxAttempts: 1 });
    const { Account } = await client.send(new CreateAccountCommand({ Name: 'Phoenix Ensemble' }));
    const accountId = Account!.AccountId!;
    await client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['emil@example.com'] }));
    const failedOnce = await waitFor('a failed attempt', async () => {
      const [row] = await outboxRows(first!.services.db);
      return row && row.attempts >= 1 ? row : undefined;
    });
    assert.equal(failedOnce.status, 'pending');
    client.destroy();
    client = undefined;
    await first.stop();
    first = undefined;

    sink = await startSmtpSink();
    second = await startServer(loadConfig({ ...baseEnv, SMTP_URL: sink.url }));
    const mail = await sink.waitFor((m) => recipients(m).includes('emil@example.com'), 15_000);
    assert.ok(mail.subject?.includes('Phoenix Ensemble'));
    assert.ok(LINK.test(mail.text ?? ''));
    const db = second.services.db;
    await waitFor('outbox row sent after restart', async () => ((await outboxRows(db))[0]?.status === 'sent' ? true : undefined));
    await waitFor('invitation Sent after restart', async () => ((await invitationRows(db, accountId))[0]?.email_status === 'Sent' ? true : undefined));
    assert.equal(mailsTo(sink, 'emil@example.com').length, 1);
  } finally {
    client?.destroy();
    await first?.stop();
    await second?.stop();
    await sink?.stop();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a permanently rejected recipient fails at once while the other addresses of the call are sent', async () => {
  const sink = await startSmtpSink({ rejectRecipients: /bounce@/ });
  const server = await startTestServer({ env: { SMTP_URL: sink.url, ...mailEnv } });
  try {
    const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Bounce Quartet' }));
    const accountId = Account!.AccountId!;
    await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['ok1@example.com', 'bounce@example.com', 'ok2@example.com'] }));

    const rows = await waitFor('every mail settled', async () => {
      const all = await outboxRows(server.services.db);
      return all.length === 3 && all.every((r) => r.status !== 'pending') ? all : undefined;
    });
    const byRecipient = new Map(rows.map((r) => [r.recipient, r]));
    const bounced = byRecipient.get('bounce@example.com')!;
    assert.equal(bounced.status, 'failed');
    assert.equal(bounced.attempts, 1, 'a permanent rejection is not retried');
    assert.ok(bounced.last_error && bounced.last_error.length > 0);
    assert.equal(bounced.sent_at, null);
    for (const ok of ['ok1@example.com', 'ok2@example.com']) assert.equal(byRecipient.get(ok)?.status, 'sent');

    const invitations = await waitFor('email statuses settled', async () => {
      const all = await invitationRows(server.services.db, accountId);
      return all.length === 3 && all.every((r) => r.email_status !== 'NotSent') ? all : undefined;
    });
    const status = new Map(invitations.map((i) => [i.email, i.email_status]));
    assert.equal(status.get('bounce@example.com'), 'Failed');
    assert.equal(status.get('ok1@example.com'), 'Sent');
    assert.equal(status.get('ok2@example.com'), 'Sent');

    assert.equal(mailsTo(sink, 'bounce@example.com').length, 0);
    assert.equal(mailsTo(sink, 'ok1@example.com').length, 1);
    assert.equal(mailsTo(sink, 'ok2@example.com').length, 1);
  } finally {
    await server.stop();
    await sink.stop();
  }
});

test('without SMTP_URL the invitation mail waits in the outbox', async () => {
  const server = await startTestServer({ env: mailEnv });
  try {
    const { Account } = await server.client.send(new CreateAccountCommand({ Name: 'Quiet Trio' }));
    const accountId = Account!.AccountId!;
    const { Invites } = await server.client.send(new InviteUsersCommand({ AccountId: accountId, UserEmailList: ['fay@example.com', 'gus@example.com'] }));
    assert.equal(Invites?.length, 2);

    const check = async () => {
      const rows = await outboxRows(server.services.db);
      assert.deepEqual(rows.map((r) => r.recipient).sort(), ['fay@example.com', 'gus@example.com']);
      for (const r of rows) {
        assert.equal(r.status, 'pending');
        assert.equal(r.attempts, 0);
        assert.equal(r.last_error, null);
        assert.ok(r.subject.includes('Quiet Trio'));
        assert.ok(LINK.test(r.text_body));
      }
      for (const i of await invitationRows(server.services.db, accountId)) assert.equal(i.email_status, 'NotSent');
    };
    await check();
    // Several poll intervals later nothing has been attempted.
    await new Promise((r) => setTimeout(r, 400));
    await check();
  } finally {
    await server.stop();
  }
});
