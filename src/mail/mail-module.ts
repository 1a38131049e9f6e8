// The mail capability: the outbox, the `mail.deliver` job kind (run by nodes with SMTP_URL), and `carillon mail list`.
import { UsageError, limitFlag, noArgs, stringFlag } from '../cli/flags.js';
import { defineModule } from '../platform/module.js';
import { mailDeliveryHandler } from './mail-delivery.js';
import * as mailMigration from './mail-migration.js';
import { Mailer } from './mailer.js';
import { outboxStatuses, type OutboxStatus } from './outbox-repository.js';
import { createSmtpTransport, type MailTransport } from './smtp-transport.js';

declare module '../platform/module.js' {
  interface Services {
    mailer: Mailer;
    /** Present when SMTP_URL is set; without it mail waits in the outbox. */
    mailTransport: MailTransport | undefined;
  }
}

export const mailModule = defineModule({
  name: 'mail',
  migrations: { '007-mail-jobs': mailMigration },
  provide: (s) => ({
    mailer: new Mailer({ db: s.db, clock: s.clock, jobs: s.jobs }),
    mailTransport: s.config.smtpUrl ? createSmtpTransport(s.config.smtpUrl) : undefined,
  }),
  jobs: (s) =>
    s.mailTransport
      ? [
          mailDeliveryHandler({
            db: s.db,
            clock: s.clock,
            transport: s.mailTransport,
            from: s.config.smtpFrom,
            retry: { baseMs: s.config.mail.retryBaseMs, maxAttempts: s.config.mail.maxAttempts },
            mailer: s.mailer,
          }),
        ]
      : [],
  cli: [
    {
      name: 'mail list',
      usage: 'mail list [--status pending|sent|failed|cancelled] [--to ADDRESS] [--limit N] [--json]',
      run: async (s, args, flags, io) => {
        noArgs(args);
        const status = stringFlag(flags, 'status') as OutboxStatus | undefined;
        if (status && !outboxStatuses.includes(status)) throw new UsageError(`--status must be one of ${outboxStatuses.join(', ')}`);
        const mails = await s.mailer.list({ status, recipient: stringFlag(flags, 'to'), limit: limitFlag(flags, 50) });
        if (flags.json) {
          io.out(JSON.stringify(mails, null, 2));
          return;
        }
        if (mails.length === 0) {
          io.out('The outbox is empty.');
          return;
        }
        for (const m of mails) {
          io.out(`--- ${m.id}  ${m.status}  attempts=${m.attempts}${m.lastError ? `  last error: ${m.lastError}` : ''}`);
          io.out(`To: ${m.recipient}\nSubject: ${m.subject}\nQueued: ${m.createdAt}${m.sentAt ? `  Sent: ${m.sentAt}` : ''}\n\n${m.textBody}\n`);
        }
      },
    },
  ],
  close: async (s) => s.mailTransport?.close(),
});
