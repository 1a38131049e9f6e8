// The administration console in a real Chromium, as a newcomer meets it: Carillon started the way the README
// says (the built server, as a process), the one-time setup link read from what it prints, then a whole
// administrator's session — accounts, invitations (received by a real SMTP server) and resending one, licenses,
// suspension, CSV exports, rename, meeting settings, deletion refused and allowed, restore, the audit log with
// its filters and export, administrators and access keys (a created key signs a real API call until revoked) —
// a Carillon without a mail relay that says so, and a read-only administrator who sees no write action and whom
// the API refuses anyway. Every main screen is checked with axe and saved as a screenshot. It is one story told in
// order, each step building on the ones before, hence one long file; its helpers are in support/console-journey.ts.
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import { runCarillon } from './support/cli.js';
import { checkAccessibility, launchChromium, saveScreenshot } from './support/chromium.js';
import {
  csvRecords,
  downloadText,
  freePort,
  isOneLine,
  localDateAndTime,
  readClipboard,
  SETUP_LINK,
  sleep,
  startCarillon,
  stopCarillon,
  waitForCount,
} from './support/console-journey.js';
import { createTestDatabase, testEngine, type TestDatabase } from './support/database.js';
import { signedRequest } from './support/signed-request.js';
import { startDnsServer, type DnsServer } from './support/dns-server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'Quiet-harbour-lights-7';

let sink: SmtpSink;
let dns: DnsServer;
let database: TestDatabase;
let dataDir: string;
let server: ChildProcess;
let baseUrl: string;
let env: Record<string, string>;
let setupLink: string;
let db: OpenedDatabase;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
/** Bob's own browser, signed in to the end-user pages since he accepted his invitation. */
let bobPage: Page;
/** A moment between the journey's first events and its deletion of Empty Co, for the audit log's time range. */
let cut: Date;

const screen = async (p: Page, name: string) => {
  const serious = await checkAccessibility(p, name);
  await saveScreenshot(p, `console-${name}`, { fullPage: false });
  return serious;
};

const flash = (p: Page) => p.getByTestId('flashbar');

/** Signs a new administrator up in a browser of their own, from the setup link they were given. */
async function completeSetup(link: string, name: string, email?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(15_000);
  const p = await context.newPage();
  await p.goto(link);
  if (email) await p.getByLabel('Email', { exact: true }).fill(email);
  await p.getByLabel('Name', { exact: true }).fill(name);
  await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await p.getByLabel('Confirm password', { exact: true }).fill(PASSWORD);
  await p.getByRole('button', { name: 'Create administrator' }).click();
  await p.getByTestId('accounts-table').waitFor();
  return { context, page: p };
}

const invitationId = (p: Page) => p.getByTestId('invitation-id').innerText();

async function openUsers(p: Page, accountName: string): Promise<void> {
  await p.goto(`${baseUrl}/console/accounts`);
  await p.getByTestId('accounts-table').getByRole('link', { name: accountName, exact: true }).click();
  await p.getByTestId('users-table').waitFor();
}

const row = (p: Page, email: string) => p.getByTestId('users-table').getByRole('row').filter({ hasText: email });

async function selectUsers(p: Page, emails: string[]): Promise<void> {
  for (const email of emails) await p.getByRole('checkbox', { name: `Select ${email}` }).check();
}

async function batchAction(p: Page, item: string): Promise<void> {
  await p.getByTestId('user-actions').getByRole('button', { name: 'Actions' }).click();
  await p.getByRole('menuitem', { name: item }).click();
}

