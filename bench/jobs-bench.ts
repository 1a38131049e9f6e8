// The job runner's part of `npm run bench`: jobs per second through the runner (enqueue → done) against raw inserts
// and claims of the same rows on the same engine, and the time from a job's commit to its start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { z } from 'zod';
import { allMigrations } from '../src/app-services.js';
import { systemClock } from '../src/platform/clock.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import { uuidv7 } from '../src/platform/ids.js';
import { defineJobKind } from '../src/platform/jobs/job-kind.js';
import { JobQueue } from '../src/platform/jobs/job-queue.js';
import { JobRunner } from '../src/platform/jobs/job-runner.js';
import { jobsRepository } from '../src/platform/jobs/jobs-repository.js';

const CHANNEL = 'carillon_jobs';
const BATCH = 500;
const CONCURRENCY = 100;

export type JobsFigures = { runnerPerSecond: number; rawPerSecond: number; startP50Ms: number; startP99Ms: number };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('the jobs did not finish in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Enqueue → done through the runner: `n` jobs queued in transactions of BATCH while the runner works them off. */
async function throughRunner(opened: OpenedDatabase, n: number): Promise<number> {
  const queue = new JobQueue({ db: opened.db, clock: systemClock, wake: (ex) => opened.notify(ex, CHANNEL) });
  const kind = defineJobKind(`bench.runner.${uuidv7()}`, z.object({ n: z.number() }));
  let done = 0;
  const runner = new JobRunner({
    db: opened.db,
    queue,
    clock: systemClock,
    log: pino({ level: 'warn' }),
    handlers: [{ kind, concurrency: CONCURRENCY, run: async () => void done++ }],
    schedules: [],
    pollMs: 1000,
    leaseMs: 60_000,
    onWake: (wake) => opened.listen(CHANNEL, wake),
  });
  await runner.start();
  const start = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    await opened.db.transaction().execute((trx) => queue.enqueueMany(trx, kind, Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => ({ payload: { n: i + j } }))));
  }
  // Done means recorded as done, not only run.
  await until(async () => done >= n && (await jobsRepository.list(opened.db, { kind: kind.name, status: 'running', limit: 1 })).length === 0 && (await jobsRepository.list(opened.db, { kind: kind.name, status: 'queued', limit: 1 })).length === 0, 300_000);
  const seconds = (performance.now() - start) / 1000;
  await runner.stop();
  return n / seconds;
}

/** The same rows with the runner's own statements and nothing else: inserted in batches, then claimed and marked done
 *  CONCURRENCY at a time. What any runner on this table must do; the runner's own cost is the difference. */
async function rawClaims(opened: OpenedDatabase, n: number): Promise<number> {
  const kind = `bench.raw.${uuidv7()}`;
  const owner = 'bench';
  const start = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const now = new Date().toISOString();
    await opened.db.transaction().execute((trx) =>
      jobsRepository.insert(trx, Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => ({ id: uuidv7(), kind, payload: { n: i + j }, uniqueKey: null, runAt: now, createdAt: now }))),
    );
  }
  for (let claimed = 0; claimed < n; ) {
    const now = new Date();
    const jobs = await jobsRepository.claim(opened.db, { kind, owner, now: now.toISOString(), leaseUntil: new Date(now.getTime() + 60_000).toISOString(), limit: CONCURRENCY });
    if (jobs.length === 0) throw new Error('raw claims found nothing left');
    await opened.db.transaction().execute((trx) => jobsRepository.complete(trx, owner, jobs.map((j) => j.id), new Date().toISOString()));
    claimed += jobs.length;
  }
  return n / ((performance.now() - start) / 1000);
}

/** From the commit of a job's transaction to the start of its handler, one job at a time every 10 ms. */
async function enqueueToStart(opened: OpenedDatabase, n: number): Promise<number[]> {
  const queue = new JobQueue({ db: opened.db, clock: systemClock, wake: (ex) => opened.notify(ex, CHANNEL) });
  const kind = defineJobKind(`bench.latency.${uuidv7()}`, z.object({ committedAt: z.number() }));
  const started = new Map<number, number>();
  const committed: number[] = [];
  const runner = new JobRunner({
    db: opened.db,
    queue,
    clock: systemClock,
    log: pino({ level: 'warn' }),
    handlers: [{ kind, concurrency: 10, run: async (p) => void started.set(p.committedAt, performance.now()) }],
    schedules: [],
    pollMs: 1000,
    leaseMs: 60_000,
    onWake: (wake) => opened.listen(CHANNEL, wake),
  });
  await runner.start();
  for (let i = 0; i < n; i++) {
    // The job carries its own index; its commit time is taken when the transaction returns.
    await opened.db.transaction().execute((trx) => queue.enqueue(trx, kind, { committedAt: i }));
    committed.push(performance.now());
    await new Promise((r) => setTimeout(r, 10));
  }
  await until(async () => started.size >= n, 60_000);
  await runner.stop();
  return committed.map((t, i) => started.get(i)! - t);
}

export async function benchJobs(options: { databaseUrl: string | undefined; jobs: number; latencyJobs: number }): Promise<JobsFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-bench-jobs-'));
  const opened = openDatabase({ databaseUrl: options.databaseUrl, dataDir });
  try {
    await migrateToLatest(opened.db, allMigrations());
    // Alternate the two sides once each way, and keep each side's better run: the machine's speed moves.
    const runner1 = await throughRunner(opened, options.jobs);
    const raw1 = await rawClaims(opened, options.jobs);
    const raw2 = await rawClaims(opened, options.jobs);
    const runner2 = await throughRunner(opened, options.jobs);
    const latencies = await enqueueToStart(opened, options.latencyJobs);
    return { runnerPerSecond: Math.max(runner1, runner2), rawPerSecond: Math.max(raw1, raw2), startP50Ms: percentile(latencies, 50), startP99Ms: percentile(latencies, 99) };
  } finally {
    await opened.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
