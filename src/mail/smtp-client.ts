// An SMTP client for the outbox: a pool of connections that pipeline (RFC 2920) where the server offers it.
//
// With PIPELINING a mail costs one write and one read on a connection: its content and end-of-data go out together
// with the next mail's MAIL FROM, RCPT TO and DATA, and the four replies come back together. (A client that waits
// for each reply in turn makes four round trips a mail; on a busy relay, and on virtual machines where every
// socket wake-up is dear, those round trips are most of the cost.) Servers without PIPELINING get one command at a
// time. STARTTLS is used whenever offered (unless turned off), implicit TLS for smtps, AUTH PLAIN or LOGIN.
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';

export type SmtpClientOptions = {
  host: string;
  port: number;
  /** TLS from the first byte (smtps, port 465). */
  secure: boolean;
  /** Upgrade with STARTTLS when the server offers it. */
  startTls: boolean;
  auth?: { user: string; pass: string };
  /** Extra TLS settings, e.g. the CA of a private relay. */
  tls?: tls.ConnectionOptions;
  maxConnections?: number;
  /** Bound on connecting, greeting, TLS and authentication together. */
  connectTimeoutMs?: number;
  /** Bound on waiting for any one reply. */
  replyTimeoutMs?: number;
  /** An unused connection is closed (QUIT) after this long. */
  idleMs?: number;
};

export type Envelope = { from: string; to: string };

/** A failed delivery; `permanent` when the server refused the mail itself (a 5xx reply to its transaction). */
export class SmtpError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

type Reply = { code: number; text: string };
type Waiter = { resolve: (r: Reply) => void; reject: (e: Error) => void };
type Job = { envelope: Envelope; data: string; resolve: () => void; reject: (e: Error) => void; retried: boolean };
type EnvelopeReplies = { mail: Reply; rcpt?: Reply; data?: Reply };

const NON_ASCII = /[^\x00-\x7f]/;
const UNSAFE_ADDRESS = /[\r\n<>\s]/;

/** The message as the DATA phase carries it: CRLF line ends, leading dots doubled, a final CRLF. */
export function dataPhase(raw: string): string {
  let s = /\r(?!\n)|(?<!\r)\n/.test(raw) ? raw.replace(/\r\n|\r|\n/g, '\r\n') : raw;
  if (s.startsWith('.') || s.includes('\n.')) s = s.replace(/^\.|(?<=\n)\./g, '..');
  return s.endsWith('\r\n') || s === '' ? s : s + '\r\n';
}

/** One SMTP connection: writes commands in groups and hands out the replies in order. */
class Connection {
  extensions = new Set<string>();
  authMechanisms = new Set<string>();
  /** Mails this connection has finished, successfully or not. */
  transactions = 0;
  closed = false;
  private socket: net.Socket;
  private encrypted: boolean;
  private buffer = '';
  private replyLines: string[] = [];
  private readonly waiters: Waiter[] = [];
  private out: string[] = [];
  private failure: Error | undefined;

  constructor(private readonly options: SmtpClientOptions) {
    this.socket = options.secure
      ? tls.connect({ host: options.host, port: options.port, servername: net.isIP(options.host) ? undefined : options.host, ...options.tls })
      : net.connect(options.port, options.host);
    this.encrypted = options.secure;
    this.attach(this.socket);
  }

  private attach(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.setTimeout(this.options.replyTimeoutMs ?? 30_000);
    socket.on('data', (chunk: string) => this.read(chunk));
    socket.on('timeout', () => {
      if (this.waiters.length > 0) this.fail(new SmtpError(`SMTP server ${this.where()} did not reply in time`, false));
    });
    socket.on('error', (e) => this.fail(new SmtpError(`SMTP connection to ${this.where()} failed: ${e.message}`, false)));
    socket.on('close', () => this.fail(new SmtpError(`SMTP server ${this.where()} closed the connection`, false)));
  }

