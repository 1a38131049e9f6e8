// SQL for the durable mail outbox. Workers lease due rows so several nodes never send the same mail twice at once.
import type { Executor, OutboxTable } from '../platform/db/schema.js';

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

  /** Leases up to `limit` due mails to `owner` until `leaseUntil`; expired leases of crashed workers are taken over. */
  async claimDue(ex: Executor, owner: string, now: string, leaseUntil: string, limit: number): Promise<OutboxMail[]> {
    const due = await ex
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    if (due.length === 0) return [];
    const ids = due.map((d) => d.id);
    // The lease condition is repeated in the UPDATE, so a row another worker leased in between is skipped.
    await ex
      .updateTable('outbox')
      .set({ lease_owner: owner, lease_until: leaseUntil })
      .where('id', 'in', ids)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .execute();
    // Read back the rows this lease won. The search is by primary key alone and the lease is checked here: given a
    // status condition too, SQLite's planner prefers the (status, next_attempt_at) index for a batch of ids and
    // walks every pending mail.
    const rows = await ex.selectFrom('outbox').selectAll().where('id', 'in', ids).execute();
    return rows.filter((r) => r.lease_owner === owner && r.lease_until === leaseUntil && r.status === 'pending').map(toMail);
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
