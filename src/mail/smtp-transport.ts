// Sends email over SMTP (SMTP_URL) through a pool of pipelining connections; tells permanent rejections (5xx for
// the mail) from transient failures.
import type tls from 'node:tls';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { composeMessage } from './mime.js';
import { SmtpError, SmtpPool } from './smtp-client.js';

export type OutgoingMail = { from: string; to: string; subject: string; text: string; html: string; messageId: string };

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A failure that retrying cannot fix, such as an SMTP 5xx for the recipient. */
export class PermanentMailError extends Error {}

/** `smtp://user:pass@host:587` (STARTTLS when offered; `?tls=off` never), or `smtps://...:465` (TLS from the start). */
export function createSmtpTransport(url: string, options: { tls?: tls.ConnectionOptions; connectTimeoutMs?: number; replyTimeoutMs?: number } = {}): MailTransport {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  const pool = new SmtpPool({
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    startTls: parsed.searchParams.get('tls') !== 'off',
    auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
    tls: options.tls,
    maxConnections: 10,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    replyTimeoutMs: options.replyTimeoutMs ?? 30_000,
  });
  return {
    async send(mail) {
      try {
        // Our own composition (mime.ts) where it applies; nodemailer's composer for internationalized addresses.
        const composed = composeMessage(mail, new Date());
        if (composed) {
          await pool.send(composed.envelope, composed.raw);
        } else {
          const node = new MailComposer({ ...mail, messageId: `<${mail.messageId}@carillon>` }).compile();
          const envelope = node.getEnvelope();
          const raw = (await node.build()).toString('utf8');
          await pool.send({ from: envelope.from || '', to: envelope.to[0] ?? mail.to }, raw);
        }
      } catch (e) {
        if (e instanceof SmtpError && e.permanent) throw new PermanentMailError(e.message);
        throw e;
      }
    },
    close: () => pool.close(),
  };
}