  private where(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Greets, says EHLO, upgrades with STARTTLS and authenticates; fails after `connectTimeoutMs`. */
  async open(): Promise<void> {
    const timer = setTimeout(
      () => this.fail(new SmtpError(`SMTP connection to ${this.where()} was not ready within ${this.options.connectTimeoutMs ?? 10_000} ms`, false)),
      this.options.connectTimeoutMs ?? 10_000,
    );
    try {
      const greeting = await this.reply();
      if (greeting.code !== 220) throw this.refusal('greeting', greeting, false);
      await this.hello();
      if (!this.options.secure && this.options.startTls && this.extensions.has('STARTTLS')) {
        const r = await this.command('STARTTLS');
        if (r.code !== 220) throw this.refusal('STARTTLS', r, false);
        await this.upgrade();
        await this.hello();
      }
      if (this.options.auth) {
        // A relay that stops offering STARTTLS (or a party in between that strips the offer) must not get the
        // password in clear; `?tls=off` is the explicit choice of a plain-text relay.
        if (!this.encrypted && this.options.startTls) {
          throw new SmtpError(`SMTP server ${this.where()} did not offer STARTTLS; the password is not sent over an unencrypted connection`, false);
        }
        await this.authenticate(this.options.auth);
      }
    } catch (e) {
      this.fail(e as Error);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private async hello(): Promise<void> {
    const name = clientName();
    let r = await this.command(`EHLO ${name}`);
    this.extensions.clear();
    this.authMechanisms.clear();
    if (r.code !== 250) {
      r = await this.command(`HELO ${name}`);
      if (r.code !== 250) throw this.refusal('HELO', r, false);
      return;
    }
    for (const line of r.text.split('\n').slice(1)) {
      const [keyword, ...params] = line.trim().toUpperCase().split(/\s+/);
      if (!keyword) continue;
      this.extensions.add(keyword);
      if (keyword === 'AUTH') for (const p of params) this.authMechanisms.add(p);
    }
  }

  private async upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.on('error', () => undefined); // reported through the TLS socket that wraps it
    const secured = tls.connect({ socket: plain, servername: net.isIP(this.options.host) ? undefined : this.options.host, ...this.options.tls });
    this.socket = secured;
    this.buffer = '';
    this.attach(secured);
    await new Promise<void>((resolve, reject) => {
      secured.once('secureConnect', () => {
        this.encrypted = true;
        resolve();
      });
      secured.once('error', reject);
      secured.once('close', () => reject(this.failure ?? new SmtpError(`SMTP server ${this.where()} closed the connection during TLS`, false)));
    });
  }

  private async authenticate(auth: { user: string; pass: string }): Promise<void> {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    let r: Reply;
    if (this.authMechanisms.has('PLAIN')) {
      r = await this.command(`AUTH PLAIN ${b64(`\0${auth.user}\0${auth.pass}`)}`);
    } else if (this.authMechanisms.has('LOGIN')) {
      r = await this.command('AUTH LOGIN');
      if (r.code === 334) r = await this.command(b64(auth.user));
      if (r.code === 334) r = await this.command(b64(auth.pass));
    } else {
      throw new SmtpError(`SMTP server ${this.where()} offers neither AUTH PLAIN nor AUTH LOGIN`, false);
    }
    if (r.code !== 235) throw this.refusal('AUTH', r, false);
  }

  /** Writes MAIL FROM, RCPT TO and DATA: in one group with PIPELINING, otherwise each after the last reply. */
  envelope(envelope: Envelope, data: string): Promise<EnvelopeReplies> {
    const international = NON_ASCII.test(envelope.from) || NON_ASCII.test(envelope.to);
    if (international && !this.extensions.has('SMTPUTF8')) {
      return Promise.reject(new SmtpError(`SMTP server ${this.where()} does not accept internationalized addresses (no SMTPUTF8)`, true));
    }
    const params = (international ? ' SMTPUTF8' : '') + (this.extensions.has('8BITMIME') && NON_ASCII.test(data) ? ' BODY=8BITMIME' : '');
    const mailCommand = `MAIL FROM:<${envelope.from}>${params}`;
    const rcptCommand = `RCPT TO:<${envelope.to}>`;
    if (this.extensions.has('PIPELINING')) {
      const replies = [this.queue(mailCommand), this.queue(rcptCommand), this.queue('DATA')];
      this.flush();
      return Promise.all(replies).then(([mail, rcpt, data]) => ({ mail: mail!, rcpt, data }));
    }
    return (async () => {
      const mail = await this.command(mailCommand);
      if (mail.code !== 250) return { mail };
      const rcpt = await this.command(rcptCommand);
      if (rcpt.code !== 250 && rcpt.code !== 251) return { mail, rcpt };
      return { mail, rcpt, data: await this.command('DATA') };
    })();
  }

  /** Queues the content and its end-of-data; resolves with the server's verdict on the mail. */
  content(data: string): Promise<Reply> {
    return this.queue(`${data}.`);
  }

  /** Queues a line and the wait for its reply; `flush` writes the group. */
  queue(line: string): Promise<Reply> {
    if (this.closed) return Promise.reject(this.failure!);
    this.out.push(line, '\r\n');
    return this.reply();
  }

  flush(): void {
    if (this.out.length === 0 || this.closed) return;
    this.socket.write(this.out.join(''));
    this.out = [];
  }

  command(line: string): Promise<Reply> {
    const r = this.queue(line);
    this.flush();
    return r;
  }

  private reply(): Promise<Reply> {
    if (this.closed) return Promise.reject(this.failure!);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n'); end >= 0; end = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, this.buffer.charCodeAt(end - 1) === 13 ? end - 1 : end);
      this.buffer = this.buffer.slice(end + 1);
      const code = Number(line.slice(0, 3));
      const separator = line.charAt(3);
      if (!/^[2-5]\d\d$/.test(line.slice(0, 3)) || (separator !== '' && separator !== ' ' && separator !== '-')) {
        this.fail(new SmtpError(`SMTP server ${this.where()} sent a malformed reply: ${JSON.stringify(line.slice(0, 80))}`, false));
        return;
      }
      this.replyLines.push(line.slice(4));
      if (separator === '-') continue;
      const reply = { code, text: this.replyLines.join('\n') };
      this.replyLines = [];
      const waiter = this.waiters.shift();
      if (!waiter) {
        // Unasked: a server closing the connection (421) or out of step with us. Either way, this connection is done.
        this.fail(new SmtpError(`SMTP server ${this.where()} said ${code} ${reply.text}`, false, code));
        return;
      }
      waiter.resolve(reply);
    }
    if (this.buffer.length > 64 * 1024) this.fail(new SmtpError(`SMTP server ${this.where()} sent an over-long reply line`, false));
  }

  refusal(command: string, reply: Reply, permanentIf5xx: boolean): SmtpError {
    return new SmtpError(`SMTP server ${this.where()} refused ${command}: ${reply.code} ${reply.text}`, permanentIf5xx && reply.code >= 500, reply.code);
  }

  /** Ends the connection: every reply still awaited fails with `error`. */
  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    this.socket.destroy();
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  /** Says QUIT and lets the server close. */
  quit(): void {
    if (this.closed) return;
    const done = this.command('QUIT');
    done.then(
      () => this.fail(new SmtpError('SMTP connection closed', false)),
      () => undefined,
    );
  }
}

/** The EHLO name: this host's name when it is fully qualified, else the address literal RFC 5321 allows. */
function clientName(): string {
  const host = os.hostname();
  return host.includes('.') ? host : '[127.0.0.1]';
}

/** Connections opened on demand up to a bound, each sending one queued mail after another. */
export class SmtpPool {
  private readonly queue: Job[] = [];
  private readonly idle = new Map<Connection, NodeJS.Timeout>();
  private connections = 0;
  private opening = 0;
  private closed = false;

