// The `mail.deliver` job: sends one outbox message through the SMTP transport. A message cancelled or past its
// send-by time is not sent; a permanent SMTP refusal fails it at once; anything else is retried by the job runner
// with doubling delays until CARILLON_MAIL_MAX_ATTEMPTS.
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/schema.js';
import { defineJobHandler, PermanentJobError } from '../platform/jobs/job-kind.js';
import { mailDelivery, type Mailer } from './mailer.js';
import { outboxRepository } from './outbox-repository.js';
import { PermanentMailError, type MailTransport } from './smtp-transport.js';

const notNull = <T>(x: T | null): x is T => x !== null;

export function mailDeliveryHandler(deps: {
  db: Db;
  clock: Clock;
  transport: MailTransport;
  from: string;
  retry: { baseMs: number; maxAttempts: number };
  mailer: Pick<Mailer, 'reportOutcome'>;
}) {
  return defineJobHandler({
    kind: mailDelivery,
    // Messages in flight on one node: the transport's connections take them in turn.
    concurrency: 100,
    retry: { baseMs: deps.retry.baseMs, maxMs: 6 * 60 * 60_000, maxAttempts: deps.retry.maxAttempts },
    async run({ mailId }) {
      const mail = await outboxRepository.findById(deps.db, mailId);
      if (!mail || mail.status !== 'pending') return;
      if (mail.sendBefore !== null && mail.sendBefore <= deps.clock.now().toISOString()) {
        await outboxRepository.cancel(deps.db, { id: mail.id }, 'Not sent before it expired.');
        return;
      }
      try {
        await deps.transport.send({ from: deps.from, to: mail.recipient, subject: mail.subject, text: mail.textBody, html: mail.htmlBody, messageId: mail.id });
      } catch (e) {
        const reason = (e as Error).message.slice(0, 500);
        await outboxRepository.recordFailedAttempt(deps.db, mail.id, reason);
        throw e instanceof PermanentMailError ? new PermanentJobError(reason) : e;
      }
    },
    async onDone(ex, payloads) {
      const references = await outboxRepository.markSent(ex, payloads.map((p) => p.mailId), deps.clock.now().toISOString());
      await deps.mailer.reportOutcome(ex, references.filter(notNull), 'sent');
    },
    async onFailed(ex, { mailId }, error) {
      const failed = await outboxRepository.markFailed(ex, mailId, error);
      if (failed?.reference) await deps.mailer.reportOutcome(ex, [failed.reference], 'failed');
    },
  });
}
