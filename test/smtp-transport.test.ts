// The SMTP transport (nodemailer's pool) against real SMTP servers (npm smtp-server): STARTTLS, implicit TLS, AUTH,
// what counts as a permanent refusal, servers that are down or hang up, what survives the trip, and the pool itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createSmtpTransport, PermanentMailError, type MailTransport, type OutgoingMail } from '../src/mail/smtp-transport.js';

type Received = { from: string; to: string[]; data: string; secure: boolean; user: unknown; smtpUtf8: boolean };
type Server = {
  port: number;
  received: Received[];
  /** Every RCPT TO address the server was given, accepted or not. */
  rcptTo: string[];
  authAttempts: () => number;
  connections: () => number;
  openSessions: () => number;
  stop: () => Promise<void>;
};

const transports: MailTransport[] = [];
/** A transport that is closed when a server stops, or at the end of the file, whatever the test did. */
function transport(url: string, options: Parameters<typeof createSmtpTransport>[1] = {}): MailTransport {
  const t = createSmtpTransport(url, { connectTimeoutMs: 2_000, replyTimeoutMs: 5_000, ...options });
  transports.push(t);
  return t;
}
after(() => {
  for (const t of transports.splice(0)) t.close();
});

/**
 * Starts a real SMTP server that records the mail it accepts; STARTTLS only when given a key and certificate.
 * `refuseContent` answers the end of a message with that reply code instead of accepting it.
 */
async function startServer(options: Partial<SMTPServerOptions> & { refuseContent?: (to: string) => number | undefined } = {}): Promise<Server> {
  const received: Received[] = [];
  const rcptTo: string[] = [];
  let authAttempts = 0;
  let connections = 0;
  let open = 0;
  const { onRcptTo, onAuth, refuseContent, ...rest } = options;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.key ? [] : ['STARTTLS'],
    logger: false,
    onConnect(_session, cb) {
      connections++;
      open++;
      cb();
    },
    onClose() {
      open--;
    },
    onAuth(auth, session, cb) {
      authAttempts++;
      if (onAuth) onAuth(auth, session, cb);
      else cb(null, { user: auth.username });
    },
    onRcptTo(address, session, cb) {
      rcptTo.push(address.address);
      if (onRcptTo) onRcptTo(address, session, cb);
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const refusal = refuseContent?.(session.envelope.rcptTo[0]?.address ?? '');
        if (refusal) return cb(Object.assign(new Error(`refused with ${refusal}`), { responseCode: refusal }));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user,
          smtpUtf8: Boolean((session.envelope as { smtpUtf8?: boolean }).smtpUtf8),
        });
        cb();
      });
    },
    ...rest,
  });
  // smtp-server reports a client's failed TLS handshake (an untrusting client hanging up) as a server error.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as net.AddressInfo).port,
    received,
    rcptTo,
    authAttempts: () => authAttempts,
    connections: () => connections,
    openSessions: () => open,
    stop: () => {
      // Pooled connections left open would hold the server's close up.
      for (const t of transports.splice(0)) t.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on which nothing listens. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const mail = (to: string, messageId: string, more: Partial<OutgoingMail> = {}): OutgoingMail => ({
  from: 'Carillon <no-reply@carillon.example>',
  to,
  subject: 'Join Acme on Carillon',
  text: 'You are invited.',
  html: '<p>You are invited.</p>',
  messageId,
  ...more,
});
/** How a send ended: 'sent', 'permanent …' or 'transient …' with the error's message. */
const outcome = (p: Promise<void>) =>
  p.then(
    () => 'sent',
    (e: Error) => `${e instanceof PermanentMailError ? 'permanent' : 'transient'} ${e.message}`,
  );
const failure = (p: Promise<void>) => p.then(() => undefined, (e: Error) => e);
/** `p`'s value, or 'still pending' after `ms`: a send that never settles fails the test instead of hanging it. */
const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p, new Promise<'still pending'>((resolve) => setTimeout(() => resolve('still pending'), ms).unref())]);
const lf = (s: string | false | undefined) => (s || '').replace(/\r\n/g, '\n');
const plainUrl = (port: number) => `smtp://127.0.0.1:${port}?tls=off`;