  constructor(private readonly options: SmtpClientOptions) {}

  /** Sends one mail; resolves when the server has taken it. `raw` is the whole message (headers and body). */
  send(envelope: Envelope, raw: string): Promise<void> {
    if (this.closed) return Promise.reject(new SmtpError('SMTP transport is closed', false));
    if (UNSAFE_ADDRESS.test(envelope.from) || UNSAFE_ADDRESS.test(envelope.to)) {
      return Promise.reject(new SmtpError(`not a deliverable address: ${JSON.stringify(UNSAFE_ADDRESS.test(envelope.from) ? envelope.from : envelope.to)}`, true));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ envelope, data: dataPhase(raw), resolve, reject, retried: false });
      this.dispatch();
    });
  }

  /** Says QUIT on idle connections; busy ones finish their mail and then close. Queued mail fails. */
  close(): void {
    this.closed = true;
    for (const [connection, timer] of this.idle) {
      clearTimeout(timer);
      connection.quit();
    }
    this.idle.clear();
    for (const job of this.queue.splice(0)) job.reject(new SmtpError('SMTP transport is closed', false));
  }

  private dispatch(): void {
    for (const [connection, timer] of this.idle) {
      if (this.queue.length === 0) return;
      clearTimeout(timer);
      this.idle.delete(connection);
      if (connection.closed) this.connections--; // the server closed it while idle
      else void this.work(connection);
    }
    const max = this.options.maxConnections ?? 10;
    while (this.queue.length > this.opening && this.connections + this.opening < max) void this.openConnection();
  }

  private async openConnection(): Promise<void> {
    this.opening++;
    const connection = new Connection(this.options);
    try {
      await connection.open();
    } catch (e) {
      this.opening--;
      // With no other connection to take the queue, the queued mail fails now (to be retried later by the outbox)
      // rather than waiting on a server that cannot be reached.
      if (this.connections === 0 && this.opening === 0) for (const job of this.queue.splice(0)) job.reject(e as Error);
      return;
    }
    this.opening--;
    this.connections++;
    void this.work(connection);
  }

  /** Sends queued mail on `connection` until the queue is empty, then parks it as idle. */
  private async work(connection: Connection): Promise<void> {
    let job = this.queue.shift();
    let sent: Promise<EnvelopeReplies> | undefined;
    while (job && !connection.closed) {
      const current = job;
      const envelope = sent ?? connection.envelope(current.envelope, current.data);
      sent = undefined;
      job = undefined;
      let contentWritten = false;
      try {
        const replies = await envelope;
        const refused = refusal(replies);
        if (refused && replies.data?.code === 354) {
          // The server took DATA although it refused the transaction: out of step with us, so start afresh.
          connection.fail(new SmtpError(`SMTP server ${this.options.host}:${this.options.port} accepted DATA for a refused transaction`, false));
          current.reject(connection.refusal(refused[0], refused[1], false));
        } else if (refused) {
          // Back to a clean state for the next mail.
          connection.command('RSET').catch(() => undefined);
          current.reject(connection.refusal(refused[0], refused[1], true));
        } else {
          const verdict = connection.content(current.data);
          contentWritten = true;
          // The next mail's envelope goes out in the same write as this one's content.
          job = this.queue.shift();
          if (job && connection.extensions.has('PIPELINING')) {
            sent = connection.envelope(job.envelope, job.data);
            sent.catch(() => undefined); // awaited on the next turn of the loop, if the connection lives
          }
          connection.flush();
          const end = await verdict;
          if (end.code === 250) current.resolve();
          else current.reject(connection.refusal('the message', end, true));
        }
      } catch (e) {
        // A mail whose end-of-data never went out was not delivered. When the connection failed under it after
        // having worked before (a server closing an idle connection as we wrote), it gets one more try on another.
        const failedConnection = connection.closed && !(e instanceof SmtpError && e.permanent);
        if (failedConnection && !contentWritten && !current.retried && connection.transactions > 0) {
          current.retried = true;
          this.queue.unshift(current);
        } else {
          current.reject(e as Error);
        }
      }
      connection.transactions++;
      if (connection.closed) break;
      job ??= this.queue.shift();
    }
    if (job) this.queue.unshift(job);
    if (connection.closed) {
      this.connections--;
      if (this.queue.length > 0) this.dispatch();
    } else if (this.closed) {
      this.connections--;
      connection.quit();
    } else {
      const timer = setTimeout(() => {
        this.idle.delete(connection);
        this.connections--;
        connection.quit();
      }, this.options.idleMs ?? 30_000);
      this.idle.set(connection, timer.unref());
    }
  }
}

/** The first refused step of a transaction's envelope, if any. */
function refusal({ mail, rcpt, data }: EnvelopeReplies): [string, Reply] | undefined {
  if (mail.code !== 250) return ['MAIL FROM', mail];
  if (!rcpt) return undefined;
  if (rcpt.code !== 250 && rcpt.code !== 251) return ['RCPT TO', rcpt];
  if (data && data.code !== 354) return ['DATA', data];
  return undefined;
}
