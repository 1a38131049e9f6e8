// The SMTP client against real SMTP servers (npm smtp-server): pipelining and not, rejections at each step,
// STARTTLS, implicit TLS, AUTH, and servers that are down, mute, or drop a connection.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { dataPhase, SmtpError, SmtpPool } from '../src/mail/smtp-client.js';
import { createSmtpTransport, PermanentMailError } from '../src/mail/smtp-transport.js';

const pools: SmtpPool[] = [];

type Received = { from: string; to: string[]; data: string; secure: boolean; user: unknown };

/** Starts a real SMTP server that records what it receives. */
async function startServer(options: Partial<SMTPServerOptions> = {}): Promise<{ port: number; received: Received[]; stop: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.key ? [] : ['STARTTLS'],
    logger: false,
    onData(stream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user,
        });
        cb();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as net.AddressInfo).port,
    received,
    stop: () => {
      // The pools' idle connections would hold the server open.
      for (const p of pools.splice(0)) p.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP relay in front of a server that counts the client's writes as the server reads them. */
async function countingRelay(target: number): Promise<{ port: number; chunks: () => number; stop: () => void }> {
  let chunks = 0;
  const relay = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    client.on('data', () => chunks++);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
  return { port: (relay.address() as net.AddressInfo).port, chunks: () => chunks, stop: () => relay.close() };
}

const message = (id: number, extra = '') => `From: a@carillon.example\r\nTo: r${id}@example.com\r\nSubject: ${id}\r\n\r\nmail ${id}\r\n${extra}`;
const pool = (port: number, more: Partial<ConstructorParameters<typeof SmtpPool>[0]> = {}) => {
  const p = new SmtpPool({ host: '127.0.0.1', port, secure: false, startTls: true, connectTimeoutMs: 2_000, replyTimeoutMs: 5_000, ...more });
  pools.push(p);
  return p;
};
after(() => {
  for (const p of pools.splice(0)) p.close();
});

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

test('with PIPELINING, 300 mails over 10 connections each arrive once, intact, at about one client write a mail', async () => {
  const server = await startServer();
  const relay = await countingRelay(server.port);
  try {
    const p = pool(relay.port, { maxConnections: 10 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => p.send({ from: 'a@carillon.example', to: `r${i}@example.com` }, message(i, '.dot line\r\n'))));
    assert.equal(server.received.length, 300);
    for (let i = 0; i < 300; i++) {
      const got = server.received.filter((m) => m.to[0] === `r${i}@example.com`);
      assert.equal(got.length, 1, `mail ${i} arrived ${got.length} times`);
      assert.equal(got[0]!.data, message(i, '.dot line\r\n'));
      assert.equal(got[0]!.from, 'a@carillon.example');
    }
    // Each connection: greeting-time EHLO, then one write per mail (its content with the next mail's envelope).
    assert.ok(relay.chunks() / 300 < 1.5, `${relay.chunks()} client writes for 300 mails`);
  } finally {
    relay.stop();
    await server.stop();
  }
});

test('without PIPELINING each command waits for its reply, and mail still arrives', async () => {
  const server = await startServer({ hidePIPELINING: true } as Partial<SMTPServerOptions>);
  const relay = await countingRelay(server.port);
  try {
    const p = pool(relay.port, { maxConnections: 3 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => p.send({ from: 'a@carillon.example', to: `r${i}@example.com` }, message(i))));
    assert.equal(server.received.length, 30);
    assert.deepEqual(server.received.map((m) => m.to[0]).sort(), Array.from({ length: 30 }, (_, i) => `r${i}@example.com`).sort());
    // MAIL, RCPT, DATA and the content: four writes a mail.
    assert.ok(relay.chunks() >= 4 * 30, `${relay.chunks()} client writes for 30 mails`);
  } finally {
    relay.stop();
    await server.stop();
  }
});

for (const pipelining of [true, false]) {
  test(`refusals (${pipelining ? '' : 'no '}PIPELINING): 5xx is permanent, 4xx is not, and the connection goes on to the next mail`, async () => {
    const refuse = (code: number) => Object.assign(new Error(`refused with ${code}`), { responseCode: code });
    const server = await startServer({
      hidePIPELINING: !pipelining,
      onMailFrom(address, _s, cb) {
        cb(address.address.startsWith('blocked') ? refuse(553) : undefined);
      },
      onRcptTo(address, _s, cb) {
        const m = /^(\d{3})@/.exec(address.address);
        cb(m ? refuse(Number(m[1])) : undefined);
      },
    } as Partial<SMTPServerOptions>);
    try {
      // One connection, so every mail follows the refused ones on it.
      const p = pool(server.port, { maxConnections: 1 });
      const outcome = (from: string, to: string) =>
        p.send({ from, to }, message(0)).then(
          () => 'sent',
          (e: SmtpError) => `${e.permanent ? 'permanent' : 'transient'} ${e.responseCode}`,
        );
      const results = await Promise.all([
        outcome('a@carillon.example', '550@example.com'),
        outcome('a@carillon.example', 'ok1@example.com'),
        outcome('a@carillon.example', '451@example.com'),
        outcome('blocked@carillon.example', 'ok2@example.com'),
        outcome('a@carillon.example', 'ok3@example.com'),
      ]);
      assert.deepEqual(results, ['permanent 550', 'sent', 'transient 451', 'permanent 553', 'sent']);
      assert.deepEqual(server.received.map((m) => m.to), [['ok1@example.com'], ['ok3@example.com']]);
    } finally {
      await server.stop();
    }
  });
}

test('a refusal after the content: 5xx permanent, 4xx transient', async () => {
  const server = await startServer({
    onData(stream, _s, cb) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString()));
      stream.on('end', () => {
        const m = /refuse (\d{3})/.exec(body);
        cb(m ? Object.assign(new Error('content refused'), { responseCode: Number(m[1]) }) : undefined);
      });
    },
  });
  try {
    const p = pool(server.port, { maxConnections: 1 });
    const results = await Promise.all(
      ['refuse 554', 'fine', 'refuse 452', 'fine'].map((body) =>
        p.send({ from: 'a@carillon.example', to: 'r@example.com' }, `Subject: x\r\n\r\n${body}\r\n`).then(
          () => 'sent',
          (e: SmtpError) => `${e.permanent ? 'permanent' : 'transient'} ${e.responseCode}`,
        ),
      ),
    );
    assert.deepEqual(results, ['permanent 554', 'sent', 'transient 452', 'sent']);
  } finally {
    await server.stop();
  }
});

