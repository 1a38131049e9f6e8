// The administration console in a real Chromium, as a newcomer meets it: Carillon started the way the README
// says (the built server, as a process), the one-time setup link read from what it prints, then a whole
// administrator's session — accounts, invitations (received by a real SMTP server), licenses, suspension,
// rename, deletion refused and allowed, restore, audit — and a read-only administrator who sees no write action
// and whom the API refuses anyway. Every main screen is checked with axe and saved as a screenshot.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import { accountsRepository } from '../src/accounts/accounts-repository.js';
import { runCarillon } from './support/cli.js';
import { checkAccessibility, launchChromium, saveScreenshot } from './support/chromium.js';
import { createTestDatabase, testEngine, type TestDatabase } from './support/database.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'Quiet-harbour-lights-7';

let sink: SmtpSink;
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

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts `node dist/server.js` as `npm start` does, and resolves with the setup link it prints. */
function startCarillon(): Promise<string> {
  server = spawn(process.execPath, ['--enable-source-maps', 'dist/server.js'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup link printed in 30 s:\n${out}`)), 30_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const link = /(http:\/\/\S+\/console\/setup#token=[A-Za-z0-9_-]+)/.exec(out)?.[1];
      if (link) {
        clearTimeout(timer);
        resolve(link);
      }
    };
    server.stdout!.on('data', read);
    server.stderr!.on('data', read);
    server.once('exit', (code) => reject(new Error(`Carillon exited with ${code}:\n${out}`)));
  });
}

const screen = async (p: Page, name: string) => {
  const serious = await checkAccessibility(p, name);
  await saveScreenshot(p, `console-${name}`, { fullPage: false });
  return serious;
};

const flash = (p: Page) => p.getByTestId('flashbar');

/** Waits until the locator matches exactly `n` elements (the page may still be showing what it showed before). */
async function waitForCount(locator: Locator, n: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await locator.count()) !== n) {
    if (Date.now() > until) assert.fail(`expected ${n} matches, still ${await locator.count()} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
      LOG_LEVEL: 'warn',
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : { DATABASE_URL: '' }),
    };
    setupLink = await startCarillon();
    db = openDatabase({ databaseUrl: database.databaseUrl, dataDir });
    browser = await launchChromium();
    // Each step waits at most 15 s for the page: a broken step fails fast instead of holding up the rest.
    admin = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    admin.setDefaultTimeout(15_000);
    page = await admin.newPage();
  });

  after(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((r) => server.once('exit', r));
    await db?.close();
    await database?.drop();
    await sink?.stop();
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

  test('suspending and reactivating on an account type that allows it (Enterprise LWA)', async () => {
    // Stands in for the domain-claim capability (claiming a domain turns a Team account into EnterpriseLWA), not built yet.
    const acme = await db.db.selectFrom('accounts').select('id').where('name', '=', 'Acme Corporation').executeTakeFirstOrThrow();
    await accountsRepository.update(db.db, acme.id, { type: 'EnterpriseLWA' }, new Date().toISOString());
    await openUsers(page, 'Acme Corporation');
    await selectUsers(page, ['bob@example.com']);
    await batchAction(page, 'Suspend users');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await row(page, 'bob@example.com').getByText('Suspended').waitFor();
    await selectUsers(page, ['bob@example.com']);
    await batchAction(page, 'Activate users');
    await row(page, 'bob@example.com').getByText('Registered').waitFor();
    const bob = await db.db.selectFrom('users').select('registration_status').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow();
    assert.equal(bob.registration_status, 'Registered');
  });

  test('deleting an empty account, then restoring it from Deleted accounts', async () => {
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
    await screen(page, 'deleted-accounts');
    const restored = await db.db.selectFrom('accounts').select('deleted_at').where('name', '=', 'Empty Co').executeTakeFirstOrThrow();
    assert.equal(restored.deleted_at, null);
  });

  test('the audit log lists what was done, filterable by action', async () => {
    await page.goto(`${baseUrl}/console/audit`);
    await page.getByLabel('Action').fill('RestoreAccount');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=RestoreAccount/);
    const table = page.getByTestId('audit-events-table');
    await waitForCount(table.getByRole('row').filter({ hasText: 'DeleteAccount' }), 0);
    await table.getByRole('row').filter({ hasText: 'RestoreAccount' }).filter({ hasText: 'ada@example.com' }).waitFor();
    await screen(page, 'audit');
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
