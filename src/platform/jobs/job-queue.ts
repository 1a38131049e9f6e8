// Enqueuing jobs, in the caller's transaction so that a job exists exactly when the change that caused it
// commits, and the operator's view of the queue (`carillon jobs list`, `jobs retry`).
import type { Clock } from '../clock.js';
import type { Db, Executor } from '../db/schema.js';
import { AppError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { JobKind } from './job-kind.js';
import { jobsRepository, type Job, type JobStatus } from './jobs-repository.js';

export type EnqueueOptions = {
  /** Not before this time (default: now). */
  runAt?: Date | undefined;
  /** At most one unfinished job holds a unique key: enqueuing another while it is queued or running does nothing. */
  uniqueKey?: string | undefined;
};

export class JobQueue {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      /** Tells the runners (this node's and, on PostgreSQL, every node's) that jobs were queued once `ex` commits. */
      wake: (ex: Executor) => Promise<void>;
    },
  ) {}

  /** Queues one job; returns its id, or undefined when its unique key is already held. */
  async enqueue<P>(ex: Executor, kind: JobKind<P>, payload: P, options: EnqueueOptions = {}): Promise<string | undefined> {
    const [id] = await this.enqueueMany(ex, kind, [{ payload, ...options }]);
    return id;
  }

  /** Queues jobs of one kind in one statement; returns the ids queued. */
  async enqueueMany<P>(ex: Executor, kind: JobKind<P>, items: Array<{ payload: P } & EnqueueOptions>): Promise<string[]> {
    if (items.length === 0) return [];
    const now = this.deps.clock.now();
    const ids = await jobsRepository.insert(
      ex,
      items.map((item) => ({
        id: uuidv7(now.getTime()),
        kind: kind.name,
        // Validated here, so that a job that could never run is refused to its caller instead of failing later.
        payload: kind.payload.parse(item.payload),
        uniqueKey: item.uniqueKey ?? null,
        runAt: (item.runAt ?? now).toISOString(),
        createdAt: now.toISOString(),
      })),
    );
    if (ids.length > 0) await this.deps.wake(ex);
    return ids;
  }

  async list(f: { kind?: string | undefined; status?: JobStatus | undefined; limit: number }): Promise<Job[]> {
    return jobsRepository.list(this.deps.db, f);
  }

  async get(id: string): Promise<Job | undefined> {
    return jobsRepository.findById(this.deps.db, id);
  }

  /** Queues a failed job again, from its first attempt. */
  async retry(id: string): Promise<Job> {
    return this.deps.db.transaction().execute(async (trx) => {
      if (!(await jobsRepository.requeueFailed(trx, id, this.deps.clock.now().toISOString()))) {
        const job = await jobsRepository.findById(trx, id);
        if (!job) throw new AppError('job.not_found', `No job ${id}.`);
        throw new AppError('job.not_failed', `Job ${id} is ${job.status}; only failed jobs can be retried.`);
      }
      await this.deps.wake(trx);
      return (await jobsRepository.findById(trx, id))!;
    });
  }
}