describe(`the console in Chromium (${testEngine})`, { timeout: 600_000 }, () => {
  before(async () => {
    await run(process.execPath, ['scripts/build.mjs'], { cwd: root });
    sink = await startSmtpSink();
    dns = await startDnsServer();
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-console-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      CARILLON_PUBLIC_URL: baseUrl,
      CARILLON_DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      CARILLON_DNS_SERVERS: dns.address,
      LOG_LEVEL: 'warn',
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : { DATABASE_URL: '' }),
    };
    ({ child: server, setupLink } = await startCarillon(env));
    db = openDatabase({ databaseUrl: database.databaseUrl, dataDir });
    browser = await launchChromium();
    // Each step waits at most 15 s for the page: a broken step fails fast instead of holding up the rest.
    // The clipboard permissions let the journey read what a copy button copied.
    admin = await browser.newContext({ viewport: { width: 1366, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    admin.setDefaultTimeout(15_000);
    page = await admin.newPage();
  });

  after(async () => {
    await browser?.close();
    await stopCarillon(server);
    await db?.close();
    await database?.drop();
    await sink?.stop();
    await dns?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the printed setup link creates the first full administrator and opens the console', async () => {
    assert.ok(setupLink.startsWith(`${baseUrl}/console/setup#token=`), setupLink);
    await page.goto(setupLink);
    await page.getByLabel('Email', { exact: true }).fill('ada@example.com');
    await page.getByLabel('Name', { exact: true }).fill('Ada Admin');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password', { exact: true }).fill(PASSWORD);
    await screen(page, 'setup');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL(/\/console\/accounts/);
    await page.getByTestId('accounts-table').waitFor();
    await assert.doesNotReject(page.getByRole('button', { name: /ada@example\.com/ }).waitFor());
    // The link is single-use: opened again, it explains itself instead of creating anyone.
    const again = await admin.newPage();
    await again.goto(setupLink);
    await again.getByText(/already been used/i).waitFor();
    await again.close();
  });

  test('signing out and in again', async () => {
    await page.getByRole('button', { name: /ada@example\.com/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/signin/);
    await page.getByLabel('Email', { exact: true }).fill('ada@example.com');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/Unauthorized/).first().waitFor();
    await screen(page, 'signin');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    // Keyboard only: Enter in the password field submits the form.
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.getByTestId('accounts-table').waitFor();
  });

  test('creating accounts and searching them', async () => {
    await page.getByTestId('create-account-button').click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Account name' }).fill('Acme Corp');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Corp', exact: true }).waitFor();
    // The second one with the keyboard alone: focus the button, Enter opens the dialog on the name field, Enter creates.
    await page.goto(`${baseUrl}/console/accounts`);
    await page.getByTestId('create-account-button').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').getByRole('textbox', { name: 'Account name' }).waitFor();
    await page.keyboard.type('Empty Co');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Empty Co', exact: true }).waitFor();
    await page.goto(`${baseUrl}/console/accounts`);
    // A name with a space: the API reads '+' as a plus, so the console must send %20.
    await page.getByLabel('Search text').fill('acme c');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=acme/);
    const table = page.getByTestId('accounts-table');
    await table.getByRole('link', { name: 'Acme Corp' }).waitFor();
    await waitForCount(table.getByRole('link', { name: 'Empty Co' }), 0);
    // The search lives in the URL: a reload shows the same result.
    await page.reload();
    await table.getByRole('link', { name: 'Acme Corp' }).waitFor();
    assert.equal(await table.getByRole('link', { name: 'Empty Co' }).count(), 0);
    await screen(page, 'accounts');
  });

  test('inviting several people at once: a result per address, and the SMTP server receives each mail', async () => {
    await openUsers(page, 'Acme Corp');
    await page.getByRole('button', { name: 'Invite users' }).click();
    const modal = page.getByTestId('invite-users-modal');
    await modal.getByLabel('Email addresses').fill('alice@example.com, bob@example.com\ncarol@example.com');
    await modal.getByRole('button', { name: 'Invite', exact: true }).click();
    const results = page.getByTestId('invite-results-table');
    for (const email of ['alice@example.com', 'bob@example.com', 'carol@example.com']) await results.getByRole('row').filter({ hasText: email }).waitFor();
    await screen(page, 'invite-results');
    await modal.getByRole('button', { name: 'Close', exact: true }).click();
    for (const email of ['alice@example.com', 'bob@example.com', 'carol@example.com']) {
      const mail = await sink.waitFor((m) => JSON.stringify(m.to).includes(email) && (m.text ?? '').includes('/invitations/'), 15_000);
      assert.match(mail.subject ?? '', /Acme Corp/);
    }
    await row(page, 'carol@example.com').waitFor();
    // The header counts the account's users (CountUsers), not just the page.
    await page.getByRole('heading', { name: 'Users (3)' }).waitFor();
    await screen(page, 'users');
  });

  test('Bob accepts his invitation in the browser and becomes a registered member', async () => {
    const mail = sink.messages.find((m) => JSON.stringify(m.to).includes('bob@example.com'))!;
    const link = /(http:\/\/\S+\/invitations\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1]!;
    bobPage = await (await browser.newContext()).newPage();
    await bobPage.goto(link);
    await bobPage.getByLabel('Full name').fill('Bob Builder');
    await bobPage.getByLabel(/Choose a password/).fill('Harbour-lights-of-2026');
    await bobPage.getByRole('button', { name: 'Accept and create my identity' }).click();
    await bobPage.waitForURL(/\/me/);
    await page.reload();
    await row(page, 'bob@example.com').getByText('Registered').waitFor();
  });

  test('changing licenses of several users, with the result shown and the filter in the URL', async () => {
    await selectUsers(page, ['alice@example.com', 'bob@example.com']);
    await batchAction(page, 'Assign Basic');
    await flash(page).getByText(/2 users/).waitFor();
    await row(page, 'alice@example.com').getByText('Basic').waitFor();
    await row(page, 'bob@example.com').getByText('Basic').waitFor();
    await row(page, 'carol@example.com').getByText('Pro').waitFor();
    const licenses = await db.db.selectFrom('users').select(['email', 'license']).where('removed_at', 'is', null).orderBy('email').execute();
    assert.deepEqual(licenses.map((u) => `${u.email}=${u.license}`), ['alice@example.com=Basic', 'bob@example.com=Basic', 'carol@example.com=Pro']);
    // Filter to Basic: the filter is in the URL and survives a reload.
    await page.getByRole('button', { name: /^License/ }).click();
    await page.getByRole('option', { name: 'Basic' }).click();
    await page.waitForURL(/license=Basic/);
    await waitForCount(row(page, 'carol@example.com'), 0);
    await page.reload();
    await row(page, 'alice@example.com').waitFor();
    assert.equal(await row(page, 'carol@example.com').count(), 0);
    // The count follows the filter, and the export holds what the filter shows (every page of it).
    await page.getByRole('heading', { name: 'Users (2)' }).waitFor();
    const { name, text } = await downloadText(page, page.getByTestId('users-export'));
    assert.match(name, /^carillon-users-acme-corp-[\dT-]+Z\.csv$/);
    const exported = csvRecords(text);
    assert.deepEqual(exported.map((u) => `${u.Email}=${u.License}`).sort(), ['alice@example.com=Basic', 'bob@example.com=Basic']);
    const bob = await db.db.selectFrom('users').select(['id', 'registration_status']).where('email', '=', 'bob@example.com').executeTakeFirstOrThrow();
    assert.deepEqual(
      { id: exported.find((u) => u.Email === 'bob@example.com')?.['User ID'], status: exported.find((u) => u.Email === 'bob@example.com')?.Status },
      { id: bob.id, status: bob.registration_status },
    );
    await flash(page).getByText('Exported 2 users to CSV.').waitFor();
  });

  test('a user detail shows the invitation and its email status, changes the license, resets the personal PIN and logs the user out', async () => {
    await page.getByTestId('users-table').getByRole('link', { name: 'bob@example.com' }).click();
    await page.getByRole('heading', { name: 'Invitation' }).waitFor();
    await page.getByText('Accepted').first().waitFor();
    await page.getByText('Sent', { exact: true }).first().waitFor();
    // Bob is Basic since the batch change; his detail page gives him Pro back.
    await page.getByRole('button', { name: /^License/ }).click();
    await page.getByRole('option', { name: 'Pro' }).click();
    await page.getByRole('button', { name: 'Save license' }).click();
    await flash(page).getByText('bob@example.com now has the Pro license.').waitFor();
    assert.equal((await db.db.selectFrom('users').select('license').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow()).license, 'Pro');
    const before = await db.db.selectFrom('users').select('personal_pin').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow();
    await page.getByRole('button', { name: 'Reset personal PIN' }).click();
    await page.getByRole('button', { name: 'Reset PIN', exact: true }).click();
    const shown = /personal PIN is (\d+)/.exec(await flash(page).getByText(/The new personal PIN is/).innerText())?.[1];
    const afterReset = await db.db.selectFrom('users').select('personal_pin').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow();
    assert.notEqual(afterReset.personal_pin, before.personal_pin);
    assert.equal(shown, afterReset.personal_pin);
    await screen(page, 'user-detail');
    // Log out user: Bob's own browser, signed in until now, is signed out.
    await bobPage.goto(`${baseUrl}/me`);
    assert.match(new URL(bobPage.url()).pathname, /^\/me$/);
    await page.getByRole('button', { name: 'Log out user' }).click();
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await flash(page).getByText(/signed out on every device/).waitFor();
    await bobPage.goto(`${baseUrl}/me`);
    assert.match(new URL(bobPage.url()).pathname, /^\/signin$/);
  });

  test('an invitee’s detail: no PIN reset or sign-out, the license they get on accepting, and resending makes a new invitation', async () => {
    await openUsers(page, 'Acme Corp');
    await page.getByTestId('users-table').getByRole('link', { name: 'alice@example.com' }).click();
    const invitation = page.getByTestId('invitation-details');
    await invitation.getByText('Pending: the link works until it expires').waitFor();
    // Alice was given Basic by the batch change: she keeps it on accepting, and the detail says who chose it.
    await invitation.getByText('(chosen by an administrator)').waitFor();
    assert.match(await invitation.innerText(), /License on accepting\s+Basic/);
    // Nobody has registered as Alice yet: no PIN to reset, no session to end.
    await page.getByRole('button', { name: 'Resend invitation' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Reset personal PIN' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Log out user' }).count(), 0);
    const first = await invitationId(page);
    const firstMail = sink.messages.find((m) => JSON.stringify(m.to).includes('alice@example.com'))!;
    const firstLink = /(http:\/\/\S+\/invitations\/[A-Za-z0-9_-]+)/.exec(firstMail.text ?? '')![1]!;
    await page.getByRole('button', { name: 'Resend invitation' }).click();
    await page.getByRole('button', { name: 'Resend', exact: true }).click();
    await flash(page).getByText('A new invitation was sent to alice@example.com.').waitFor();
    await waitForCount(page.getByTestId('invitation-id').filter({ hasNotText: first }), 1);
    const second = await invitationId(page);
    const alice = await db.db.selectFrom('users').select('id').where('email', '=', 'alice@example.com').executeTakeFirstOrThrow();
    const rows = await db.db.selectFrom('invitations').select(['id', 'end_reason']).where('user_id', '=', alice.id).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: first, end_reason: 'superseded' },
      { id: second, end_reason: null },
    ]);
    // A second email with a new link; the first link no longer works.
    const secondMail = await sink.waitFor((m) => m !== firstMail && JSON.stringify(m.to).includes('alice@example.com'), 15_000);
    const secondLink = /(http:\/\/\S+\/invitations\/[A-Za-z0-9_-]+)/.exec(secondMail.text ?? '')![1]!;
    assert.notEqual(secondLink, firstLink);
    const stale = await (await browser.newContext()).newPage();
    await stale.goto(firstLink);
    await stale.getByText(/replaced by a newer invitation/).waitFor();
    await stale.context().close();
    // The relay took it: after a reload the detail says the new email went out.
    for (let tries = 0; !(await invitation.getByText('Sent', { exact: true }).count()); tries++) {
      assert.ok(tries < 50, 'the resent invitation never showed as sent');
      await page.reload();
      await invitation.getByText('Invitation status').waitFor();
    }
    await screen(page, 'user-detail-invitee');
    // Carol's license was never chosen: she gets the account's default, and the detail says that too.
    await openUsers(page, 'Acme Corp');
    await page.getByTestId('users-table').getByRole('link', { name: 'carol@example.com' }).click();
    await page.getByTestId('invitation-details').getByText(/the account’s default license/).waitFor();
    assert.match(await page.getByTestId('invitation-details').innerText(), /License on accepting\s+Pro/);
  });

  test('renaming the account, and deleting it refused while Bob is registered, with the reason explained', async () => {
    await openUsers(page, 'Acme Corp');
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('button', { name: 'Rename account' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Account name' }).fill('Acme Corporation');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Corporation' }).waitFor();
    await page.getByTestId('delete-account-button').click();
    const dialog = page.getByTestId('delete-account-modal');
    await dialog.getByRole('textbox', { name: 'Account name' }).fill('Acme Corporation');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText(/Unprocessable/).first().waitFor();
    await page.getByText(/remove/i).first().waitFor();
    await screen(page, 'delete-refused');
    const acme = await db.db.selectFrom('accounts').select(['name', 'deleted_at']).where('name', '=', 'Acme Corporation').executeTakeFirstOrThrow();
    assert.equal(acme.deleted_at, null);
    await page.keyboard.press('Escape');
  });

  test('claiming a domain: the TXT record copied, Verify now makes the account Enterprise LWA, which may suspend; removing the last domain says what it does', async () => {
    await openUsers(page, 'Acme Corporation');
    await page.getByRole('link', { name: 'Domains' }).first().click();
    await page.getByTestId('claim-domain-button').click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Domain' }).fill('Acme-Corp.test.');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    const domainRow = page.getByTestId('domains-table').getByRole('row').filter({ hasText: 'acme-corp.test' });
    await domainRow.getByText('Pending verification').waitFor();
    await domainRow.getByRole('button', { name: 'Copy the record name of acme-corp.test' }).click();
    assert.equal(await readClipboard(page), '_carillon.acme-corp.test');
    await domainRow.getByRole('button', { name: 'Copy the record value of acme-corp.test' }).click();
    const value = await readClipboard(page);
    assert.match(value, /^carillon-domain-verification=/);
    await domainRow.getByRole('button', { name: 'Verify acme-corp.test now' }).click();
    await domainRow.getByText(/No TXT record was found/).waitFor();
    // The administrator publishes the record at their DNS provider (here: the test's DNS server).
    dns.zones.set('_carillon.acme-corp.test', { txt: [[value]] });
    await domainRow.getByRole('button', { name: 'Verify acme-corp.test now' }).click();
    await domainRow.getByText('Verified', { exact: true }).waitFor();
    await page.getByText('Enterprise LWA account').first().waitFor();
    await screen(page, 'domains');

    // Enterprise LWA accounts suspend (a Team account's "suspend" removes).
    await page.getByRole('link', { name: 'Users' }).first().click();
    await page.getByTestId('users-table').waitFor();
    await selectUsers(page, ['bob@example.com']);
    await batchAction(page, 'Suspend users');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await row(page, 'bob@example.com').getByText('Suspended').waitFor();
    await selectUsers(page, ['bob@example.com']);
    await batchAction(page, 'Activate users');
    await row(page, 'bob@example.com').getByText('Registered').waitFor();
    const bob = await db.db.selectFrom('users').select('registration_status').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow();
    assert.equal(bob.registration_status, 'Registered');

    // Removing the account's last domain: the dialog counts who is affected, and says the account turns Team and
    // its other members are suspended.
    await page.getByRole('link', { name: 'Domains' }).first().click();
    await domainRow.getByRole('button', { name: 'Remove acme-corp.test' }).click();
    const dialog = page.getByTestId('remove-domain-modal');
    await dialog.getByTestId('remove-domain-effect').getByText(/0 people with an @acme-corp\.test address will be signed out/).waitFor();
    await dialog.getByText(/becomes a Team account again, and its 1 other registered member/).waitFor();
    await screen(page, 'remove-domain');
    await dialog.getByRole('textbox').fill('acme-corp.test');
    await dialog.getByRole('button', { name: 'Remove domain', exact: true }).click();
    await flash(page).getByText('acme-corp.test removed.').waitFor();
    await page.getByText('Team account').first().waitFor();
    await page.getByText('No domains claimed').waitFor();
    // Bob was suspended with the last domain; on the Team account he can be reactivated.
    await page.getByRole('link', { name: 'Users' }).first().click();
    await row(page, 'bob@example.com').getByText('Suspended').waitFor();
    await selectUsers(page, ['bob@example.com']);
    await batchAction(page, 'Activate users');
    await row(page, 'bob@example.com').getByText('Registered').waitFor();
  });

  test('deleting an empty account, then restoring it from Deleted accounts', async () => {
    // Whole seconds apart from what came before and what follows, for the audit log's time range below.
    await sleep(1100);
    cut = new Date(Math.ceil(Date.now() / 1000) * 1000);
    while (Date.now() < cut.getTime() + 100) await sleep(50);
    await openUsers(page, 'Empty Co');
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await screen(page, 'settings');
    await page.getByTestId('delete-account-button').click();
    const dialog = page.getByTestId('delete-account-modal');
    await dialog.getByRole('textbox', { name: 'Account name' }).fill('Empty Co');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(/\/console\/accounts/);
    await flash(page).getByText(/Empty Co/).waitFor();
    const deleted = await db.db.selectFrom('accounts').select('deleted_at').where('name', '=', 'Empty Co').executeTakeFirstOrThrow();
    assert.notEqual(deleted.deleted_at, null);
    await page.goto(`${baseUrl}/console/deleted-accounts`);
    await page.getByRole('button', { name: 'Restore Empty Co' }).click();
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await flash(page).getByText(/“Empty Co” restored/).waitFor();
    await page.getByRole('heading', { name: 'Deleted accounts (0)' }).waitFor();
    await screen(page, 'deleted-accounts');
    const restored = await db.db.selectFrom('accounts').select('deleted_at').where('name', '=', 'Empty Co').executeTakeFirstOrThrow();
    assert.equal(restored.deleted_at, null);
  });

  test('meeting settings read as Chime’s console put them, and save the wire values', async () => {
    await openUsers(page, 'Empty Co');
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('tab', { name: 'Meetings' }).click();
    await page.waitForURL(/tab=meetings/);
    const sharedControl = page.getByRole('checkbox', { name: 'Enable shared control in screen sharing' });
    const dialOut = page.getByRole('checkbox', { name: 'Enable outbound calling to join meetings' });
    const stored = () => db.db.selectFrom('accounts').select(['disable_remote_control', 'enable_dial_out']).where('name', '=', 'Empty Co').executeTakeFirstOrThrow();
    const initial = await stored();
    // The labels say what is allowed: shared control is on exactly when DisableRemoteControl is not set.
    assert.equal(await sharedControl.isChecked(), !initial.disable_remote_control);
    assert.equal(await dialOut.isChecked(), !!initial.enable_dial_out);
    assert.equal(await page.getByText(/Remote control disabled|Dial-out enabled/).count(), 0);
    await sharedControl.click();
    await dialOut.click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await flash(page).getByText('Meeting settings saved.').waitFor();
    const saved = await stored();
    assert.equal(!!saved.disable_remote_control, !initial.disable_remote_control);
    assert.equal(!!saved.enable_dial_out, !initial.enable_dial_out);
    const wire = await page.evaluate(async (accountId) => {
      const session = (await (await fetch('/console/api/session')).json()) as { CsrfToken: string };
      const res = await fetch(`/accounts/${accountId}/settings`, { headers: { 'x-carillon-csrf': session.CsrfToken } });
      return ((await res.json()) as { AccountSettings: { DisableRemoteControl: boolean; EnableDialOut: boolean } }).AccountSettings;
    }, new URL(page.url()).pathname.split('/')[3]!);
    assert.deepEqual(wire, { DisableRemoteControl: !initial.disable_remote_control, EnableDialOut: !initial.enable_dial_out });
    // The tab is in the URL, and a reload shows what was saved.
    await page.reload();
    await sharedControl.waitFor();
    assert.equal(await sharedControl.isChecked(), !!initial.disable_remote_control);
    assert.equal(await dialOut.isChecked(), !initial.enable_dial_out);
    await screen(page, 'settings-meetings');
  });

  test('the audit log reads as sentences with names, filters by action and time range, and exports what it shows', async () => {
    const acme = await db.db.selectFrom('accounts').select('id').where('name', '=', 'Acme Corporation').executeTakeFirstOrThrow();
    await page.goto(`${baseUrl}/console/audit`);
    const table = page.getByTestId('audit-events-table');
    const rows = table.getByRole('row');
    // A summary per event and the account's (current) name, not its ID.
    const bobInvited = rows.filter({ hasText: 'Invited a user: bob@example.com' });
    await bobInvited.waitFor();
    await bobInvited.getByRole('link', { name: 'Acme Corporation' }).waitFor();
    assert.ok(!(await bobInvited.innerText()).includes(acme.id), 'the row shows the account by name');
    await rows.filter({ hasText: 'Created an account: “Acme Corp”' }).waitFor();
    // The time sits on one line.
    const time = bobInvited.locator('time');
    assert.ok(await isOneLine(time), 'the time wraps');
    assert.match((await time.getAttribute('title')) ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    // The details open from the summary.
    await bobInvited.getByRole('button', { name: /Invited a user: bob@example\.com/ }).click();
    await bobInvited.getByText('Source IP').waitFor();
    await bobInvited.getByText('InviteUser', { exact: true }).waitFor();
    await screen(page, 'audit-details');

    // The action picker offers the server's actions by name.
    await page.getByRole('button', { name: /^Action/ }).click();
    await page.getByRole('option', { name: 'Restored a deleted account' }).click();
    await page.waitForURL(/action=RestoreAccount/);
    await waitForCount(rows.filter({ hasText: 'Deleted an account' }), 0);
    await rows.filter({ hasText: 'Restored a deleted account: “Empty Co”' }).filter({ hasText: 'ada@example.com' }).waitFor();
    await screen(page, 'audit');

    // Back to any action, then a time range from the moment before Empty Co was deleted.
    await page.getByRole('button', { name: /^Action/ }).click();
    await page.getByRole('option', { name: 'Any action' }).click();
    await rows.filter({ hasText: 'Created an account: “Acme Corp”' }).waitFor();
    const start = await localDateAndTime(page, cut);
    const end = await localDateAndTime(page, new Date(Date.now() + 86_400_000));
    await page.getByRole('button', { name: /^Time range/ }).click();
    await page.getByRole('button', { name: 'Absolute mode' }).click();
    await page.getByLabel('Start date').fill(start.date);
    await page.getByLabel('Start time').fill(start.time);
    await page.getByLabel('End date').fill(end.date);
    await page.getByLabel('End time').fill(end.time);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.waitForURL(/since=/);
    await waitForCount(rows.filter({ hasText: 'Created an account' }), 0);
    await rows.filter({ hasText: 'Deleted an account: “Empty Co”' }).waitFor();
    // The filter is in the URL: a reload shows the same events.
    await page.reload();
    await rows.filter({ hasText: 'Deleted an account: “Empty Co”' }).waitFor();
    assert.equal(await rows.filter({ hasText: 'Created an account' }).count(), 0);
    await screen(page, 'audit-time-range');

    // The export holds what the filter shows, from every page.
    const { name, text } = await downloadText(page, page.getByTestId('audit-export'));
    assert.match(name, /^carillon-audit-events-[\dT-]+Z\.csv$/);
    const exported = csvRecords(text);
    const actions = new Set(exported.map((e) => e.Action));
    assert.ok(actions.has('DeleteAccount') && actions.has('RestoreAccount'), [...actions].join(', '));
    assert.ok(!actions.has('CreateAccount') && !actions.has('InviteUser'), [...actions].join(', '));
    assert.ok(exported.every((e) => Date.parse(e['Time (UTC)']!) >= cut.getTime()));
    const deleted = exported.find((e) => e.Action === 'DeleteAccount')!;
    assert.equal(deleted.Event, 'Deleted an account: “Empty Co”');
    assert.equal(deleted.Actor, 'ada@example.com');
    assert.deepEqual(JSON.parse(deleted.Details!), { name: 'Empty Co' });
    const inDb = await db.db.selectFrom('audit_events').select('id').where('occurred_at', '>=', cut.toISOString()).execute();
    assert.equal(exported.length, inDb.length);
  });

  test('administrators: invite with a role (the one-time link shown once, copied), the invitee signs up, then disabled', async () => {
    await page.goto(`${baseUrl}/console/accounts`);
    await page.getByRole('navigation').getByRole('link', { name: 'Administrators' }).click();
    const table = page.getByTestId('administrators-table');
    const adminRow = (email: string) => table.getByRole('row').filter({ hasText: email });
    await adminRow('ada@example.com').getByText('Full access').waitFor();
    await page.getByRole('heading', { name: 'Administrators (1)' }).waitFor();
    // Nobody disables themselves: the button is there, and off.
    assert.equal(await adminRow('ada@example.com').getByRole('button', { name: 'Disable ada@example.com' }).isDisabled(), true);
    await page.getByTestId('invite-administrator-button').click();
    const modal = page.getByTestId('invite-administrator-modal');
    await modal.getByLabel('Email').fill('grace@example.com');
    await modal.getByRole('button', { name: /^Role/ }).click();
    await page.getByRole('option', { name: /^User management/ }).click();
    await modal.getByRole('button', { name: 'Create setup link' }).click();
    const shown = modal.getByTestId('setup-link');
    await shown.waitFor();
    const link = SETUP_LINK.exec(await shown.innerText())?.[1];
    assert.ok(link, await shown.innerText());
    await modal.getByRole('button', { name: 'Copy setup link' }).click();
    assert.equal(await readClipboard(page), link);
    await screen(page, 'administrator-invited');
    await modal.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByText(link).count(), 0, 'the link is shown once');

    const grace = await completeSetup(link, 'Grace Hopper');
    await grace.page.getByRole('button', { name: /grace@example\.com \(User management\)/ }).waitFor();
    await page.reload();
    await adminRow('grace@example.com').getByText('User management').waitFor();
    await adminRow('grace@example.com').getByText('Active').waitFor();
    await page.getByRole('heading', { name: 'Administrators (2)' }).waitFor();
    // The list's filter is in the URL too.
    await page.getByRole('searchbox', { name: 'Find administrators' }).fill('grace');
    await page.waitForURL(/q=grace/);
    await page.reload();
    await adminRow('grace@example.com').waitFor();
    assert.equal(await adminRow('ada@example.com').count(), 0);
    await page.getByRole('heading', { name: 'Administrators (1/2)' }).waitFor();

    await adminRow('grace@example.com').getByRole('button', { name: 'Disable grace@example.com' }).click();
    await page.getByTestId('disable-administrator-modal').getByRole('button', { name: 'Disable', exact: true }).click();
    await flash(page).getByText('grace@example.com is disabled.').waitFor();
    await adminRow('grace@example.com').getByText('Disabled', { exact: true }).waitFor();
    const stored = await db.db.selectFrom('admins').select('disabled_at').where('email', '=', 'grace@example.com').executeTakeFirstOrThrow();
    assert.notEqual(stored.disabled_at, null);
    // Her session ended with it.
    await grace.page.reload();
    await grace.page.waitForURL(/\/console\/signin/);
    await grace.context.close();
    await screen(page, 'administrators');
  });

  test('access keys: the secret is shown once, signs API calls limited to its account, and stops working once revoked', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Access keys' }).click();
    await page.getByRole('heading', { name: 'Access keys (0)' }).waitFor();
    await page.getByTestId('create-access-key-button').click();
    const modal = page.getByTestId('create-access-key-modal');
    await modal.getByRole('textbox', { name: 'Name' }).fill('Billing export');
    await modal.getByRole('button', { name: /^Limited to/ }).click();
    await page.getByRole('combobox', { name: 'Search accounts by name' }).fill('Acme');
    await page.getByRole('option', { name: /Acme Corporation/ }).click();
    await modal.getByRole('button', { name: 'Create', exact: true }).click();
    const secretBox = modal.getByTestId('created-secret-access-key');
    await secretBox.waitFor();
    await modal.getByText('The secret access key is shown only now').waitFor();
    const creds = { accessKeyId: (await modal.getByTestId('created-access-key-id').innerText()).trim(), secretAccessKey: (await secretBox.innerText()).trim() };
    await modal.getByRole('button', { name: 'Copy secret access key' }).click();
    assert.equal(await readClipboard(page), creds.secretAccessKey);
    await screen(page, 'access-key-created');

    // It signs a real API call (SigV4), read-only and limited to Acme.
    const listed = await signedRequest(baseUrl, creds, { method: 'GET', path: '/accounts' });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual((listed.json as { Accounts: { Name: string }[] }).Accounts.map((a) => a.Name), ['Acme Corporation']);
    const refused = await signedRequest(baseUrl, creds, { method: 'POST', path: '/accounts', body: JSON.stringify({ Name: 'Not allowed' }) });
    assert.equal(refused.status, 403);

    await modal.getByRole('button', { name: 'I have stored the secret' }).click();
    const keyRow = page.getByTestId('access-keys-table').getByRole('row').filter({ hasText: 'Billing export' });
    await keyRow.getByRole('link', { name: 'Acme Corporation' }).waitFor();
    await keyRow.getByText('Read-only').waitFor();
    await page.getByRole('heading', { name: 'Access keys (1)' }).waitFor();
    // Shown once: neither the list nor a reload shows the secret again.
    assert.equal(await page.getByText(creds.secretAccessKey).count(), 0);
    await page.reload();
    await keyRow.waitFor();
    assert.ok(!(await page.content()).includes(creds.secretAccessKey));
    await screen(page, 'access-keys');

    await keyRow.getByRole('button', { name: `Revoke Billing export (${creds.accessKeyId})` }).click();
    await page.getByTestId('revoke-access-key-modal').getByRole('button', { name: 'Revoke', exact: true }).click();
    await flash(page).getByText('Access key “Billing export” revoked.').waitFor();
    await keyRow.getByText('Revoked', { exact: true }).waitFor();
    // Refused within about a second on every node.
    let after = await signedRequest(baseUrl, creds, { method: 'GET', path: '/accounts' });
    for (let tries = 0; after.status === 200 && tries < 50; tries++) {
      await sleep(100);
      after = await signedRequest(baseUrl, creds, { method: 'GET', path: '/accounts' });
    }
    assert.equal(after.status, 403, after.text);
    assert.equal(after.headers['x-amzn-errortype'], 'UnrecognizedClientException');
  });

  test('on a Carillon without a mail relay, an invitation says its email waits for one (SMTP_URL)', async () => {
    const quietDb = await createTestDatabase();
    const quietDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-console-norelay-'));
    const port = await freePort();
    const quietUrl = `http://127.0.0.1:${port}`;
    let quiet: ChildProcess | undefined;
    try {
      const started = await startCarillon({
        PORT: String(port),
        HOST: '127.0.0.1',
        CARILLON_PUBLIC_URL: quietUrl,
        CARILLON_DATA_DIR: quietDir,
        SMTP_URL: '',
        LOG_LEVEL: 'warn',
        DATABASE_URL: quietDb.databaseUrl ?? '',
      });
      quiet = started.child;
      const { context, page: p } = await completeSetup(started.setupLink, 'Quinn Quiet', 'quinn@example.com');
      await p.getByTestId('create-account-button').click();
      await p.getByRole('dialog').getByRole('textbox', { name: 'Account name' }).fill('Quiet Co');
      await p.getByRole('button', { name: 'Create', exact: true }).click();
      await p.getByRole('heading', { level: 1, name: 'Quiet Co', exact: true }).waitFor();
      await p.getByRole('button', { name: 'Invite users' }).click();
      const modal = p.getByTestId('invite-users-modal');
      await modal.getByLabel('Email addresses').fill('dave@example.com');
      await modal.getByRole('button', { name: 'Invite', exact: true }).click();
      await modal.getByText(/waiting for a mail relay: SMTP_URL is not set/).waitFor();
      await modal.getByRole('button', { name: 'Close', exact: true }).click();
      await p.getByTestId('users-table').getByRole('link', { name: 'dave@example.com' }).click();
      const invitation = p.getByTestId('invitation-details');
      await invitation.getByText('Not sent').waitFor();
      await invitation.getByText(/Waiting for a mail relay: SMTP_URL is not set on this server.*goes out once a relay is configured/).waitFor();
      assert.equal(await invitation.getByText(/goes out shortly/).count(), 0);
      assert.equal(await p.getByRole('button', { name: 'Reset personal PIN' }).count(), 0);
      await screen(p, 'user-detail-no-relay');
      await context.close();
    } finally {
      await stopCarillon(quiet);
      await quietDb.drop();
      fs.rmSync(quietDir, { recursive: true, force: true });
    }
  });

  test('a read-only administrator sees no write action, and the API refuses them anyway', async () => {
    const created = await runCarillon(env, 'admins', 'create', '--email', 'rita@example.com', '--role', 'read-only');
    assert.equal(created.code, 0, created.stderr);
    const link = /(http:\/\/\S+\/console\/setup#token=[A-Za-z0-9_-]+)/.exec(created.stdout)![1]!;
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(15_000);
    const p = await context.newPage();
    await p.goto(link);
    await p.getByLabel('Name', { exact: true }).fill('Rita Reader');
    await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await p.getByLabel('Confirm password', { exact: true }).fill(PASSWORD);
    await p.getByRole('button', { name: 'Create administrator' }).click();
    await p.getByTestId('accounts-table').getByRole('link', { name: 'Acme Corporation' }).waitFor();
    assert.equal(await p.getByTestId('create-account-button').count(), 0);
    // Administrators and access keys are for full administrators: not in the navigation, and a typed address explains.
    assert.equal(await p.getByRole('navigation').getByRole('link', { name: 'Administrators' }).count(), 0);
    assert.equal(await p.getByRole('navigation').getByRole('link', { name: 'Access keys' }).count(), 0);
    await p.goto(`${baseUrl}/console/access-keys`);
    await p.getByText('Access keys are for full administrators').waitFor();
    assert.equal(await p.getByTestId('create-access-key-button').count(), 0);
    await openUsers(p, 'Acme Corporation');
    await row(p, 'bob@example.com').waitFor();
    assert.equal(await p.getByRole('button', { name: 'Invite users' }).count(), 0);
    assert.equal(await p.getByTestId('user-actions').count(), 0);
    assert.equal(await p.getByRole('checkbox', { name: 'Select bob@example.com' }).count(), 0);
    await screen(p, 'users-read-only');
    await p.getByRole('link', { name: 'Settings' }).first().click();
    await p.getByRole('heading', { level: 1, name: 'Acme Corporation' }).waitFor();
    assert.equal(await p.getByTestId('delete-account-button').count(), 0);
    assert.equal(await p.getByRole('button', { name: 'Rename account' }).count(), 0);
    // Trying anyway, from the page itself with a valid session and CSRF token: the API says no.
    const refused = await p.evaluate(async () => {
      const session = (await (await fetch('/console/api/session')).json()) as { CsrfToken: string };
      const res = await fetch('/accounts', { method: 'POST', headers: { 'content-type': 'application/json', 'x-carillon-csrf': session.CsrfToken }, body: JSON.stringify({ Name: 'Sneaky' }) });
      return { status: res.status, body: (await res.json()) as { Code: string } };
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.Code, 'Forbidden');
    assert.equal((await db.db.selectFrom('accounts').select('id').where('name', '=', 'Sneaky').execute()).length, 0);
    await context.close();
  });
});