test('STARTTLS is used when offered and the certificate is checked; tls=off stays in plain text', async () => {
  const server = await startServer({ key, cert });
  try {
    const trusted = createSmtpTransport(`smtp://127.0.0.1:${server.port}`, { tls: { ca: cert } });
    const mail = { from: 'a@carillon.example', subject: 's', text: 't', html: '<p>t</p>' };
    await trusted.send({ ...mail, to: 'tls@example.com', messageId: 'tls-1' });
    trusted.close();
    // Without the CA the server's certificate is not trusted: the mail is not sent, and not given up on either.
    const untrusting = createSmtpTransport(`smtp://127.0.0.1:${server.port}`);
    const error = await untrusting.send({ ...mail, to: 'untrusted@example.com', messageId: 'tls-2' }).then(() => undefined, (e: Error) => e);
    untrusting.close();
    assert.ok(error && !(error instanceof PermanentMailError), `expected a transient failure, got ${error}`);
    assert.match(error.message, /certificate/i);
    const plain = createSmtpTransport(`smtp://127.0.0.1:${server.port}?tls=off`);
    await plain.send({ ...mail, to: 'plain@example.com', messageId: 'tls-3' });
    plain.close();
    assert.deepEqual(server.received.map((m) => [m.to[0], m.secure]), [['tls@example.com', true], ['plain@example.com', false]]);
  } finally {
    await server.stop();
  }
});

test('smtps: TLS from the first byte', async () => {
  const server = await startServer({ secure: true, key, cert });
  try {
    const t = createSmtpTransport(`smtps://127.0.0.1:${server.port}`, { tls: { ca: cert } });
    await t.send({ from: 'a@carillon.example', to: 'tls@example.com', subject: 's', text: 't', html: 'h', messageId: 'smtps-1' });
    t.close();
    assert.deepEqual(server.received.map((m) => [m.to[0], m.secure]), [['tls@example.com', true]]);
  } finally {
    await server.stop();
  }
});