let certDir: string;
let key: Buffer;
let cert: Buffer;
before(() => {
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-smtp-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem'),
  ], { stdio: 'ignore' });
  key = fs.readFileSync(path.join(certDir, 'key.pem'));
  cert = fs.readFileSync(path.join(certDir, 'cert.pem'));
});
after(() => fs.rmSync(certDir, { recursive: true, force: true }));

test('STARTTLS is used when offered and the certificate is checked (untrusted: transient, not sent); tls=off stays in plain text', async () => {
  const server = await startServer({ key, cert });
  try {
    await transport(`smtp://127.0.0.1:${server.port}`, { tls: { ca: cert } }).send(mail('tls@example.com', 'tls-1'));
    const error = await failure(transport(`smtp://127.0.0.1:${server.port}`).send(mail('untrusted@example.com', 'tls-2')));
    assert.ok(error && !(error instanceof PermanentMailError), `expected a transient failure, got ${error}`);
    assert.match(error.message, /certificate/i);
    await transport(plainUrl(server.port)).send(mail('plain@example.com', 'tls-3'));
    assert.deepEqual(server.received.map((m) => [m.to[0], m.secure]), [['tls@example.com', true], ['plain@example.com', false]]);
  } finally {
    await server.stop();
  }
});

test('smtps: TLS from the first byte, with the certificate checked', async () => {
  const server = await startServer({ secure: true, key, cert });
  try {
    await transport(`smtps://127.0.0.1:${server.port}`, { tls: { ca: cert } }).send(mail('tls@example.com', 'smtps-1'));
    const error = await failure(transport(`smtps://127.0.0.1:${server.port}`).send(mail('untrusted@example.com', 'smtps-2')));
    assert.ok(error && !(error instanceof PermanentMailError), `expected a transient failure, got ${error}`);
    assert.deepEqual(server.received.map((m) => [m.to[0], m.secure]), [['tls@example.com', true]]);
  } finally {
    await server.stop();
  }
});

