// The job runner's contract, on SQLite and on PostgreSQL alike: a job exists only if the transaction that queued it
// committed; retries back off and end in failed; a unique key queues once; a lease whose holder died is taken over;
// a recurring schedule fires once per time slot however many runners share the database. Then the same with real
// Carillon processes: two of them run 10,000 jobs with none run twice and none lost, and when one is killed with
// SIGKILL while it holds leases, the other finishes every job.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { z } from 'zod';
import { allMigrations } from '../src/app-services.js';
import { systemClock } from '../src/platform/clock.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import { defineJobKind, PermanentJobError, type JobHandler, type Schedule } from '../src/platform/jobs/job-kind.js';
import { JobQueue } from '../src/platform/jobs/job-queue.js';
import { JobRunner } from '../src/platform/jobs/job-runner.js';
import { jobsRepository } from '../src/platform/jobs/jobs-repository.js';
import { createTestDatabase, testEngine, type TestDatabase } from './support/database.js';

const CHANNEL = 'carillon_jobs';
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(timeoutMs > 30_000 ? 250 : 20);
  }
}

let database: TestDatabase;
let dataDir: string;
let opened: OpenedDatabase;
let queue: JobQueue;
const runners: JobRunner[] = [];

function runner(handlers: JobHandler[], schedules: Schedule[] = [], options: { pollMs?: number; leaseMs?: number } = {}): JobRunner {
  const r = new JobRunner({
    db: opened.db,
    queue,
    clock: systemClock,
    log: silent,
    handlers,
    schedules,
    pollMs: options.pollMs ?? 50,
    leaseMs: options.leaseMs ?? 2000,
    onWake: (wake) => opened.listen(CHANNEL, wake),
  });
  runners.push(r);
  return r;
}

const statusOf = async (id: string) => (await jobsRepository.findById(opened.db, id))?.status;

before(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-jobs-'));
  opened = openDatabase({ databaseUrl: database.databaseUrl, dataDir });
  await migrateToLatest(opened.db, allMigrations());
  queue = new JobQueue({ db: opened.db, clock: systemClock, wake: (ex) => opened.notify(ex, CHANNEL) });
});

