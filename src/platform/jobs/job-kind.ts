// What a capability declares to run work in the background: job kinds (a name and a payload schema, shared by the
// code that enqueues and the handler that runs), their handlers, and recurring schedules.
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Executor } from '../db/schema.js';

/** A kind of job. Enqueuing and handling both go through this object, so a misspelt kind does not compile. */
export type JobKind<P> = { readonly name: string; readonly payload: z.ZodType<P> };

export function defineJobKind<P>(name: string, payload: z.ZodType<P>): JobKind<P> {
  return { name, payload };
}

export type JobProgress = { done: number; total?: number | undefined; message?: string | undefined };

export type JobContext = {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** Records how far the job has come (written at most once a second, and when the job ends). */
  progress(p: JobProgress): void;
  log: FastifyBaseLogger;
};

export type RetryPolicy = {
  /** Delay before the first retry; it doubles on each further attempt, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** Attempts before the job is marked failed (the first run counts). */
  maxAttempts: number;
};

export const defaultRetry: RetryPolicy = { baseMs: 10_000, maxMs: 60 * 60_000, maxAttempts: 10 };

/** A failure that retrying cannot fix: the job is marked failed at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JobHandler<P = any> = {
  kind: JobKind<P>;
  run(payload: P, ctx: JobContext): Promise<void>;
  /** Jobs of this kind one node runs at once (default 1). */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Runs in the transaction that records jobs of this kind as done (one call for a batch of them). */
  onDone?(ex: Executor, payloads: P[]): Promise<void>;
  /** Runs in the transaction that records the job as failed for good. */
  onFailed?(ex: Executor, payload: P, error: string): Promise<void>;
};

export const defineJobHandler = <P>(handler: JobHandler<P>): JobHandler<P> => handler;

/** When a recurring job fires: every so many milliseconds (aligned to the epoch), or daily at a UTC time. */
export type Cadence = { everyMs: number } | { dailyAtUtc: `${number}:${number}` };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schedule<P = any> = {
  /** Unique among schedules; names the schedule's row. */
  name: string;
  kind: JobKind<P>;
  payload: P;
  cadence: Cadence;
  /**
   * `cluster`: one job per time slot across every node sharing the database (purges, syncs).
   * `every-node`: each node runs the handler itself on the cadence, without a queued job: for work on a node's
   * own memory, such as noticing revocations made by another process.
   */
  runs: 'cluster' | 'every-node';
};

/** The start of the time slot that `now` falls in. */
export function slotOf(cadence: Cadence, now: Date): Date {
  if ('everyMs' in cadence) return new Date(Math.floor(now.getTime() / cadence.everyMs) * cadence.everyMs);
  const [h, m] = cadence.dailyAtUtc.split(':').map(Number) as [number, number];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m);
  return new Date(today <= now.getTime() ? today : today - 24 * 60 * 60_000);
}

/** When the slot after `now`'s begins. */
export function nextSlotAfter(cadence: Cadence, now: Date): Date {
  if ('everyMs' in cadence) return new Date(slotOf(cadence, now).getTime() + cadence.everyMs);
  return new Date(slotOf(cadence, now).getTime() + 24 * 60 * 60_000);
}
