// Runs queued jobs on this node: claims due jobs of each kind it has a handler for under a lease, runs them with a
// per-kind concurrency, keeps their leases alive while they run, and records each outcome (done in batches, a retry
// with doubling delay, or failed). Fires recurring schedules, once per time slot across every node for `cluster`
// schedules. Wakes when jobs are queued (see database.ts's listenForJobs) and otherwise polls.
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Db } from '../db/schema.js';
import { uuidv7 } from '../ids.js';
import { defaultRetry, nextSlotAfter, PermanentJobError, slotOf, type JobHandler, type JobProgress, type Schedule } from './job-kind.js';
import type { JobQueue } from './job-queue.js';
import { jobsRepository, type Job } from './jobs-repository.js';

export type JobRunnerOptions = {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  log: FastifyBaseLogger;
  handlers: JobHandler[];
  schedules: Schedule[];
  /** How often to look for due jobs when nothing woke the runner. */
  pollMs: number;
  /** How long a claim lasts without renewal; a node that dies loses its jobs to another after this. */
  leaseMs: number;
  /** Subscribes to "jobs were queued" (this node's commits, and on PostgreSQL every node's); returns the unsubscribe. */
  onWake?: ((wake: () => void) => Promise<() => Promise<void>>) | undefined;
};

/** `queued` is false for kinds that every-node schedules run locally: those are never claimed from the queue. */
type KindState = { handler: JobHandler; queued: boolean; inFlight: number; claiming: boolean; maybeMore: boolean };

const DONE_BATCH = 500;
/** Finished jobs are recorded together: the first one waits this long for others to finish. */
const DONE_DELAY_MS = 2;
const PROGRESS_EVERY_MS = 1000;
const STOP_WAIT_MS = 15_000;

export class JobRunner {
  /** This node's lease owner name. */
  readonly owner = uuidv7();
  private readonly kinds = new Map<string, KindState>();
  /** Jobs this node holds a lease on, until their outcome is recorded. */
  private readonly held = new Map<string, Job>();
  private readonly doneBuffer: Array<{ job: Job; state: KindState }> = [];
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly lastSlot = new Map<string, number>();
  private readonly intervals: NodeJS.Timeout[] = [];
  /** The next tick of each every-node schedule. */
  private readonly localTicks = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private stopped = true;

  constructor(private readonly o: JobRunnerOptions) {
    for (const handler of o.handlers) {
      if (this.kinds.has(handler.kind.name)) throw new Error(`Two handlers for job kind ${handler.kind.name}.`);
      this.kinds.set(handler.kind.name, { handler, queued: true, inFlight: 0, claiming: false, maybeMore: true });
    }
    for (const s of o.schedules) {
      const state = this.kinds.get(s.kind.name);
      if (!state) throw new Error(`Schedule ${s.name} runs ${s.kind.name}, which has no handler.`);
      if (s.runs === 'every-node') state.queued = false;
    }
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = await this.o.onWake?.(() => this.wake());
    this.every(this.o.pollMs, () => {
      this.fireSchedules();
      this.wake();
    });
    this.every(Math.max(50, Math.floor(this.o.leaseMs / 3)), () => this.track(this.renewLeases()));
    for (const s of this.o.schedules.filter((x) => x.runs === 'every-node')) this.startLocalSchedule(s);
    this.fireSchedules();
    this.wake();
  }

