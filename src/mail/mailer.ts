// Queuing mail: the message goes into the outbox and a `mail.deliver` job is queued with it, both in the caller's
// transaction, so mail exists exactly when the change that sends it commits. Without SMTP_URL no node runs
// delivery jobs and the mail waits (`carillon mail list`); it goes out once a node with SMTP_URL runs.
import { z } from 'zod';
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { uuidv7 } from '../platform/ids.js';
import { defineJobKind } from '../platform/jobs/job-kind.js';
import type { JobQueue } from '../platform/jobs/job-queue.js';
import { outboxRepository, type OutboxMail, type OutboxStatus } from './outbox-repository.js';

export const mailDelivery = defineJobKind('mail.deliver', z.object({ mailId: z.string() }));

export type MailToSend = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The sender's reference, handed back with the outcome (see MailOutcomeListener) and used to cancel. */
  reference?: string | undefined;
  /** A mail still unsent at this time is cancelled instead (an expired link is not worth sending). */
  sendBefore?: string | undefined;
};

export type MailOutcome = 'sent' | 'failed';
/** Told, in the transaction that records it, what became of mails that carried a reference. */
export type MailOutcomeListener = (ex: Executor, references: string[], outcome: MailOutcome) => Promise<void>;

export class Mailer {
  private readonly listeners: MailOutcomeListener[] = [];

  constructor(private readonly deps: { db: Db; clock: Clock; jobs: JobQueue }) {}

  /** Registers a sender's listener; references should carry the sender's prefix (`invitation:ID`). */
  onOutcome(listener: MailOutcomeListener): void {
    this.listeners.push(listener);
  }

  /** Called by delivery, in the transaction that records the outcome. */
  async reportOutcome(ex: Executor, references: string[], outcome: MailOutcome): Promise<void> {
    if (references.length === 0) return;
    for (const l of this.listeners) await l(ex, references, outcome);
  }

  async queue(ex: Executor, mails: MailToSend[]): Promise<void> {
    if (mails.length === 0) return;
    const now = this.deps.clock.now();
    const rows = mails.map((m) => ({
      id: uuidv7(now.getTime()),
      recipient: m.to,
      subject: m.subject,
      textBody: m.text,
      htmlBody: m.html,
      reference: m.reference ?? null,
      sendBefore: m.sendBefore ?? null,
      createdAt: now.toISOString(),
    }));
    await outboxRepository.insert(ex, rows);
    await this.deps.jobs.enqueueMany(ex, mailDelivery, rows.map((r) => ({ payload: { mailId: r.id } })));
  }

  /** The outbox, newest first. */
  async list(f: { status?: OutboxStatus | undefined; recipient?: string | undefined; limit: number }): Promise<OutboxMail[]> {
    return outboxRepository.list(this.deps.db, f);
  }

  /** Cancels the mails of these references that have not gone out yet (their delivery jobs then do nothing). */
  async cancel(ex: Executor, references: string[], reason: string): Promise<number> {
    return outboxRepository.cancel(ex, { references }, reason);
  }
}

/** A plain-text message as HTML: escaped, links made clickable, line breaks kept. */
export function textToHtml(text: string): string {
  const escaped = text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<p>${escaped.replace(/(https?:\/\/\S+)/g, '<a href="$1">$1</a>').replace(/\n/g, '<br>')}</p>`;
}
