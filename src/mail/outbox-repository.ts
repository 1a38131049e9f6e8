// SQL for the outbox: every message Carillon sends, and what became of it. Sending is a job (mail-delivery.ts).
import type { Executor } from '../platform/db/schema.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'cancelled';
export const outboxStatuses: readonly OutboxStatus[] = ['pending', 'sent', 'failed', 'cancelled'];

export interface OutboxTable {
  id: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: string;
  attempts: number;
  last_error: string | null;
  /** The sender's own reference (an invitation's id), handed back with the outcome. */
  reference: string | null;
  send_before: string | null;
  created_at: string;
  sent_at: string | null;
}

declare module '../platform/db/schema.js' {
  interface Database {
    outbox: OutboxTable;
  }
}

export type OutboxMail = {
  id: string;
  recipient: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  reference: string | null;
  sendBefore: string | null;
  createdAt: string;
  sentAt: string | null;
};

export type NewMail = Pick<OutboxMail, 'id' | 'recipient' | 'subject' | 'textBody' | 'htmlBody' | 'reference' | 'sendBefore' | 'createdAt'>;

function toMail(r: OutboxTable): OutboxMail {
  return {
    id: r.id,
    recipient: r.recipient,
    subject: r.subject,
    textBody: r.text_body,
    htmlBody: r.html_body,
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    reference: r.reference,
    sendBefore: r.send_before,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

export const outboxRepository = {
  async insert(ex: Executor, mails: NewMail[]): Promise<void> {
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
          reference: m.reference,
          send_before: m.sendBefore,
          created_at: m.createdAt,
        })),
      )
      .execute();
  },

  async findById(ex: Executor, id: string): Promise<OutboxMail | undefined> {
    const row = await ex.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMail(row);
  },

  /** Marks pending mails sent; returns the references of those it marked. */
  async markSent(ex: Executor, ids: string[], at: string): Promise<Array<string | null>> {
    if (ids.length === 0) return [];
    const rows = await ex
      .updateTable('outbox')
      .set((eb) => ({ status: 'sent', sent_at: at, attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .returning('reference')
      .execute();
    return rows.map((r) => r.reference);
  },

  async recordFailedAttempt(ex: Executor, id: string, error: string): Promise<void> {
    await ex.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error })).where('id', '=', id).where('status', '=', 'pending').execute();
  },

  /** Marks a pending mail failed for good; returns its reference, or undefined when it was not pending. */
  async markFailed(ex: Executor, id: string, error: string): Promise<{ reference: string | null } | undefined> {
    return ex.updateTable('outbox').set({ status: 'failed', last_error: error }).where('id', '=', id).where('status', '=', 'pending').returning('reference').executeTakeFirst();
  },

  /** Cancels the pending mails with these references (or this one mail); returns how many. */
  async cancel(ex: Executor, f: { references?: string[]; id?: string }, reason: string): Promise<number> {
    let q = ex.updateTable('outbox').set({ status: 'cancelled', last_error: reason }).where('status', '=', 'pending');
    if (f.id !== undefined) q = q.where('id', '=', f.id);
    if (f.references !== undefined) {
      if (f.references.length === 0) return 0;
      q = q.where('reference', 'in', f.references);
    }
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  },

  async list(ex: Executor, f: { status?: OutboxStatus | undefined; recipient?: string | undefined; limit: number }): Promise<OutboxMail[]> {
    let q = ex.selectFrom('outbox').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    if (f.recipient) q = q.where('recipient', '=', f.recipient);
    return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()).map(toMail);
  },
};