after(async () => {
  for (const r of runners) await r.stop();
  await opened.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe(`the job runner on ${testEngine}`, () => {
  test('a job queued in a transaction that rolls back never runs; one that commits runs at once', async () => {
    const kind = defineJobKind('t.rollback', z.object({ label: z.string() }));
    const ran: string[] = [];
    // A poll far longer than the test: the committed job can only have started because the commit woke the runner.
    await runner([{ kind, run: async (p) => void ran.push(p.label) }], [], { pollMs: 60_000 }).start();
    await assert.rejects(
      opened.db.transaction().execute(async (trx) => {
        await queue.enqueue(trx, kind, { label: 'rolled back' });
        throw new Error('abort');
      }),
      /abort/,
    );
    const queuedAt = Date.now();
    await opened.db.transaction().execute((trx) => queue.enqueue(trx, kind, { label: 'committed' }));
    await until('the committed job', async () => ran.includes('committed'));
    assert.ok(Date.now() - queuedAt < 5000);
    await sleep(200);
    assert.deepEqual(ran, ['committed']);
    assert.equal((await queue.list({ kind: kind.name, limit: 10 })).length, 1, 'no row for the rolled-back job');
  });

  test('a failing job is retried with doubling delays and ends failed after its attempts; onFailed runs once', async () => {
    const kind = defineJobKind('t.backoff', z.object({}));
    const runs: number[] = [];
    const failed: string[] = [];
    await runner([
      {
        kind,
        retry: { baseMs: 100, maxMs: 10_000, maxAttempts: 4 },
        run: async () => {
          runs.push(Date.now());
          throw new Error(`attempt ${runs.length} failed`);
        },
        onFailed: async (_ex, _p, error) => void failed.push(error),
      },
    ]).start();
    const id = (await queue.enqueue(opened.db, kind, {}))!;
    await until('the job to fail for good', async () => (await statusOf(id)) === 'failed');
    assert.equal(runs.length, 4);
    const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
    // 100, 200 and 400 ms at least (the runner polls every 50 ms, so each gap may be a little longer).
    gaps.forEach((gap, i) => assert.ok(gap >= 100 * 2 ** i - 5, `gap ${i + 1} was ${gap} ms`));
    assert.ok(gaps[2]! > gaps[0]!, `the delays grow: ${gaps.join(', ')}`);
    const job = (await queue.get(id))!;
    assert.equal(job.attempts, 4);
    assert.equal(job.lastError, 'attempt 4 failed');
    assert.deepEqual(failed, ['attempt 4 failed']);
  });

  test('a permanent error fails the job on its first attempt; `retry` queues it again and it can succeed', async () => {
    const kind = defineJobKind('t.permanent', z.object({}));
    let broken = true;
    let runs = 0;
    await runner([
      {
        kind,
        run: async () => {
          runs++;
          if (broken) throw new PermanentJobError('cannot ever work');
        },
      },
    ]).start();
    const id = (await queue.enqueue(opened.db, kind, {}))!;
    await until('the job to fail', async () => (await statusOf(id)) === 'failed');
    assert.equal(runs, 1);
    await assert.rejects(queue.retry(randomBytes(8).toString('hex')), /No job/);
    broken = false;
    assert.equal((await queue.retry(id)).status, 'queued');
    await until('the retried job', async () => (await statusOf(id)) === 'done');
    assert.equal(runs, 2);
    await assert.rejects(queue.retry(id), /only failed jobs/);
  });

  test('a unique key is held by one unfinished job: enqueuing it again does nothing until that job is done', async () => {
    const kind = defineJobKind('t.unique', z.object({ n: z.number() }));
    const key = `check ${randomBytes(4).toString('hex')}`;
    const first = await queue.enqueue(opened.db, kind, { n: 1 }, { uniqueKey: key });
    assert.ok(first);
    assert.equal(await queue.enqueue(opened.db, kind, { n: 2 }, { uniqueKey: key }), undefined);
    await opened.db.transaction().execute(async (trx) => assert.equal(await queue.enqueue(trx, kind, { n: 3 }, { uniqueKey: key }), undefined));
    assert.equal((await queue.list({ kind: kind.name, limit: 10 })).length, 1);
    const seen: number[] = [];
    await runner([{ kind, run: async (p) => void seen.push(p.n) }]).start();
    await until('the job', async () => (await statusOf(first)) === 'done');
    const again = await queue.enqueue(opened.db, kind, { n: 4 }, { uniqueKey: key });
    assert.ok(again, 'queued again once the first one is done');
    await until('the second job', async () => (await statusOf(again)) === 'done');
    assert.deepEqual(seen, [1, 4]);
  });

  test('a payload that does not fit its kind is refused to the caller that enqueues it', async () => {
    const kind = defineJobKind('t.payload', z.object({ accountId: z.string().uuid() }));
    assert.throws(() => kind.payload.parse({ accountId: 'nope' }));
    await assert.rejects(queue.enqueue(opened.db, kind, { accountId: 'nope' }));
    assert.equal((await queue.list({ kind: kind.name, limit: 10 })).length, 0);
  });

  test('a job whose node died holding its lease is taken over when the lease runs out, and runs to the end', async () => {
    const kind = defineJobKind('t.takeover', z.object({}));
    const id = (await queue.enqueue(opened.db, kind, {}))!;
    // A node claims it and dies: nobody renews its lease.
    const now = new Date();
    const [claimed] = await jobsRepository.claim(opened.db, { kind: kind.name, owner: 'dead-node', now: now.toISOString(), leaseUntil: new Date(now.getTime() + 500).toISOString(), limit: 1 });
    assert.equal(claimed?.id, id);
    let ranAt = 0;
    await runner([{ kind, run: async () => void (ranAt = Date.now()) }]).start();
    await until('the taken-over job', async () => (await statusOf(id)) === 'done');
    assert.ok(ranAt - now.getTime() >= 450, `ran ${ranAt - now.getTime()} ms after the claim, before the lease ran out`);
    assert.equal((await queue.get(id))!.attempts, 2);
    // The dead node's late completion changes nothing: the lease is no longer its.
    assert.deepEqual(await jobsRepository.complete(opened.db, 'dead-node', [id], new Date().toISOString()), []);
  });

  test('a long job keeps its lease by renewing it, so no other runner takes it over', async () => {
    const kind = defineJobKind('t.long', z.object({}));
    let runs = 0;
    const handler: JobHandler = { kind, run: async () => void (runs++, await sleep(1500)) };
    // Two runners with a 300 ms lease: without renewals the second would take the job over several times.
    await runner([handler], [], { leaseMs: 300 }).start();
    await runner([handler], [], { leaseMs: 300 }).start();
    const id = (await queue.enqueue(opened.db, kind, {}))!;
    await until('the long job', async () => (await statusOf(id)) === 'done', 10_000);
    assert.equal(runs, 1);
  });

  test('progress reported by a job is recorded, and visible while it runs', async () => {
    const kind = defineJobKind('t.progress', z.object({}));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await runner([
      {
        kind,
        run: async (_p, ctx) => {
          ctx.progress({ done: 400, total: 1000, message: 'users synced' });
          await gate;
          ctx.progress({ done: 1000, total: 1000, message: 'users synced' });
        },
      },
    ]).start();
    const id = (await queue.enqueue(opened.db, kind, {}))!;
    const running = await until('progress while running', async () => {
      const job = await queue.get(id);
      return job?.status === 'running' && job.progress ? job : undefined;
    });
    assert.deepEqual(running.progress, { done: 400, total: 1000, message: 'users synced' });
    release();
    await until('the job', async () => (await statusOf(id)) === 'done');
    assert.deepEqual((await queue.get(id))!.progress, { done: 1000, total: 1000, message: 'users synced' });
  });

  test('a cluster schedule fires once per time slot across three runners; an every-node one runs on each', async () => {
    const kind = defineJobKind('t.tick', z.object({}));
    const local = defineJobKind('t.local', z.object({}));
    const localRuns = new Map<number, number>();
    const schedules: Schedule[] = [
      { name: `t.tick.${randomBytes(3).toString('hex')}`, kind, payload: {}, cadence: { everyMs: 300 }, runs: 'cluster' },
      { name: 't.local', kind: local, payload: {}, cadence: { everyMs: 100 }, runs: 'every-node' },
    ];
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      await runner([{ kind, run: async () => undefined }, { kind: local, run: async () => void localRuns.set(i, (localRuns.get(i) ?? 0) + 1) }], schedules, { pollMs: 20 }).start();
    }
    await sleep(1600);
    const jobs = await queue.list({ kind: kind.name, limit: 100 });
    const slots = new Map<number, number>();
    for (const j of jobs) slots.set(Math.floor(Date.parse(j.createdAt) / 300), (slots.get(Math.floor(Date.parse(j.createdAt) / 300)) ?? 0) + 1);
    assert.ok(slots.size >= 4, `fired in ${slots.size} slots`);
    for (const [slot, n] of slots) assert.equal(n, 1, `slot ${slot} fired ${n} times`);
    const firstSlot = Math.floor(started / 300);
    assert.ok([...slots.keys()].every((s) => s >= firstSlot));
    // Every-node schedules run on each runner, and never through the queue.
    for (let i = 0; i < 3; i++) assert.ok((localRuns.get(i) ?? 0) >= 8, `runner ${i} ran its local job ${localRuns.get(i)} times`);
    assert.equal((await queue.list({ kind: local.name, limit: 10 })).length, 0);
  });
});

describe(`Carillon processes on one ${testEngine} database`, () => {
  const masterKey = randomBytes(32).toString('base64');
  let multiDb: TestDatabase;
  let multiDir: string;
  let multi: OpenedDatabase;
  let multiQueue: JobQueue;
  const children: ChildProcess[] = [];
  const recordRun = defineJobKind('test.record', z.object({ n: z.number() }));

  /** Starts a node; resolves with the process and its runner's lease owner name. */
  function startNode(name: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; owner: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'job-node.ts')], {
      env: {
        ...process.env,
        CARILLON_DATA_DIR: multiDir,
        ...(multiDb.databaseUrl && { DATABASE_URL: multiDb.databaseUrl }),
        CARILLON_MASTER_KEY: masterKey,
        CARILLON_JOBS_POLL_MS: '100',
        // Short enough for a takeover within the test, long enough that a node slowed down by the rest of the suite
        // (renewing every third of it) never loses a lease while alive.
        CARILLON_JOBS_LEASE_MS: '5000',
        CARILLON_TEST_TICK_MS: '500',
        CARILLON_TEST_NODE: name,
        LOG_LEVEL: 'silent',
        PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code} before it was ready`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        const ready = /ready (\S+)/.exec(chunk.toString());
        if (ready) resolve({ child, owner: ready[1]! });
      });
    });
  }

  const count = async (q: ReturnType<typeof sql<{ n: number | string }>>) => Number((await q.execute(multi.db)).rows[0]!.n);

  before(async () => {
    multiDb = await createTestDatabase();
    multiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-jobs-multi-'));
    multi = openDatabase({ databaseUrl: multiDb.databaseUrl, dataDir: multiDir });
    await migrateToLatest(multi.db, allMigrations());
    await sql`create table test_job_runs (job_id text not null, node text not null)`.execute(multi.db);
    multiQueue = new JobQueue({ db: multi.db, clock: systemClock, wake: (ex) => multi.notify(ex, CHANNEL) });
  });

  after(async () => {
    await stopAll();
    await multi.close();
    await multiDb.drop();
    fs.rmSync(multiDir, { recursive: true, force: true });
  });

  async function enqueue(n: number, offset = 0): Promise<void> {
    for (let i = 0; i < n; i += 1000) {
      await multi.db.transaction().execute((trx) => multiQueue.enqueueMany(trx, recordRun, Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ payload: { n: offset + i + k } }))));
    }
  }

  /** Stops the nodes a test started, even when it failed, so the next test starts alone. */
  async function stopAll(): Promise<void> {
    for (const c of children.splice(0)) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }

  // Carillon runs one node on SQLite (the CLI beside it runs no jobs), and several on PostgreSQL.
  const nodes = testEngine === 'postgres' ? ['a', 'b'] : ['a'];

  test(`10,000 jobs run across ${nodes.length} process(es): each exactly once, none lost; the recurring job fires once per tick`, { timeout: 240_000 }, async () => {
    try {
      for (const name of nodes) await startNode(name);
      await enqueue(10_000);
      await until('every job done', async () => (await count(sql`select count(*) as n from jobs where kind = 'test.record' and status = 'done'`)) === 10_000, 180_000);
      assert.equal(await count(sql`select count(*) as n from test_job_runs`), 10_000, 'a job ran twice');
      assert.equal(await count(sql`select count(distinct job_id) as n from test_job_runs`), 10_000, 'a job was lost');
      const byNode = (await sql<{ node: string; n: number | string }>`select node, count(*) as n from test_job_runs group by node`.execute(multi.db)).rows;
      assert.deepEqual(byNode.map((r) => r.node).sort(), nodes, 'every process ran jobs');
      // The recurring job: one queued job per 500 ms slot, whichever process fired it (and at least three slots).
      const perSlot = new Map<number, number>();
      await until('three slots of the recurring job', async () => {
        perSlot.clear();
        for (const t of await multiQueue.list({ kind: 'test.tick', limit: 1000 })) perSlot.set(Math.floor(Date.parse(t.createdAt) / 500), (perSlot.get(Math.floor(Date.parse(t.createdAt) / 500)) ?? 0) + 1);
        return perSlot.size >= 3;
      });
      for (const [slot, n] of perSlot) assert.equal(n, 1, `slot ${slot} fired ${n} times`);
    } finally {
      await stopAll();
    }
  });

  test('kill -9 of the process holding leases mid-batch: the other one finishes every job', { timeout: 240_000 }, async () => {
    try {
      await sql`delete from test_job_runs`.execute(multi.db);
      const before = await count(sql`select count(*) as n from jobs where kind = 'test.record' and status = 'done'`);
      // Each job takes 100 ms, and a process runs 50 at once: the killed one holds about 50 leases. On PostgreSQL
      // the survivor is a second node running beside it; on SQLite, the next start of the only node.
      const a = await startNode('a', { CARILLON_TEST_WORK_MS: '100' });
      if (testEngine === 'postgres') await startNode('b', { CARILLON_TEST_WORK_MS: '100' });
      await enqueue(1500, 100_000);
      await until('the first process to be busy', async () => (await count(sql`select count(*) as n from test_job_runs where node = 'a'`)) >= 200, 60_000);
      const held = await count(sql`select count(*) as n from jobs where kind = 'test.record' and status = 'running' and lease_owner = ${a.owner}`);
      a.child.kill('SIGKILL');
      await new Promise((r) => a.child.once('exit', r));
      assert.ok(held > 0, 'the killed process held leases');
      if (testEngine === 'sqlite') await startNode('b', { CARILLON_TEST_WORK_MS: '100' });
      await until('every job done', async () => (await count(sql`select count(*) as n from jobs where kind = 'test.record' and status = 'done'`)) === before + 1500, 180_000);
      assert.equal(await count(sql`select count(*) as n from jobs where kind = 'test.record' and status <> 'done'`), 0);
      // Every job ran; one the killed process was running when it died may have run twice (the survivor runs it
      // again), but no more than the killed one had in flight.
      assert.equal(await count(sql`select count(distinct job_id) as n from test_job_runs`), 1500);
      const runs = await count(sql`select count(*) as n from test_job_runs`);
      assert.ok(runs >= 1500 && runs <= 1500 + 50, `${runs} runs`);
      assert.ok((await count(sql`select count(*) as n from test_job_runs where node = 'b'`)) > 0, 'the survivor ran the rest');
    } finally {
      await stopAll();
    }
  });
});
