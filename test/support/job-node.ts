// A Carillon node for the job runner's multi-process tests: the whole registry plus a test module whose job kind
// records each run (job id and node) in a table the test made, and a recurring job every CARILLON_TEST_TICK_MS.
// Prints "ready" once its runner has started. Stopped by SIGTERM, or killed.
import pino from 'pino';
import { sql } from 'kysely';
import { z } from 'zod';
import { createServices } from '../../src/app-services.js';
import { loadConfig } from '../../src/config.js';
import { defineJobHandler, defineJobKind } from '../../src/platform/jobs/job-kind.js';
import { defineModule } from '../../src/platform/module.js';
import { registry } from '../../src/registry.js';

export const recordRun = defineJobKind('test.record', z.object({ n: z.number() }));
export const tick = defineJobKind('test.tick', z.object({}));

const node = process.env.CARILLON_TEST_NODE ?? 'node';
const workMs = Number(process.env.CARILLON_TEST_WORK_MS ?? '0');

const testModule = defineModule({
  name: 'test-jobs',
  jobs: (s) => [
    defineJobHandler({
      kind: recordRun,
      concurrency: 50,
      async run(_payload, ctx) {
        if (workMs > 0) await new Promise((r) => setTimeout(r, workMs));
        await sql`insert into test_job_runs (job_id, node) values (${ctx.jobId}, ${node})`.execute(s.db);
      },
    }),
    // The test counts the recurring job's queued jobs per time slot; running it does nothing.
    defineJobHandler({ kind: tick, run: async () => undefined }),
  ],
  schedules: () => [{ name: 'test.tick', kind: tick, payload: {}, cadence: { everyMs: Number(process.env.CARILLON_TEST_TICK_MS ?? '1000') }, runs: 'cluster' }],
});

const services = await createServices(loadConfig(), pino({ level: process.env.CARILLON_TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2)), { modules: [...registry, testModule] });
process.stdout.write(`ready ${services.jobRunner.owner}\n`);
// The runner's timers do not hold the process open (a server's listening socket does); this node has no server.
const keepAlive = setInterval(() => undefined, 60_000);
process.once('SIGTERM', () => {
  clearInterval(keepAlive);
  void services.close().then(() => process.exit(0));
});