  /** Stops claiming, lets the jobs in flight finish (for a while) and records their outcomes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.intervals) clearInterval(t);
    for (const t of this.localTicks.values()) clearTimeout(t);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.unsubscribe?.().catch(() => undefined);
    // Durations on the monotonic clock: the product's Clock is for the time of day (tests move it).
    const deadline = performance.now() + STOP_WAIT_MS;
    while (this.running.size > 0 && performance.now() < deadline) await Promise.race([...this.running, new Promise((r) => setTimeout(r, 100))]);
    await this.flushDone();
  }

  /** Looks for due jobs of every kind now. */
  wake(): void {
    if (this.stopped) return;
    for (const state of this.kinds.values()) {
      state.maybeMore = true;
      this.pump(state);
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.intervals.push(t);
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private now(): Date {
    return this.o.clock.now();
  }

  /**
   * Claims as many jobs of a kind as it has room for, and starts them. While jobs run it waits until half of the
   * kind's slots are free: claiming for each job as it finishes would cost a statement per job.
   */
  private pump(state: KindState): void {
    const concurrency = state.handler.concurrency ?? 1;
    const room = concurrency - state.inFlight;
    if (this.stopped || !state.queued || state.claiming || !state.maybeMore || room <= 0) return;
    if (state.inFlight > 0 && room < Math.ceil(concurrency / 2)) return;
    state.claiming = true;
    const limit = room;
    this.track(
      (async () => {
        try {
          const now = this.now();
          const jobs = await jobsRepository.claim(this.o.db, {
            kind: state.handler.kind.name,
            owner: this.owner,
            now: now.toISOString(),
            leaseUntil: new Date(now.getTime() + this.o.leaseMs).toISOString(),
            limit,
          });
          // Fewer than asked for: the kind is drained until something wakes the runner or the next poll.
          state.maybeMore = jobs.length === limit;
          // A job this node still holds came back because its lease ran out while the node was held up (its
          // outcome not yet written): the run under way will record it, so it must not start a second time.
          for (const job of jobs) if (!this.held.has(job.id)) this.startJob(state, job);
        } catch (err) {
          state.maybeMore = false;
          if (!this.stopped) this.o.log.error({ err, kind: state.handler.kind.name }, 'claiming jobs failed');
        } finally {
          state.claiming = false;
        }
        this.pump(state);
      })(),
    );
  }

  private startJob(state: KindState, job: Job): void {
    state.inFlight++;
    this.held.set(job.id, job);
    this.track(
      this.runJob(state, job).finally(() => {
        state.inFlight--;
        this.pump(state);
      }),
    );
  }

  private async runJob(state: KindState, job: Job): Promise<void> {
    const { handler } = state;
    const retry = handler.retry ?? defaultRetry;
    const log = this.o.log.child({ job: job.id, kind: job.kind });
    let progress: ReturnType<typeof this.progressReporter> | undefined;
    try {
      // A job claimed more often than it may be attempted ran out of lease each time (its node died mid-run).
      if (job.attempts > retry.maxAttempts) throw new PermanentJobError(`Gave up after ${retry.maxAttempts} attempts.${job.lastError ? ` Last error: ${job.lastError}` : ''}`);
      const parsed = handler.kind.payload.safeParse(job.payload);
      if (!parsed.success) throw new PermanentJobError(`The payload does not fit job kind ${job.kind}: ${parsed.error.issues[0]?.message}`);
      progress = this.progressReporter(job);
      await handler.run(parsed.data, { jobId: job.id, attempt: job.attempts, progress: progress.report, log });
      await progress.flush();
      // Its slot is free now; the job keeps its lease until the outcome is recorded with others.
      this.doneBuffer.push({ job: { ...job, payload: parsed.data }, state });
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        this.track(this.flushDone());
      }, DONE_DELAY_MS);
    } catch (err) {
      await progress?.flush().catch(() => undefined);
      await this.recordFailure(handler, job, err, retry, log).catch((e: unknown) => log.error({ err: e }, 'recording a job failure failed'));
    }
  }

