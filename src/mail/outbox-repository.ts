// SQL for the durable mail outbox. Workers lease due rows so several nodes never send the same mail twice at once.
import type { ExpressionBuilder } from 'kysely';
import { isPostgres } from '../platform/db/dialect.js';
import type { Database, Executor, OutboxTable } from '../platform/db/schema.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export type OutboxMail = {
  id: string;
  recipient: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  invitationId: string | null;
  createdAt: string;
  sentAt: string | null;
};

/** Not leased, or leased by a worker whose lease ran out (it crashed or stalled). */
const leaseFree = (now: string) => (eb: ExpressionBuilder<Database, 'outbox'>) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]);

function toMail(r: OutboxTable): OutboxMail {
  return {
    id: r.id,
    recipient: r.recipient,
    subject: r.subject,
    textBody: r.text_body,
    htmlBody: r.html_body,
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    invitationId: r.invitation_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

export const outboxRepository = {
  async enqueue(ex: Executor, mails: Array<Pick<OutboxMail, 'id' | 'recipient' | 'subject' | 'textBody' | 'htmlBody' | 'invitationId' | 'createdAt'>>): Promise<void> {
    if (mails.length === 0) return;
    await ex
      .insertInto('outbox')
      .values(
        mails.map((m) => ({
          id: m.id,
          recipient: m.recipient,
          subject: m.subject,
          text_body: m.textBody,
          html_body: m.htmlBody,
          status: 'pending',
          attempts: 0,
          next_attempt_at: m.createdAt,
          invitation_id: m.invitationId,
          created_at: m.createdAt,
        })),
      )
      .execute();
  },

  /**
   * Leases up to `limit` due mails to `owner` until `leaseUntil`; expired leases of crashed workers are taken over.
   * One statement: claims running at once (two rounds in a node, or several nodes) each get mails of their own —
   * PostgreSQL skips the rows another claim has locked, and SQLite runs one statement at a time.
   */
  async claimDue(ex: Executor, owner: string, now: string, leaseUntil: string, limit: number): Promise<OutboxMail[]> {
    let due = ex
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where(leaseFree(now))
      .orderBy('next_attempt_at')
      .limit(limit);
    if (isPostgres(ex)) due = due.forUpdate().skipLocked();
    const rows = await ex
      .updateTable('outbox')
      .set({ lease_owner: owner, lease_until: leaseUntil })
      .where('id', 'in', due)
      // Repeated for PostgreSQL: a row leased by a claim that committed meanwhile is re-checked and skipped.
      .where(leaseFree(now))
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.next_attempt_at.localeCompare(b.next_attempt_at) || a.id.localeCompare(b.id)).map(toMail);
  },

  async markSent(ex: Executor, ids: string[], at: string): Promise<void> {
    await ex.updateTable('outbox').set((eb) => ({ status: 'sent', sent_at: at, attempts: eb('attempts', '+', 1), lease_owner: null, lease_until: null, last_error: null })).where('id', 'in', ids).execute();
  },

  async markRetry(ex: Executor, id: string, nextAttemptAt: string, error: string): Promise<void> {
    await ex
      .updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt, last_error: error, lease_owner: null, lease_until: null }))
      .where('id', '=', id)
      .execute();
  },

  async markFailed(ex: Executor, id: string, error: string): Promise<void> {
    await ex.updateTable('outbox').set((eb) => ({ status: 'failed', attempts: eb('attempts', '+', 1), last_error: error, lease_owner: null, lease_until: null })).where('id', '=', id).execute();
  },

  async list(ex: Executor, f: { status?: OutboxStatus | undefined; recipient?: string | undefined; limit: number }): Promise<OutboxMail[]> {
    let q = ex.selectFrom('outbox').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    if (f.recipient) q = q.where('recipient', '=', f.recipient);
    return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()).map(toMail);
  },
};
