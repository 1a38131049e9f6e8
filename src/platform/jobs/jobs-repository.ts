// SQL for the job queue. A claim is one statement that leases due jobs to one node: PostgreSQL skips rows another
// claim has locked (FOR UPDATE SKIP LOCKED), SQLite runs one writing statement at a time. Every change a runner makes
// to a claimed job names its lease owner, so a node whose lease was taken over cannot overwrite the new holder.
import { sql, type SqlBool } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Executor } from '../db/schema.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';
export const jobStatuses: readonly JobStatus[] = ['queued', 'running', 'done', 'failed'];

export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  status: string;
  unique_key: string | null;
  run_at: string;
  attempts: number;
  last_error: string | null;
  lease_owner: string | null;
  progress_done: number | null;
  progress_total: number | null;
  progress_message: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobSchedulesTable {
  name: string;
  last_slot: string;
  updated_at: string;
}

declare module '../db/schema.js' {
  interface Database {
    jobs: JobsTable;
    job_schedules: JobSchedulesTable;
  }
}

export type Job = {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  uniqueKey: string | null;
  runAt: string;
  attempts: number;
  lastError: string | null;
  leaseOwner: string | null;
  progress: { done: number; total: number | null; message: string | null } | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type NewJob = { id: string; kind: string; payload: unknown; uniqueKey: string | null; runAt: string; createdAt: string };

const unfinished = ['queued', 'running'] as const;

function toJob(r: JobsTable): Job {
  return {
    id: r.id,
    kind: r.kind,
    payload: JSON.parse(r.payload),
    status: r.status as JobStatus,
    uniqueKey: r.unique_key,
    runAt: r.run_at,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    leaseOwner: r.lease_owner,
    progress: r.progress_done === null ? null : { done: Number(r.progress_done), total: r.progress_total === null ? null : Number(r.progress_total), message: r.progress_message },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export const jobsRepository = {
  /** Inserts the jobs; one whose unique key an unfinished job already holds is left out. Returns the ids queued. */
  async insert(ex: Executor, jobs: NewJob[]): Promise<string[]> {
    if (jobs.length === 0) return [];
    const rows = await ex
      .insertInto('jobs')
      .values(
        jobs.map((j) => ({
          id: j.id,
          kind: j.kind,
          payload: JSON.stringify(j.payload),
          status: 'queued',
          unique_key: j.uniqueKey,
          run_at: j.runAt,
          attempts: 0,
          created_at: j.createdAt,
          updated_at: j.createdAt,
        })),
      )
      // The index predicate is written out: both engines match it to the partial unique index by its text.
      .onConflict((oc) => oc.column('unique_key').where(sql<SqlBool>`status in ('queued', 'running')`).doNothing())
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  },

  /**
   * Leases up to `limit` due jobs of a kind to `owner` until `leaseUntil`: queued jobs whose time has come, and
   * running jobs whose lease ran out (their node died or stalled). Each claim counts as an attempt.
   */
  async claim(ex: Executor, f: { kind: string; owner: string; now: string; leaseUntil: string; limit: number }): Promise<Job[]> {
    let due = ex
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', f.kind)
      .where('status', 'in', unfinished)
      .where('run_at', '<=', f.now)
      .orderBy('run_at')
      .limit(f.limit);
    if (isPostgres(ex)) due = due.forUpdate().skipLocked();
    const rows = await ex
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', lease_owner: f.owner, run_at: f.leaseUntil, attempts: eb('attempts', '+', 1), started_at: f.now, updated_at: f.now }))
      .where('id', 'in', due)
      // Repeated for PostgreSQL: a row claimed by a claim that committed meanwhile is re-checked and skipped.
      .where('status', 'in', unfinished)
      .where('run_at', '<=', f.now)
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)).map(toJob);
  },

  /** Extends the leases `owner` still holds; returns the ids it still holds. */
  async extendLeases(ex: Executor, owner: string, ids: string[], leaseUntil: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await ex.updateTable('jobs').set({ run_at: leaseUntil }).where('id', 'in', ids).where('lease_owner', '=', owner).where('status', '=', 'running').returning('id').execute();
    return rows.map((r) => r.id);
  },

  /** Marks done the jobs `owner` still holds; returns their ids. */
  async complete(ex: Executor, owner: string, ids: string[], now: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await ex
      .updateTable('jobs')
      .set({ status: 'done', lease_owner: null, finished_at: now, updated_at: now })
      .where('id', 'in', ids)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  },

  /** Puts a job `owner` holds back in the queue until `runAt`; false when the lease was no longer its. */
  async retryLater(ex: Executor, owner: string, id: string, runAt: string, error: string, now: string): Promise<boolean> {
    const res = await ex
      .updateTable('jobs')
      .set({ status: 'queued', lease_owner: null, run_at: runAt, last_error: error, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  /** Marks a job `owner` holds as failed for good; false when the lease was no longer its. */
  async fail(ex: Executor, owner: string, id: string, error: string, now: string): Promise<boolean> {
    const res = await ex
      .updateTable('jobs')
      .set({ status: 'failed', lease_owner: null, last_error: error, finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  async recordProgress(ex: Executor, owner: string, id: string, p: { done: number; total: number | null; message: string | null }, now: string): Promise<void> {
    await ex
      .updateTable('jobs')
      .set({ progress_done: p.done, progress_total: p.total, progress_message: p.message, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  },

  async list(ex: Executor, f: { kind?: string | undefined; status?: JobStatus | undefined; limit: number }): Promise<Job[]> {
    let q = ex.selectFrom('jobs').selectAll();
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.status) q = q.where('status', '=', f.status);
    return (await q.orderBy('id', 'desc').limit(f.limit).execute()).map(toJob);
  },

  async findById(ex: Executor, id: string): Promise<Job | undefined> {
    const row = await ex.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  },

  /** Queues a failed job again from its first attempt; false when it is not failed. */
  async requeueFailed(ex: Executor, id: string, now: string): Promise<boolean> {
    const res = await ex
      .updateTable('jobs')
      .set({ status: 'queued', attempts: 0, run_at: now, finished_at: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  /** Deletes jobs that ended before `before` (`status` done or failed). */
  async deleteFinishedBefore(ex: Executor, status: 'done' | 'failed', before: string): Promise<number> {
    const res = await ex.deleteFrom('jobs').where('status', '=', status).where('finished_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  },

  /**
   * Moves a schedule on to `slot` if no node has fired that slot yet. True for exactly one caller per slot: an
   * update that finds the row behind, or the insert of a schedule's first row (a concurrent insert does nothing).
   */
  async advanceSchedule(ex: Executor, name: string, slot: string, now: string): Promise<boolean> {
    const res = await ex.updateTable('job_schedules').set({ last_slot: slot, updated_at: now }).where('name', '=', name).where('last_slot', '<', slot).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) return true;
    const inserted = await ex
      .insertInto('job_schedules')
      .values({ name, last_slot: slot, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .execute();
    return inserted.length === 1;
  },
};