  /** Records the finished jobs in the buffer in one transaction with their kinds' onDone hooks. */
  private async flushDone(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.doneBuffer.length === 0) return;
    const batch = this.doneBuffer.splice(0, DONE_BATCH);
    this.flushing = (async () => {
      try {
        await this.o.db.transaction().execute(async (trx) => {
          const completed = new Set(await jobsRepository.complete(trx, this.owner, batch.map((b) => b.job.id), this.now().toISOString()));
          const byKind = new Map<KindState, unknown[]>();
          for (const { job, state } of batch) {
            if (!completed.has(job.id)) {
              this.o.log.warn({ job: job.id, kind: job.kind }, 'a job finished after its lease had passed to another node');
              continue;
            }
            byKind.set(state, [...(byKind.get(state) ?? []), job.payload]);
          }
          for (const [state, payloads] of byKind) await state.handler.onDone?.(trx, payloads);
        });
      } catch (err) {
        // The jobs keep their leases until those run out; another claim then runs them again.
        this.o.log.error({ err }, 'recording finished jobs failed');
      } finally {
        for (const { job } of batch) this.held.delete(job.id);
      }
    })();
    await this.flushing;
    this.flushing = undefined;
    if (this.doneBuffer.length > 0) await this.flushDone();
  }

  private async recordFailure(handler: JobHandler, job: Job, err: unknown, retry: typeof defaultRetry, log: FastifyBaseLogger): Promise<void> {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
    const now = this.now();
    try {
      if (err instanceof PermanentJobError || job.attempts >= retry.maxAttempts) {
        log.warn({ attempts: job.attempts, reason: message }, 'job failed for good');
        await this.o.db.transaction().execute(async (trx) => {
          if (await jobsRepository.fail(trx, this.owner, job.id, message, now.toISOString())) await handler.onFailed?.(trx, job.payload, message);
        });
      } else {
        const delay = Math.min(retry.baseMs * 2 ** (job.attempts - 1), retry.maxMs);
        const runAt = new Date(now.getTime() + delay).toISOString();
        log.info({ attempts: job.attempts, runAt, reason: message }, 'job will be retried');
        await jobsRepository.retryLater(this.o.db, this.owner, job.id, runAt, message, now.toISOString());
      }
    } finally {
      this.held.delete(job.id);
    }
  }

  /** Progress is written at most once a second while the job runs, and once more when it ends. */
  private progressReporter(job: Job) {
    let latest: JobProgress | undefined;
    let writtenAt = 0;
    let writing: Promise<void> = Promise.resolve();
    const write = () => {
      const p = latest;
      if (!p) return writing;
      latest = undefined;
      writtenAt = performance.now();
      writing = writing
        .then(() => jobsRepository.recordProgress(this.o.db, this.owner, job.id, { done: p.done, total: p.total ?? null, message: p.message?.slice(0, 500) ?? null }, this.now().toISOString()))
        .catch((err: unknown) => this.o.log.warn({ err, job: job.id }, 'recording job progress failed'));
      return writing;
    };
    return {
      report: (p: JobProgress) => {
        latest = p;
        if (performance.now() - writtenAt >= PROGRESS_EVERY_MS) void write();
      },
      flush: () => write(),
    };
  }

  private async renewLeases(): Promise<void> {
    if (this.held.size === 0) return;
    const now = this.now();
    try {
      const ids = [...this.held.keys()];
      const kept = new Set(await jobsRepository.extendLeases(this.o.db, this.owner, ids, new Date(now.getTime() + this.o.leaseMs).toISOString()));
      for (const id of ids) if (!kept.has(id) && this.held.has(id)) this.o.log.warn({ job: id }, 'lost the lease of a running job (this node stalled past it)');
    } catch (err) {
      if (!this.stopped) this.o.log.warn({ err }, 'renewing job leases failed');
    }
  }

  /** Queues each cluster schedule's job when its time slot begins; one node wins each slot. */
  private fireSchedules(): void {
    const now = this.now();
    for (const s of this.o.schedules) {
      if (s.runs !== 'cluster') continue;
      const slot = slotOf(s.cadence, now).getTime();
      if (this.lastSlot.get(s.name) === slot) continue;
      this.lastSlot.set(s.name, slot);
      this.track(
        this.o.db
          .transaction()
          .execute(async (trx) => {
            if (await jobsRepository.advanceSchedule(trx, s.name, new Date(slot).toISOString(), now.toISOString())) {
              // The unique key keeps a slow run from piling up behind itself.
              await this.o.queue.enqueue(trx, s.kind, s.payload, { uniqueKey: `schedule:${s.name}` });
            }
          })
          .catch((err: unknown) => {
            this.lastSlot.delete(s.name);
            if (!this.stopped) this.o.log.error({ err, schedule: s.name }, 'firing a schedule failed');
          }),
      );
    }
  }

  /** An every-node schedule: the handler runs here on each slot, one run at a time. */
  private startLocalSchedule(s: Schedule): void {
    const state = this.kinds.get(s.kind.name)!;
    let busy = false;
    const tick = () => {
      if (this.stopped) return;
      const now = this.now();
      const t = setTimeout(tick, Math.max(10, nextSlotAfter(s.cadence, now).getTime() - now.getTime()));
      t.unref();
      this.localTicks.set(s.name, t);
      if (busy) return;
      busy = true;
      const log = this.o.log.child({ schedule: s.name });
      this.track(
        state.handler
          .run(s.payload, { jobId: `${s.name}@${this.owner}`, attempt: 1, progress: () => undefined, log })
          .catch((err: unknown) => {
            if (!this.stopped) log.warn({ err }, 'a recurring job on this node failed');
          })
          .finally(() => {
            busy = false;
          }),
      );
    };
    tick();
  }
}