for (const method of ['PLAIN', 'LOGIN']) {
  test(`AUTH ${method}: percent-decoded user and password send; a wrong password (535) is transient, sends nothing, and is not in the error`, async () => {
    const server = await startServer({
      key,
      cert,
      authOptional: false,
      authMethods: [method],
      onAuth(auth, _s, cb) {
        if (auth.username === 'relay user' && auth.password === 'p@ss:wörd') cb(null, { user: auth.username });
        else cb(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
      },
    });
    try {
      const url = (pass: string) => `smtp://relay%20user:${encodeURIComponent(pass)}@127.0.0.1:${server.port}`;
      await transport(url('p@ss:wörd'), { tls: { ca: cert } }).send(mail('r@example.com', 'auth-1'));
      // 535 refuses the credentials, not the mail: once the operator fixes SMTP_URL, the outbox's retry sends it.
      const error = await failure(transport(url('wrong-secret'), { tls: { ca: cert } }).send(mail('r@example.com', 'auth-2')));
      assert.ok(error && !(error instanceof PermanentMailError), `expected a transient failure, got ${error}`);
      assert.equal((error as Error & { responseCode?: number }).responseCode, 535);
      const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
      for (const secret of ['wrong-secret', b64('wrong-secret'), b64('\0relay user\0wrong-secret')]) assert.ok(!error.message.includes(secret), error.message);
      assert.equal(server.authAttempts(), 2);
      assert.deepEqual(server.received.map((m) => [m.to[0], m.user, m.secure]), [['r@example.com', 'relay user', true]]);
    } finally {
      await server.stop();
    }
  });
}

test('the password is never sent in clear unless the URL says tls=off: a relay without STARTTLS gets no AUTH and no mail (transient)', async () => {
  const server = await startServer({ authOptional: false, allowInsecureAuth: true });
  try {
    const error = await failure(transport(`smtp://user:secret@127.0.0.1:${server.port}`).send(mail('r@example.com', 'clear-1')));
    assert.ok(error && !(error instanceof PermanentMailError), `expected a transient failure, got ${error}`);
    assert.match(error.message, /STARTTLS/);
    assert.equal(server.authAttempts(), 0);
    assert.equal(server.received.length, 0);
    await transport(`smtp://user:secret@127.0.0.1:${server.port}?tls=off`).send(mail('r@example.com', 'clear-2'));
    assert.equal(server.authAttempts(), 1);
    assert.deepEqual(server.received.map((m) => [m.to[0], m.user, m.secure]), [['r@example.com', 'user', false]]);
  } finally {
    await server.stop();
  }
});

test('with a password configured, a relay that offers no AUTH fails the mail as transient instead of taking it unauthenticated', async () => {
  const server = await startServer({ key, cert, disabledCommands: ['AUTH'] });
  try {
    const error = await failure(transport(`smtp://user:secret@127.0.0.1:${server.port}`, { tls: { ca: cert } }).send(mail('r@example.com', 'noauth-1')));
    assert.ok(error && !(error instanceof PermanentMailError), `expected a transient failure, got ${error}`);
    assert.equal(server.received.length, 0);
  } finally {
    await server.stop();
  }
});

test('refusals: a 5xx for the sender, the recipient or the content is PermanentMailError, a 4xx is not, and later mail still goes out', async () => {
  const refuse = (code: number) => Object.assign(new Error(`refused with ${code}`), { responseCode: code });
  const server = await startServer({
    onMailFrom(address, _s, cb) {
      cb(address.address.startsWith('blocked') ? refuse(553) : undefined);
    },
    onRcptTo(address, _s, cb) {
      const m = /^(\d{3})@/.exec(address.address);
      cb(m ? refuse(Number(m[1])) : undefined);
    },
    refuseContent: (to) => Number(/^data(\d{3})@/.exec(to)?.[1]) || undefined,
  });
  try {
    // One after another, so each mail follows a refused one (after which nodemailer drops the connection).
    const t = transport(plainUrl(server.port));
    const results = [];
    for (const [to, from] of [
      ['550@example.com'],
      ['ok1@example.com'],
      ['451@example.com'],
      ['ok2@example.com', 'blocked@carillon.example'],
      ['data554@example.com'],
      ['data452@example.com'],
      ['ok3@example.com'],
    ] as const) {
      const result = await outcome(t.send(mail(to, `refuse-${to}`, from ? { from } : {})));
      results.push(result.replace(/^(\w+) .*?\b([45]\d\d)\b.*$/s, '$1 $2'));
    }
    assert.deepEqual(results, ['permanent 550', 'sent', 'transient 451', 'permanent 553', 'permanent 554', 'transient 452', 'sent']);
    assert.deepEqual(server.received.map((m) => m.to[0]), ['ok1@example.com', 'ok3@example.com']);
  } finally {
    await server.stop();
  }
});

test('a server that is down fails every queued mail as transient within the connect timeout; one that never greets, within it too', async () => {
  const down = transport(plainUrl(await freePort()), { connectTimeoutMs: 1_000 });
  let started = performance.now();
  const errors = await Promise.all(Array.from({ length: 20 }, (_, i) => failure(down.send(mail(`r${i}@example.com`, `down-${i}`)))));
  for (const e of errors) assert.ok(e && !(e instanceof PermanentMailError), String(e));
  assert.ok(performance.now() - started < 2_000, `${Math.round(performance.now() - started)} ms`);

  const sockets: net.Socket[] = [];
  const mute = net.createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', () => resolve()));
  try {
    started = performance.now();
    const error = await failure(transport(plainUrl((mute.address() as net.AddressInfo).port), { connectTimeoutMs: 300 }).send(mail('r@example.com', 'mute-1')));
    const elapsed = performance.now() - started;
    assert.ok(error && !(error instanceof PermanentMailError), String(error));
    assert.ok(elapsed >= 250 && elapsed < 2_000, `${Math.round(elapsed)} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    mute.close();
  }
});

test('a server that hangs up before greeting fails the mail as transient instead of being redialled without end', async () => {
  let connections = 0;
  const rude = net.createServer((s) => {
    connections++;
    s.end();
  });
  await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', () => resolve()));
  try {
    const settled = await within(5_000, outcome(transport(plainUrl((rude.address() as net.AddressInfo).port)).send(mail('r@example.com', 'rude-1'))));
    assert.match(settled, /^transient /);
    assert.ok(connections <= 3, `${connections} connections`);
  } finally {
    rude.close();
  }
});

test('dots at line starts, long lines, characters beyond the BMP, a non-ASCII subject and display names survive the trip', async () => {
  const server = await startServer();
  try {
    const subject = `Join 𝔄𝔠𝔪𝔢 — ${'𠀀'.repeat(20)} on Carillon, Zoë 😀`;
    const text = `.starts with a dot\n..two dots\n.\n${'x'.repeat(300)}\n${'é'.repeat(200)}\nend 😀 𠀀`;
    const html = `<p>${text.replace(/\n/g, '<br>\n')}</p>`;
    await transport(plainUrl(server.port)).send({
      from: '"Zoë \\"Ops\\", Carillon" <no-reply@carillon.example>',
      to: 'reader@example.com',
      subject,
      text,
      html,
      messageId: '0192f0a4-7b1c-7d2e-9f3a-4b5c6d7e8f91',
    });
    const [received] = server.received;
    assert.ok(received);
    assert.ok(received.data.split('\r\n').every((line) => line.length <= 998), 'no line is longer than SMTP allows');
    const parsed = await simpleParser(received.data);
    assert.equal(parsed.subject, subject);
    assert.equal(lf(parsed.text), text);
    assert.equal(lf(parsed.html), html);
    assert.equal(parsed.messageId, '<0192f0a4-7b1c-7d2e-9f3a-4b5c6d7e8f91@carillon>');
    assert.deepEqual(parsed.from?.value, [{ address: 'no-reply@carillon.example', name: 'Zoë "Ops", Carillon' }]);
    assert.deepEqual([received.from, received.to], ['no-reply@carillon.example', ['reader@example.com']]);
  } finally {
    await server.stop();
  }
});

test('an internationalized address goes out with SMTPUTF8 where the server offers it, and ASCII mail without', async () => {
  const server = await startServer();
  try {
    const t = transport(plainUrl(server.port));
    await t.send(mail('josé@exämple.com', 'intl-1', { subject: 'Bienvenue', text: 'Bonjour José' }));
    await t.send(mail('ascii@example.com', 'intl-2'));
    assert.deepEqual(server.received.map((m) => [m.to[0], m.smtpUtf8]), [['josé@exämple.com', true], ['ascii@example.com', false]]);
    const parsed = await simpleParser(server.received[0]!.data);
    assert.equal(parsed.subject, 'Bienvenue');
    assert.equal(lf(parsed.text).trim(), 'Bonjour José');
  } finally {
    await server.stop();
  }
});

test('an address with CR/LF, angle brackets or a second address cannot smuggle a command or recipient: PermanentMailError, nothing sent', async () => {
  const server = await startServer();
  try {
    const t = transport(plainUrl(server.port));
    for (const to of [
      'r@example.com>\r\nRCPT TO:<evil@example.com',
      'r@example.com\r\n.\r\nMAIL FROM:<evil@example.com>',
      'r@exa\nmple.com',
      'r@example.com> NOTIFY=NEVER',
      'r@example.com, evil@example.com',
      'Evil <evil@example.com>',
      '',
    ]) {
      const e = await failure(t.send(mail(to, 'smuggle-1')));
      assert.ok(e instanceof PermanentMailError, `${JSON.stringify(to)}: ${e}`);
    }
    assert.deepEqual(server.rcptTo, []);
    await t.send(mail('r@example.com', 'smuggle-2'));
    assert.deepEqual(server.rcptTo, ['r@example.com']);
    assert.deepEqual(server.received.map((m) => m.to), [['r@example.com']]);
  } finally {
    await server.stop();
  }
});

test('300 mails through the pool each arrive exactly once, over at most 10 connections', async () => {
  const server = await startServer();
  try {
    const t = transport(plainUrl(server.port));
    await Promise.all(Array.from({ length: 300 }, (_, i) => t.send(mail(`r${i}@example.com`, `pool-${i}`, { subject: `mail ${i}` }))));
    assert.equal(server.received.length, 300);
    const byRecipient = new Map<string, Received[]>();
    for (const m of server.received) byRecipient.set(m.to.join(), [...(byRecipient.get(m.to.join()) ?? []), m]);
    for (let i = 0; i < 300; i++) {
      const got = byRecipient.get(`r${i}@example.com`) ?? [];
      assert.equal(got.length, 1, `mail ${i} arrived ${got.length} times`);
      assert.match(got[0]!.data, new RegExp(`^Message-ID: <pool-${i}@carillon>\\r$`, 'm'));
      assert.match(got[0]!.data, new RegExp(`^Subject: mail ${i}\\r$`, 'm'));
    }
    assert.ok(server.connections() > 1 && server.connections() <= 10, `${server.connections()} connections`);
  } finally {
    await server.stop();
  }
});

test('mail after mail on one connection does not wait on the server\'s delayed ACK (TCP_NODELAY): 50 in a row take well under 40 ms each', async () => {
  const server = await startServer();
  try {
    const t = transport(plainUrl(server.port));
    await t.send(mail('first@example.com', 'nodelay-first'));
    const started = performance.now();
    for (let i = 0; i < 50; i++) await t.send(mail(`r${i}@example.com`, `nodelay-${i}`));
    const elapsed = performance.now() - started;
    // With Nagle's algorithm on, each message's last write waits for the delayed ACK (40 ms on Linux): over 2 s.
    assert.ok(elapsed < 1_500, `${Math.round(elapsed)} ms for 50 mails`);
    assert.equal(server.received.length, 51);
  } finally {
    await server.stop();
  }
});

test('close() ends the pool: its connections close, mail still queued settles (transient), later sends fail at once', async () => {
  const server = await startServer();
  try {
    const t = transport(plainUrl(server.port));
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.send(mail(`warm${i}@example.com`, `warm-${i}`))));
    assert.ok(server.openSessions() > 0);
    // Queued and closed in the same turn: nothing may be left waiting forever.
    const sends = Array.from({ length: 50 }, (_, i) => outcome(t.send(mail(`r${i}@example.com`, `close-${i}`))));
    t.close();
    const results = await within(5_000, Promise.all(sends));
    assert.ok(Array.isArray(results), 'every queued send settles');
    assert.ok(results.every((r) => r === 'sent' || r.startsWith('transient ')), results.join('\n'));
    assert.ok(results.some((r) => r.startsWith('transient ')), 'queued mail fails once the pool is closed');
    assert.equal(server.received.length, 20 + results.filter((r) => r === 'sent').length);
    const connections = server.connections();
    const started = performance.now();
    assert.match(await within(1_000, outcome(t.send(mail('late@example.com', 'close-late')))), /^transient .*closed/);
    assert.ok(performance.now() - started < 100);
    for (let i = 0; i < 100 && server.openSessions() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.openSessions(), 0);
    assert.equal(server.connections(), connections);
  } finally {
    await server.stop();
  }
});