for (const method of ['PLAIN', 'LOGIN']) {
  test(`AUTH ${method}: the right password sends; a wrong one fails without being given up on, and is not in the error`, async () => {
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
      const mail = { from: 'a@carillon.example', to: 'r@example.com', subject: 's', text: 't', html: 'h' };
      const good = createSmtpTransport(`smtp://relay%20user:${encodeURIComponent('p@ss:wörd')}@127.0.0.1:${server.port}`, { tls: { ca: cert } });
      await good.send({ ...mail, messageId: 'auth-1' });
      good.close();
      const bad = createSmtpTransport(`smtp://relay%20user:${encodeURIComponent('wrong-secret')}@127.0.0.1:${server.port}`, { tls: { ca: cert } });
      const error = await bad.send({ ...mail, messageId: 'auth-2' }).then(() => undefined, (e: Error) => e);
      bad.close();
      assert.ok(error instanceof SmtpError && !error.permanent, `expected a transient failure, got ${error}`);
      assert.equal(error.responseCode, 535);
      assert.doesNotMatch(error.message, /wrong-secret|d3JvbmctcmVjcmV0/);
      assert.deepEqual(server.received.map((m) => [m.to[0], m.user, m.secure]), [['r@example.com', 'relay user', true]]);
    } finally {
      await server.stop();
    }
  });
}

test('the password is never sent in clear unless the URL says tls=off', async () => {
  let authAttempts = 0;
  const server = await startServer({
    authOptional: false,
    allowInsecureAuth: true,
    onAuth(auth, _s, cb) {
      authAttempts++;
      cb(null, { user: auth.username });
    },
  });
  try {
    const mail = { from: 'a@carillon.example', to: 'r@example.com', subject: 's', text: 't', html: 'h' };
    const guarded = createSmtpTransport(`smtp://user:secret@127.0.0.1:${server.port}`);
    const error = await guarded.send({ ...mail, messageId: 'clear-1' }).then(() => undefined, (e: Error) => e);
    guarded.close();
    assert.ok(error instanceof SmtpError && !error.permanent && /STARTTLS/.test(error.message), String(error));
    assert.equal(authAttempts, 0);
    const plain = createSmtpTransport(`smtp://user:secret@127.0.0.1:${server.port}?tls=off`);
    await plain.send({ ...mail, messageId: 'clear-2' });
    plain.close();
    assert.equal(authAttempts, 1);
    assert.deepEqual(server.received.map((m) => [m.to[0], m.user, m.secure]), [['r@example.com', 'user', false]]);
  } finally {
    await server.stop();
  }
});

test('a server that is down, or that never greets, fails the queued mail as transient within the bound', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
  const downPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const down = pool(downPort);
  const errors = await Promise.all(Array.from({ length: 20 }, (_, i) => down.send({ from: 'a@x.example', to: `r${i}@example.com` }, message(i)).then(() => undefined, (e: SmtpError) => e)));
  for (const e of errors) assert.ok(e instanceof SmtpError && !e.permanent, String(e));

  const sockets: net.Socket[] = [];
  const mute = net.createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', () => resolve()));
  try {
    const started = performance.now();
    const error = await pool((mute.address() as net.AddressInfo).port, { connectTimeoutMs: 300 })
      .send({ from: 'a@x.example', to: 'r@example.com' }, message(0))
      .then(() => undefined, (e: SmtpError) => e);
    assert.ok(error instanceof SmtpError && !error.permanent && /not ready within 300 ms/.test(error.message), String(error));
    assert.ok(performance.now() - started < 5_000);
  } finally {
    for (const s of sockets) s.destroy();
    mute.close();
  }
});

