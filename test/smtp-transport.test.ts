// The SMTP transport against a real SMTP server: the raw messages Carillon composes, and nodemailer's composer for
// the addresses Carillon leaves to it, both arrive and read back exactly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSmtpTransport, type MailTransport } from '../src/mail/smtp-transport.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

let sink: SmtpSink;
let transport: MailTransport;

before(async () => {
  sink = await startSmtpSink();
  transport = createSmtpTransport(sink.url);
});

after(async () => {
  transport.close();
  await sink.stop();
});

const lf = (s: string | undefined) => (s ?? '').replace(/\r\n/g, '\n');

test('a composed mail survives the SMTP path: dots at line starts, long lines, characters beyond the BMP', async () => {
  const subject = `Join 𝔄𝔠𝔪𝔢 — ${'𠀀'.repeat(20)} on Carillon`;
  const text = `.starts with a dot\n..two dots\n.\n${'x'.repeat(300)}\nend 😀`;
  await transport.send({
    from: 'Zoë at Carillon <no-reply@carillon.example>',
    to: 'reader@example.com',
    subject,
    text,
    html: `<p>${text}</p>`,
    messageId: '0192f0a4-7b1c-7d2e-9f3a-4b5c6d7e8f91',
  });
  const mail = await sink.waitFor((m) => m.messageId === '<0192f0a4-7b1c-7d2e-9f3a-4b5c6d7e8f91@carillon>');
  assert.equal(mail.subject, subject);
  assert.equal(lf(mail.text), text);
  assert.equal(lf(mail.html || ''), `<p>${text}</p>`);
  assert.deepEqual(mail.from?.value, [{ address: 'no-reply@carillon.example', name: 'Zoë at Carillon' }]);
});

test('an address with non-ASCII characters is composed by nodemailer, sent with SMTPUTF8, and arrives', async () => {
  await transport.send({
    from: 'no-reply@carillon.example',
    to: 'josé@exämple.com',
    subject: 'Bienvenue',
    text: 'Bonjour José',
    html: '<p>Bonjour José</p>',
    messageId: '0192f0a4-7b1c-7d2e-9f3a-4b5c6d7e8f92',
  });
  const mail = await sink.waitFor((m) => m.messageId === '<0192f0a4-7b1c-7d2e-9f3a-4b5c6d7e8f92@carillon>');
  assert.equal(mail.subject, 'Bienvenue');
  assert.equal(lf(mail.text).trim(), 'Bonjour José');
  assert.deepEqual((mail.to as { value: unknown }).value, [{ address: 'josé@exämple.com', name: '' }]);
});
