// The outbox's own MIME composition, read back by a real mail parser (mailparser): whatever the subject, names and
// bodies, a reader sees exactly what was written, and the structure is the one nodemailer makes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { composeMessage, formatAddress } from '../src/mail/mime.js';

const id = '0192f0a4-7b1c-7d2e-9f3a-4b5c6d7e8f90';
const date = new Date('2026-11-28T10:00:00Z');
/** What a reader should see of a body: line breaks as LF. */
const lf = (s: string) => s.replace(/\r\n|\r/g, '\n');

test('a typical invitation is 7bit where it can be, and reads back exactly', async () => {
  const text = 'Alice invited you to join Acme on Carillon.\n\nAccept: https://carillon.example.com/invitations/accept#token=abc\n';
  const composed = composeMessage({ from: 'Carillon <no-reply@carillon.example.com>', to: 'bob@example.com', subject: 'Join Acme on Carillon', text, html: '<p>Join</p>', messageId: id }, date)!;
  const raw = composed.raw;
  assert.match(raw, /^From: Carillon <no-reply@carillon\.example\.com>\r\nTo: bob@example\.com\r\nSubject: Join Acme on Carillon\r\nMessage-ID: <0192f0a4-[^>]+@carillon>\r\nDate: Sat, 28 Nov 2026 10:00:00 \+0000\r\nMIME-Version: 1\.0\r\n/);
  assert.ok(!/[^\r]\n/.test(raw), 'every line ends in CRLF');
  assert.ok(raw.split('\r\n').every((line) => line.length <= 78), 'no line is longer than 78 characters');
  assert.deepEqual(composed.envelope, { from: 'no-reply@carillon.example.com', to: 'bob@example.com' });
  const parsed = await simpleParser(composed.raw);
  assert.equal(parsed.subject, 'Join Acme on Carillon');
  assert.equal(lf(parsed.text!), text);
  assert.equal(parsed.html, '<p>Join</p>');
  assert.equal(parsed.messageId, `<${id}@carillon>`);
  assert.equal(parsed.date?.toISOString(), date.toISOString());
  assert.equal((parsed.headers.get('content-type') as { value: string } | undefined)?.value, 'multipart/alternative');
});

test('addresses: display names quoted or encoded as needed; non-ASCII addresses are left to nodemailer', () => {
  assert.deepEqual(formatAddress('no-reply@x.example'), { header: 'no-reply@x.example', address: 'no-reply@x.example' });
  assert.equal(formatAddress('"Acme, Inc." <a@x.example>')?.header, '"Acme, Inc." <a@x.example>');
  assert.equal(formatAddress('Zoë Ops <a@x.example>')?.header, '=?UTF-8?B?Wm/DqyBPcHM=?= <a@x.example>');
  assert.equal(formatAddress('"Tom =? Jerry" <a@x.example>')?.header.startsWith('=?UTF-8?'), true, 'a name that looks like an encoded word is encoded');
  assert.equal(formatAddress('josé@exämple.com'), undefined);
  assert.equal(formatAddress('a@x.example, b@x.example'), undefined);
  assert.equal(composeMessage({ from: 'a@x.example', to: 'josé@exämple.com', subject: 's', text: 't', html: 'h', messageId: id }, date), undefined);
});

test('any subject, sender name and bodies read back exactly as written', async () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => s.isWellFormed()),
    fc.array(fc.constantFrom('.', '..', '.\r\n', 'From here', '=?utf-8?q?x?=', '--_carillon-', ' ', '\t', '\n', '\r\n', 'é', '日本語', '😀', 'x'.repeat(90)), { maxLength: 30 }).map((a) => a.join('')),
  );
  // Header texts as a reader sees them: no control characters, no spaces at the ends or in runs (a reader folds them).
  const tidy = (s: string) => !/[\x00-\x1f\x7f]/.test(s) && s.trim() === s && !/\s\s/.test(s);
  const nonEmpty = anyText.filter((s) => /\S/.test(s));
  const subject = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }), fc.constantFrom('Join Acme', '=?utf-8?b?Zm9v?=', 'x'.repeat(200)));
  const name = fc.oneof(fc.constant(''), fc.constantFrom('Acme (IT)', 'O\'Brien, "Ops"', 'back\\slash'), fc.string({ unit: 'grapheme', maxLength: 40 }));
  await fc.assert(
    // Our mails always have a subject and both bodies; a reader cannot tell an empty part from a missing one.
    fc.asyncProperty(subject.filter(tidy), name.filter(tidy), nonEmpty, nonEmpty, async (subj, sender, text, html) => {
      // The configured sender as an administrator would write it, the name as a quoted string.
      const from = sender ? `"${sender.replace(/[\\"]/g, '\\$&')}" <sender@carillon.example>` : 'sender@carillon.example';
      const composed = composeMessage({ from, to: 'reader@example.com', subject: subj, text, html, messageId: id }, date)!;
      assert.ok(composed, 'ASCII addresses take this path');
      const raw = composed.raw;
      assert.ok(!/[^\r]\n|\r[^\n]/.test(raw), 'every line ends in CRLF');
      assert.ok(raw.split('\r\n').every((line) => line.length <= 998), 'no line is longer than SMTP allows');
      const parsed = await simpleParser(composed.raw);
      assert.equal(parsed.subject, subj);
      assert.equal(parsed.from?.value[0]?.address, 'sender@carillon.example');
      assert.equal(parsed.from?.value[0]?.name ?? '', sender);
      assert.equal(lf(parsed.text ?? ''), lf(text));
      assert.equal(lf(parsed.html === false ? '' : parsed.html ?? ''), lf(html));
    }),
    { numRuns: 300 },
  );
});