test('a connection the server dropped while idle, or drops as the next mail starts, costs no mail', async () => {
  // smtp-server closes an idle connection itself (421 after socketTimeout).
  const server = await startServer({ socketTimeout: 200 } as Partial<SMTPServerOptions>);
  try {
    const p = pool(server.port, { maxConnections: 1 });
    await p.send({ from: 'a@x.example', to: 'first@example.com' }, message(1));
    await new Promise((r) => setTimeout(r, 500));
    await p.send({ from: 'a@x.example', to: 'second@example.com' }, message(2));
    assert.deepEqual(server.received.map((m) => m.to[0]), ['first@example.com', 'second@example.com']);
  } finally {
    await server.stop();
  }

  // The race itself cannot be produced on demand with a full server, so this peer is scripted: a minimal SMTP
  // dialogue whose first connection is cut when the second mail's MAIL FROM arrives.
  const delivered: string[] = [];
  let connections = 0;
  const scripted = net.createServer((socket) => {
    const id = ++connections;
    let transactions = 0;
    let inData = false;
    let buffered = '';
    socket.write('220 scripted\r\n');
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            transactions++;
            socket.write('250 queued\r\n');
          } else if (line.startsWith('Subject: ')) delivered.push(line.slice(9));
        } else if (line.startsWith('EHLO')) socket.write('250-scripted\r\n250 PIPELINING\r\n');
        else if (line.startsWith('MAIL') && id === 1 && transactions === 1) return socket.destroy();
        else if (line === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else socket.write(line === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => scripted.listen(0, '127.0.0.1', () => resolve()));
  try {
    const p = pool((scripted.address() as net.AddressInfo).port, { maxConnections: 1 });
    await p.send({ from: 'a@x.example', to: 'r1@example.com' }, message(1));
    await p.send({ from: 'a@x.example', to: 'r2@example.com' }, message(2));
    assert.deepEqual(delivered, ['1', '2']);
    assert.equal(connections, 2);
  } finally {
    scripted.close();
  }
});

test('an address that would smuggle in an SMTP command is refused before anything is sent', async () => {
  const server = await startServer();
  try {
    const p = pool(server.port);
    for (const to of ['r@example.com>\r\nRCPT TO:<evil@example.com', 'r@example.com> NOTIFY=NEVER', 'r@exa\nmple.com']) {
      const e = await p.send({ from: 'a@x.example', to }, message(0)).then(() => undefined, (err: SmtpError) => err);
      assert.ok(e instanceof SmtpError && e.permanent, String(e));
    }
    await p.send({ from: 'a@x.example', to: 'r@example.com' }, message(0));
    assert.deepEqual(server.received.map((m) => m.to), [['r@example.com']]);
  } finally {
    await server.stop();
  }
});

test('an internationalized address is sent with SMTPUTF8, and refused as permanent by a server without it', async () => {
  const server = await startServer();
  const without = await startServer({ hideSMTPUTF8: true } as Partial<SMTPServerOptions>);
  try {
    await pool(server.port).send({ from: 'a@x.example', to: 'josé@exämple.com' }, 'Subject: é\r\n\r\nbonjour\r\n');
    assert.deepEqual(server.received.map((m) => m.to), [['josé@exämple.com']]);
    const e = await pool(without.port).send({ from: 'a@x.example', to: 'josé@exämple.com' }, 'Subject: é\r\n\r\nbonjour\r\n').then(() => undefined, (err: SmtpError) => err);
    assert.ok(e instanceof SmtpError && e.permanent && /SMTPUTF8/.test(e.message), String(e));
  } finally {
    await server.stop();
    await without.stop();
  }
});

test('closing the pool fails queued mail and later sends at once', async () => {
  const server = await startServer();
  try {
    const p = pool(server.port, { maxConnections: 1 });
    const sends = Array.from({ length: 20 }, (_, i) => p.send({ from: 'a@x.example', to: `r${i}@example.com` }, message(i)).then(() => 'sent', () => 'failed'));
    await new Promise((r) => setImmediate(r));
    p.close();
    const results = await Promise.all(sends);
    assert.ok(results.includes('failed'));
    assert.equal(server.received.length, results.filter((r) => r === 'sent').length);
    await assert.rejects(p.send({ from: 'a@x.example', to: 'late@example.com' }, message(0)), /closed/);
  } finally {
    await server.stop();
  }
});

test('the DATA phase: CRLF line ends, leading dots doubled, a final CRLF; undoing the dots gives the message back', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('.', '..', 'a', ' ', '\r', '\n', '\r\n', 'é', '.x'), { maxLength: 30 }), (parts) => {
      const raw = parts.join('');
      const data = dataPhase(raw);
      // Every line ends in CRLF, with no bare CR or LF anywhere.
      assert.equal(data.replace(/\r\n/g, ''), data.replace(/\r\n/g, '').replace(/[\r\n]/g, ''));
      if (data) assert.ok(data.endsWith('\r\n'));
      // The server's view: a line "." would end the message; none occurs.
      const lines = data.split('\r\n').slice(0, -1);
      assert.ok(!lines.includes('.'));
      const undone = lines.map((l) => (l.startsWith('.') ? l.slice(1) : l));
      const normalized = raw.replace(/\r\n|\r|\n/g, '\r\n');
      assert.equal(undone.join('\r\n') + (undone.length ? '\r\n' : ''), normalized.endsWith('\r\n') || normalized === '' ? normalized : normalized + '\r\n');
    }),
    { numRuns: 2000 },
  );
});
