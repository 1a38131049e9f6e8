// The end-user pages in a real browser (Debian's Chromium): they wear the admin console's Cloudscape look under
// their own Content-Security-Policy, pass axe's WCAG 2 A/AA rules, and work with the keyboard alone. Screenshots
// land in test-output/screenshots/ for a person to look at.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test, type TestContext } from 'node:test';
import { CreateAccountCommand, InviteUsersCommand } from '@aws-sdk/client-chime';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkAccessibility, describeViolation, launchChromium, saveScreenshot } from './support/chromium.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const PUBLIC_URL = 'https://carillon.example.test';
const PASSWORD = 'Lantern-Harbor-42';

// Computed values of the Cloudscape tokens the stylesheet copies (see the stylesheet in src/signin/pages.ts).
const LOOK = {
  topNavigationBackground: 'rgb(22, 29, 38)', // #161d26, color-background-container-content in the top-navigation context
  topNavigationTitle: 'rgb(249, 249, 250)', // #f9f9fa, color-text-top-navigation-title there
  primaryBackground: 'rgb(0, 108, 224)', // #006ce0, color-background-button-primary-default
  white: 'rgb(255, 255, 255)',
  inputBorder: 'rgb(140, 140, 148)', // #8c8c94, color-border-input-default
  fontFamily: /^"Open Sans", "Helvetica Neue", Roboto, Arial, sans-serif$/, // font-family-base
};

let sink: SmtpSink;
let server: TestServer;
let chromium: Browser;
before(async () => {
  chromium = await launchChromium(); // first: without Chromium there is nothing to start the rest for
  sink = await startSmtpSink();
  server = await startTestServer({ env: { SMTP_URL: sink.url, CARILLON_MAIL_POLL_MS: '50', CARILLON_MAIL_RETRY_BASE_MS: '50', CARILLON_PUBLIC_URL: PUBLIC_URL } });
});
after(async () => {
  await chromium?.close();
  await server?.stop();
  await sink?.stop();
});

/** A fresh browser profile (no cookies) whose pages report what their Content-Security-Policy refused. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page; refused: string[] }> {
  const context = await chromium.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) refused.push(m.text());
  });
  return { context, page, refused };
}

/** The computed value of a CSS property of the first element matching the selector. */
async function cssOf(page: Page, selector: string, property: string): Promise<string> {
  // A string, not a function: the project compiles without the DOM library.
  const value = await page.evaluate<string | null>(
    `(() => { const el = document.querySelector(${JSON.stringify(selector)}); return el && getComputedStyle(el).getPropertyValue(${JSON.stringify(property)}); })()`,
  );
  assert.notEqual(value, null, `${selector} is on ${page.url()}`);
  return value!;
}

type Parts = { buttons: boolean; fields: boolean };

/** The page wears the console's look: dark top navigation, Cloudscape type and containers, buttons and fields. */
async function assertConsoleLook(page: Page, parts: Parts) {
  const where = page.url();
  assert.equal(await cssOf(page, 'header', 'background-color'), LOOK.topNavigationBackground, `top navigation on ${where}`);
  assert.equal(await page.locator('header > span').textContent(), 'Carillon');
  assert.equal(await cssOf(page, 'header > span', 'color'), LOOK.topNavigationTitle);
  assert.match(await cssOf(page, 'body', 'font-family'), LOOK.fontFamily);
  assert.equal(await cssOf(page, 'main .card', 'border-radius'), '16px', `container on ${where}`);
  assert.equal(await cssOf(page, 'main .card', 'background-color'), LOOK.white);
  if (parts.buttons) {
    const primary = 'main button:not(.secondary)';
    assert.equal(await cssOf(page, primary, 'background-color'), LOOK.primaryBackground, `primary button on ${where}`);
    assert.equal(await cssOf(page, primary, 'color'), LOOK.white);
    assert.equal(await cssOf(page, primary, 'border-radius'), '20px');
  }
  if (parts.fields) {
    assert.equal(await cssOf(page, 'main label', 'font-weight'), '700', `field label on ${where}`);
    assert.equal(await cssOf(page, 'main label', 'font-size'), '14px');
    const input = 'main input:not([type=hidden])';
    // The directory's search field has autofocus: it shows the focus ring in the primary colour instead.
    const focused = await page.evaluate<boolean>(`document.querySelector(${JSON.stringify(input)}).matches(':focus-visible')`);
    assert.equal(await cssOf(page, input, 'border-color'), focused ? LOOK.primaryBackground : LOOK.inputBorder, `input on ${where}`);
    assert.equal(await cssOf(page, input, 'border-radius'), '8px');
  }
}

/** Axe finds nothing critical (checkAccessibility throws) and nothing serious, such as too little contrast. */
async function assertAccessible(page: Page, label: string) {
  const serious = await checkAccessibility(page, label);
  assert.deepEqual(serious.map(describeViolation), [], `${label}: no serious accessibility violations`);
}

/** Opens a page (or takes the one shown, without `path`) and checks it all: status, look, accessibility, nothing
 *  refused by its CSP; then screenshots it. */
async function inspect(t: TestContext, page: Page, refused: string[], name: string, expected: { path: string | undefined; status: number } & Parts) {
  if (expected.path !== undefined) {
    const response = await page.goto(expected.path);
    assert.equal(response?.status(), expected.status, `${expected.path} answers ${expected.status}`);
  }
  await assertConsoleLook(page, expected);
  await assertAccessible(page, name);
  assert.deepEqual(refused, [], `nothing on ${name} is refused by the page's CSP`);
  t.diagnostic(`screenshot: ${await saveScreenshot(page, name)}`);
}

