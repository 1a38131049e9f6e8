// Mistakes that must not compile. `npm test` type-checks this file with the rest (tsc -p .): each line under a
// `@ts-expect-error` has to be an error, or tsc reports the directive as unused and the run fails. Nothing here runs.
import { z } from 'zod';
import { defineJobKind } from '../src/platform/jobs/job-kind.js';
import type { JobQueue } from '../src/platform/jobs/job-queue.js';
import type { Services } from '../src/platform/module.js';
import { defineOperation } from '../src/platform/operation.js';

const base = { name: 'ListExamples', method: 'GET', path: '/examples', status: 200, input: z.object({}), output: z.object({ Count: z.number() }) } as const;

// A misspelt permission: the policy would have denied every role without a word.
defineOperation({
  ...base,
  // @ts-expect-error 'manage-user' is not a permission ('manage-users' is)
  permission: 'manage-user',
  scope: 'installation',
  handle: async () => ({ Count: 1 }),
});

// An account-scoped operation must say which account its input names.
// @ts-expect-error `account` is missing
defineOperation({ ...base, permission: 'read', scope: 'account', handle: async () => ({ Count: 1 }) });

// The handler's result must fit the declared output.
defineOperation({
  ...base,
  permission: 'read',
  scope: 'confined',
  // @ts-expect-error Count is a number on the wire
  handle: async () => ({ Count: 'one' }),
});

// Services are typed by the modules that provide them: a misspelt one does not exist.
export function misspeltService(s: Services) {
  // @ts-expect-error there is no `acounts` service
  return s.acounts;
}

// A job's payload must fit its kind.
export async function wrongPayload(jobs: JobQueue, ex: Parameters<JobQueue['enqueue']>[0]) {
  const checkDomain = defineJobKind('example.check', z.object({ domain: z.string() }));
  // @ts-expect-error `domain` is missing from the payload
  await jobs.enqueue(ex, checkDomain, { name: 'example.com' });
}
