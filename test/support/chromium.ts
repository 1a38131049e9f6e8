// A real browser for page tests: Debian's Chromium driven by playwright-core (which never downloads one), axe-core
// accessibility checks, and full-page screenshots under test-output/ (gitignored) for a person to look at.
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');

// The real binary first: /usr/bin/chromium is Debian's wrapper script, which adds flags of its own.
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox', // containers and CI runners rarely allow Chromium's user-namespace sandbox
  '--disable-gpu',
  '--disable-dev-shm-usage', // a container's small /dev/shm crashes renderers
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

function chromiumPath(): string {
  const override = process.env.CARILLON_CHROMIUM;
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`CARILLON_CHROMIUM=${override} does not exist.`);
    return override;
  }
  const found = CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `No Chromium found (looked at ${CANDIDATES.join(', ')}). The browser tests need Debian's Chromium: ` +
        'run `apt-get install chromium` (as root), or point CARILLON_CHROMIUM at a Chromium binary.',
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS });
}

/** One line per violation: rule, impact, what it asks, and where on the page. */
export const describeViolation = (v: Result) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`;

/**
 * Runs axe with the WCAG 2 A and AA rules on the page. Throws when any violation is critical; returns the serious
 * ones so the caller can report or assert on them.
 */
export async function checkAccessibility(page: Page, label: string): Promise<Result[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const critical = violations.filter((v) => v.impact === 'critical');
  if (critical.length > 0) throw new Error(`${label}: ${critical.length} critical accessibility violation(s):\n${critical.map(describeViolation).join('\n')}`);
  return violations.filter((v) => v.impact === 'serious');
}

/** Saves a PNG (the full page unless `fullPage: false`) as test-output/screenshots/<name>.png; returns its path. */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const dir = path.join(root, 'test-output', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}
