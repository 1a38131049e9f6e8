// The job queue as a module: its tables, `carillon jobs list|retry`, and the daily pruning of finished jobs.
import { z } from 'zod';
import { UsageError, limitFlag, noArgs, oneArg, stringFlag, table } from '../../cli/flags.js';
import { DAY_MS } from '../clock.js';
import { defineModule } from '../module.js';
import { defineJobHandler, defineJobKind } from './job-kind.js';
import * as jobsMigration from './jobs-migration.js';
import { jobsRepository, jobStatuses, type Job, type JobStatus } from './jobs-repository.js';

/** Finished jobs are kept this long for `jobs list`, then deleted (failed ones longer, for the operator to see). */
const KEEP_DONE_DAYS = 7;
const KEEP_FAILED_DAYS = 90;

export const pruneJobs = defineJobKind('jobs.prune', z.object({}));

function describeProgress(j: Job): string {
  if (!j.progress) return '';
  const total = j.progress.total === null ? '' : `/${j.progress.total}`;
  return `${j.progress.done}${total}${j.progress.message ? ` ${j.progress.message}` : ''}`;
}

export const jobsModule = defineModule({
  name: 'jobs',
  migrations: { '006-jobs': jobsMigration },
  jobs: (s) => [
    defineJobHandler({
      kind: pruneJobs,
      async run() {
        const now = s.clock.now().getTime();
        await jobsRepository.deleteFinishedBefore(s.db, 'done', new Date(now - KEEP_DONE_DAYS * DAY_MS).toISOString());
        await jobsRepository.deleteFinishedBefore(s.db, 'failed', new Date(now - KEEP_FAILED_DAYS * DAY_MS).toISOString());
      },
    }),
  ],
  schedules: () => [{ name: 'jobs.prune', kind: pruneJobs, payload: {}, cadence: { dailyAtUtc: '03:00' }, runs: 'cluster' }],
  cli: [
    {
      name: 'jobs list',
      usage: 'jobs list [--kind KIND] [--status queued|running|failed|done] [--limit N] [--json]',
      run: async (s, args, flags, io) => {
        noArgs(args);
        const status = stringFlag(flags, 'status') as JobStatus | undefined;
        if (status && !jobStatuses.includes(status)) throw new UsageError(`--status must be one of ${jobStatuses.join(', ')}`);
        const jobs = await s.jobs.list({ kind: stringFlag(flags, 'kind'), status, limit: limitFlag(flags, 50) });
        if (flags.json) {
          io.out(JSON.stringify(jobs, null, 2));
          return;
        }
        if (jobs.length === 0) {
          io.out('No jobs.');
          return;
        }
        io.out(
          table([
            ['JOB ID', 'KIND', 'STATUS', 'ATTEMPTS', 'PROGRESS', 'RUN AT', 'LAST ERROR'],
            ...jobs.map((j) => [j.id, j.kind, j.status, String(j.attempts), describeProgress(j), j.status === 'queued' ? j.runAt : '', (j.lastError ?? '').slice(0, 80)]),
          ]),
        );
      },
    },
    {
      name: 'jobs retry',
      usage: 'jobs retry JOB_ID                          (queues a failed job again)',
      run: async (s, args, _flags, io) => {
        const job = await s.jobs.retry(oneArg(args, 'job id'));
        io.out(`Queued job ${job.id} (${job.kind}) again.`);
      },
    },
  ],
});
