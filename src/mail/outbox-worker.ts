// Delivers the outbox: leases due mail, sends it, and records Sent, a retry with doubling delay, or Failed.
// Runs in every node; the leases keep two nodes from sending the same message at the same time.
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { uuidv7 } from '../platform/ids.js';
import { outboxRepository, type OutboxMail } from './outbox-repository.js';
import { PermanentMailError, type MailTransport } from './smtp-transport.js';

export type DeliveryHooks = {
  /** Runs in the same transaction as the outbox update, e.g. to set an invitation's EmailStatus. */
  onSettled(ex: Executor, mails: OutboxMail[], outcome: 'sent' | 'failed'): Promise<void>;
};

const LEASE_MS = 60_000;
// A batch is leased, sent and recorded as one; larger batches spread the bookkeeping (each transaction's commit
// writes every page it touched) over more mail.
const BATCH = 200;

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly owner = uuidv7();

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      transport: MailTransport;
      from: string;
      retryBaseMs: number;
      maxAttempts: number;
      pollMs: number;
      hooks: DeliveryHooks;
      log: FastifyBaseLogger;
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.deps.transport.close();
  }

  /** Asks for a delivery round now (after new mail was queued) instead of at the next poll. */
  nudge(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.deliverDue()
        .then(() => undefined)
        .catch((e: unknown) => this.deps.log.error({ err: e }, 'outbox delivery round failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.deps.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /**
   * Sends every mail that is due now; returns how many were attempted. Two rounds run side by side, each leasing
   * its own batches, so that one batch's bookkeeping in the database overlaps the other's sending.
   */
  async deliverDue(): Promise<number> {
    const attempted = await Promise.all(Array.from({ length: 2 }, (_, i) => this.deliverBatches(`${this.owner}/${i}`)));
    return attempted.reduce((a, b) => a + b, 0);
  }

  private async deliverBatches(owner: string): Promise<number> {
    let attempted = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const batch = await outboxRepository.claimDue(
        this.deps.db,
        owner,
        now.toISOString(),
        new Date(now.getTime() + LEASE_MS).toISOString(),
        BATCH,
      );
      if (batch.length === 0) return attempted;
      const sent = await Promise.all(batch.map((mail) => this.deliver(mail)));
      // Record the whole batch's successes in one transaction rather than one per mail.
      const delivered = batch.filter((_, i) => sent[i]);
      if (delivered.length > 0) {
        await this.deps.db.transaction().execute(async (trx) => {
          await outboxRepository.markSent(trx, delivered.map((m) => m.id), this.deps.clock.now().toISOString());
          await this.deps.hooks.onSettled(trx, delivered, 'sent');
        });
      }
      attempted += batch.length;
      if (this.stopped) return attempted;
    }
  }

  /** Sends one mail; true when the SMTP server took it, otherwise the retry or failure is already recorded. */
  private async deliver(mail: OutboxMail): Promise<boolean> {
    try {
      await this.deps.transport.send({
        from: this.deps.from,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.textBody,
        html: mail.htmlBody,
        messageId: mail.id,
      });
    } catch (e) {
      const reason = (e as Error).message.slice(0, 500);
      const attempts = mail.attempts + 1;
      if (e instanceof PermanentMailError || attempts >= this.deps.maxAttempts) {
        this.deps.log.warn({ mailId: mail.id, attempts, reason }, 'mail delivery failed for good');
        await this.deps.db.transaction().execute(async (trx) => {
          await outboxRepository.markFailed(trx, mail.id, reason);
          await this.deps.hooks.onSettled(trx, [mail], 'failed');
        });
      } else {
        const delay = Math.min(this.deps.retryBaseMs * 2 ** (attempts - 1), 6 * 60 * 60 * 1000);
        const next = new Date(this.deps.clock.now().getTime() + delay).toISOString();
        this.deps.log.info({ mailId: mail.id, attempts, next, reason }, 'mail delivery will be retried');
        await outboxRepository.markRetry(this.deps.db, mail.id, next, reason);
      }
      return false;
    }
    return true;
  }
}