async function invitationLink(address: string): Promise<string> {
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: `Harbor Lights Choir ${randomBytes(2).toString('hex')}` }));
  await server.client.send(new InviteUsersCommand({ AccountId: Account!.AccountId!, UserEmailList: [address] }));
  const mail = await sink.waitFor((m) => (m.text ?? '').includes('/invitations/') && JSON.stringify(m.to).includes(address));
  const m = /https:\/\/carillon\.example\.test(\/invitations\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  assert.ok(m, 'the invitation mail carries a link');
  return m[1]!;
}

const onProfile = (url: URL) => url.pathname === '/me';

/** Tabs from wherever the focus is until the field with this id has it, as a keyboard user would. */
async function tabTo(page: Page, id: string) {
  for (let presses = 0; presses < 10; presses++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate<boolean>(`document.activeElement?.id === ${JSON.stringify(id)}`)) return;
  }
  assert.fail(`#${id} is not reachable with Tab`);
}

describe('end-user pages in Chromium', () => {
  test('the pages anyone can open share the console look and pass axe', async (t) => {
    const { context, page, refused } = await freshPage();
    try {
      await inspect(t, page, refused, 'signin', { path: '/signin', status: 200, buttons: true, fields: true });
      await inspect(t, page, refused, 'register', { path: '/register', status: 200, buttons: true, fields: true });
      await inspect(t, page, refused, 'password-forgot', { path: '/password/forgot', status: 200, buttons: true, fields: true });
      await inspect(t, page, refused, 'message-invalid-invitation', { path: `/invitations/${'A'.repeat(43)}`, status: 404, buttons: false, fields: false });
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Something is not right');
      await inspect(t, page, refused, 'oidc-error', { path: '/oidc/interaction/unknown', status: 400, buttons: false, fields: false });
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), "We couldn't sign you in to the app");
    } finally {
      await context.close();
    }
  });

  test('invited, a person registers from the link, signs in with the keyboard alone, and sees /me and /directory in the same look', async (t) => {
    const address = `keyboard-${randomBytes(4).toString('hex')}@example.com`;
    const link = await invitationLink(address);

    const invited = await freshPage();
    try {
      await inspect(t, invited.page, invited.refused, 'invitation', { path: link, status: 200, buttons: true, fields: true });
      await invited.page.getByLabel('Full name').fill('Nina Okafor');
      await invited.page.getByLabel('Choose a password (at least 8 characters)').fill(PASSWORD);
      await invited.page.getByRole('button', { name: 'Accept and create my identity' }).click();
      await invited.page.waitForURL(onProfile);
    } finally {
      await invited.context.close();
    }

    const { context, page, refused } = await freshPage();
    try {
      // Step one asks for the email only; Enter goes on to what the address's method asks for.
      await page.goto('/signin');
      assert.equal(await page.locator('#password').count(), 0, 'no password field before the email');
      assert.equal(await page.evaluate<string>('document.activeElement?.id ?? ""'), 'email', 'the email field has the focus');
      await page.keyboard.type(address);
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      await inspect(t, page, refused, 'signin-password', { path: undefined, status: 200, buttons: true, fields: true });
      assert.equal(await page.locator('#email').inputValue(), address, 'the second step shows the address');
      assert.equal(await page.evaluate<string>('document.activeElement?.id ?? ""'), 'password', 'the password field has the focus');
      await page.keyboard.press('Shift+Tab');
      await tabTo(page, 'password');
      assert.match(await cssOf(page, '#password', 'box-shadow'), /rgb\(0, 108, 224\)/, 'the focused field shows the focus ring');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate<string>('document.activeElement.textContent'), 'Sign in', 'Tab reaches the Sign in button');
      const ring = ['outline-style', 'outline-width', 'outline-color', 'outline-offset'];
      const buttonRing = await Promise.all(ring.map((p) => cssOf(page, 'main button:focus', p)));
      assert.deepEqual(buttonRing, ['solid', '2px', LOOK.primaryBackground, '2px'], 'the focused button shows the focus ring');
      await Promise.all([page.waitForURL(onProfile), page.keyboard.press('Enter')]);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'My profile');
      assert.equal(await page.locator('dt:text-is("Email") + dd').textContent(), address);

      await inspect(t, page, refused, 'profile', { path: '/me', status: 200, buttons: true, fields: false });
      assert.equal(await cssOf(page, 'main button.secondary', 'background-color'), LOOK.white, 'Sign out is a normal button');
      assert.equal(await cssOf(page, 'main button.secondary', 'color'), LOOK.primaryBackground);
      const [signOut, everywhere] = await page.locator('main button').all();
      const [a, b] = [await signOut!.boundingBox(), await everywhere!.boundingBox()];
      assert.equal(a?.y, b?.y, 'the two sign-out buttons sit side by side');

      await inspect(t, page, refused, 'directory', { path: '/directory?q=nina', status: 200, buttons: true, fields: true });
      assert.deepEqual(await page.locator('main tbody td:nth-child(2)').allTextContents(), [address]);
    } finally {
      await context.close();
    }
  });
});
