// Sends email over SMTP (SMTP_URL) through nodemailer's pooled transport, and tells failures that retrying cannot
// fix (the relay refused this mail or its recipient) from transient ones.
import net from 'node:net';
import type tls from 'node:tls';
import nodemailer from 'nodemailer';

export type OutgoingMail = { from: string; to: string; subject: string; text: string; html: string; messageId: string };

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A failure that retrying cannot fix, such as an SMTP 5xx for the recipient. */
export class PermanentMailError extends Error {}

/**
 * One bare address. nodemailer reads `to` as an address list and takes CR/LF, angle brackets, commas and group
 * syntax in it as list structure: it would send `r@x.example>\r\nRCPT TO:<evil@y.example` to evil@y.example alone.
 */
const SINGLE_ADDRESS = /^[^\s\x00-\x1f\x7f<>()[\]\\,;:"@]+@[^\s\x00-\x1f\x7f<>()[\]\\,;:"@]+$/;

/** `smtp://user:pass@host:587` (STARTTLS when offered; `?tls=off` never), or `smtps://...:465` (TLS from the start). */
export function createSmtpTransport(url: string, options: { tls?: tls.ConnectionOptions; connectTimeoutMs?: number; replyTimeoutMs?: number } = {}): MailTransport {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  const startTls = parsed.searchParams.get('tls') !== 'off';
  const auth = parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : secure ? 465 : 587;
  const poolOptions = {
    pool: true as const,
    host,
    port,
    secure,
    ignoreTLS: !startTls,
    // With a password, STARTTLS is insisted on: nodemailer then sends STARTTLS even when the relay does not offer
    // it (or a party in between strips the offer) and gives up unless the connection is encrypted, so the password
    // never goes out in clear. `?tls=off` is the explicit choice of a plain-text relay.
    requireTLS: startTls && !secure && auth !== undefined,
    auth,
    // Without this nodemailer skips AUTH when the relay does not offer it and sends unauthenticated, which a relay
    // refuses with a 5xx that would fail the mail for good; an AUTH failure is transient (fix SMTP_URL, mail retries).
    forceAuth: auth !== undefined,
    tls: options.tls,
    // Connecting (name lookup included) and the greeting; for smtps the TLS handshake too.
    connectionTimeout: connectTimeoutMs,
    greetingTimeout: connectTimeoutMs,
    // Bounds each reply, and closes a pooled connection left idle this long.
    socketTimeout: options.replyTimeoutMs ?? 30_000,
    maxConnections: 10,
    // nodemailer's default (100) reconnects every 100 mails per connection, each time paying TCP, TLS and AUTH
    // round trips and a pause of its pool; a connection lives until the relay or the idle timeout ends it.
    maxMessages: Infinity,
    // nodemailer requeues a mail whose connection closed before the greeting, by default without end: against a
    // relay that hangs up at once the send would never settle. Once, then it fails (transient) and the outbox retries.
    maxRequeues: 1,
    logger: false,
    // nodemailer leaves Nagle's algorithm on, so a message's last small write waits for the relay's delayed ACK
    // (40 ms on Linux): about 20 mails/s a connection. Its socket hook (documented for proxies) lets us open the
    // TCP connection with TCP_NODELAY (and keep-alive, as nodemailer's own does); nodemailer still runs TLS,
    // timeouts and error handling on that socket.
    getSocket: (_options: unknown, callback: (err: Error | null, socketOptions: { connection: net.Socket }) => void) =>
      callback(null, { connection: net.connect({ host, port, noDelay: true, keepAlive: true }) }),
  };
  const transporter = nodemailer.createTransport(poolOptions);
  let closed = false;
  return {
    async send(mail) {
      // nodemailer's pool drops mail given to it after close() without ever calling back.
      if (closed) throw new Error('SMTP transport is closed');
      if (!SINGLE_ADDRESS.test(mail.to)) throw new PermanentMailError(`not a deliverable address: ${JSON.stringify(mail.to)}`);
      try {
        await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: `<${mail.messageId}@carillon>`,
        });
      } catch (e) {
        if (isPermanent(e)) throw new PermanentMailError((e as Error).message, { cause: e });
        throw e;
      }
    },
    close() {
      closed = true;
      transporter.close();
    },
  };
}

/**
 * nodemailer marks a refusal of the mail's envelope (MAIL FROM, RCPT TO, DATA) EENVELOPE and of its content
 * EMESSAGE: permanent on a 5xx, or without a reply code when nodemailer itself refused it (no usable recipient, over
 * the relay's size limit). Everything else (connection, TLS, AUTH, protocol, timeouts) is about the relay or the
 * way to it, even with a 5xx (a STARTTLS or AUTH refusal), and worth retrying.
 */
function isPermanent(e: unknown): boolean {
  const { code, responseCode } = e as { code?: unknown; responseCode?: unknown };
  if (code !== 'EENVELOPE' && code !== 'EMESSAGE') return false;
  return typeof responseCode !== 'number' || responseCode >= 500;
}
