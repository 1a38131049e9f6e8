// Helpers of the console journey (test/console.test.ts): Carillon started as a process the way `npm start` runs it,
// waiting on the page, reading a download, and the CSV it holds.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export const SETUP_LINK = /(http:\/\/\S+\/console\/setup#token=[A-Za-z0-9_-]+)/;

/** Starts `node dist/server.js` as `npm start` does, and resolves with the process and the setup link it prints. */
export function startCarillon(env: Record<string, string>): Promise<{ child: ChildProcess; setupLink: string }> {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server.js'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup link printed in 30 s:\n${out}`)), 30_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const link = SETUP_LINK.exec(out)?.[1];
      if (link) {
        clearTimeout(timer);
        resolve({ child, setupLink: link });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`Carillon exited with ${code}:\n${out}`)));
  });
}

export async function stopCarillon(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
}

/** Waits until the locator matches exactly `n` elements (the page may still be showing what it showed before). */
export async function waitForCount(locator: Locator, n: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await locator.count()) !== n) {
    if (Date.now() > until) assert.fail(`expected ${n} matches, still ${await locator.count()} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Clicks what starts a download and returns the downloaded file's name and text (Playwright's download event). */
export async function downloadText(p: Page, trigger: Locator): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([p.waitForEvent('download'), trigger.click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

/** RFC 4180: rows of fields, quotes doubled inside quoted fields; a leading byte-order mark is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted && c === '"' && body[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && body[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The CSV's rows as objects keyed by its header line. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

/** A moment as the browser's clock and time zone show it, in the date range picker's ISO input format. */
export function localDateAndTime(p: Page, at: Date): Promise<{ date: string; time: string }> {
  // No named helper inside: the function runs in the page, where tsx's __name() wrapper does not exist.
  return p.evaluate((ms) => {
    const d = new Date(ms);
    const [month, day, hours, minutes, seconds] = [d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0'));
    return { date: `${d.getFullYear()}-${month}-${day}`, time: `${hours}:${minutes}:${seconds}` };
  }, at.getTime());
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the page's copy buttons put on the clipboard (the context has the clipboard permissions). */
export const readClipboard = (p: Page) => p.evaluate('navigator.clipboard.readText()') as Promise<string>;

/** Whether an inline element's text sits on one line: a wrapped one has a box per line. */
export const isOneLine = async (locator: Locator) => (await locator.evaluate((el) => el.getClientRects().length)) === 1;
