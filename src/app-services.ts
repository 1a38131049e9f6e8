// The composition root: opens the database, runs every module's migrations, builds the platform's services and then
// each capability module's, in registry order, and starts the job runner with every module's handlers and
// schedules. Everything a capability needs is handed to it here; nothing reads globals.
import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Migration } from 'kysely';
import type { Config } from './config.js';
import { systemClock, type Clock } from './platform/clock.js';
import { migrateToLatest, openDatabase } from './platform/db/database.js';
import { coreMigrations } from './platform/db/migrations/index.js';
import { JobQueue } from './platform/jobs/job-queue.js';
import { JobRunner } from './platform/jobs/job-runner.js';
import type { CapabilityModule, PlatformServices, Services } from './platform/module.js';
import { SecretBox, resolveMasterKey } from './platform/secret-box.js';
import { registry } from './registry.js';

/** The channel on which a commit that queued jobs wakes the runners. */
const JOBS_CHANNEL = 'carillon_jobs';

export type ComposedServices = Services & {
  /** The modules these services were built from, in registry order. */
  modules: readonly CapabilityModule[];
  jobRunner: JobRunner;
  close: () => Promise<void>;
};

export type ComposeOptions = {
  clock?: Clock;
  /** false: no job runner (the CLI, and tests that drive the services themselves). */
  startWorkers?: boolean;
  /** Replaces the registry's list (tests add modules of their own, or swap one). */
  modules?: readonly CapabilityModule[];
};

/** Every migration of these modules, by name; two modules naming the same migration is a mistake caught here. */
export function migrationsOf(modules: readonly CapabilityModule[]): Record<string, Migration> {
  const all: Record<string, Migration> = { ...coreMigrations };
  for (const m of modules) {
    for (const [name, migration] of Object.entries(m.migrations ?? {})) {
      if (name in all) throw new Error(`Migration ${name} of module ${m.name} is declared twice.`);
      all[name] = migration;
    }
  }
  return all;
}

export async function createServices(config: Config, log: FastifyBaseLogger, options: ComposeOptions = {}): Promise<ComposedServices> {
  const modules = options.modules ?? registry;
  const clock = options.clock ?? systemClock;
  const opened = openDatabase({ ...config, onError: (err) => log.warn({ err }, 'an idle database connection failed; it will be replaced') });
  await migrateToLatest(opened.db, migrationsOf(modules));
  const master = resolveMasterKey(config.masterKey, config.dataDir);
  if (master.created) log.warn('Generated a master key in %s/master.key: back it up, and set CARILLON_MASTER_KEY when running several nodes.', config.dataDir);

  // The platform's part of the bag; each module's provide() adds its own services to the same object.
  const platform: PlatformServices = {
    config,
    db: opened.db,
    engine: opened.engine,
    reader: opened.reader,
    clock,
    log,
    secretBox: new SecretBox(master.key),
    cookieKey: createHmac('sha256', master.key).update('carillon cookie signing v1').digest(),
    jobs: new JobQueue({ db: opened.db, clock, wake: (ex) => opened.notify(ex, JOBS_CHANNEL) }),
    signals: { notify: opened.notify, listen: opened.listen },
    operations: modules.flatMap((m) => m.operations ?? []),
  };
  const services = platform as ComposedServices;
  for (const m of modules) Object.assign(services, m.provide?.(services));

  const runner = new JobRunner({
    db: opened.db,
    queue: services.jobs,
    clock,
    log,
    handlers: modules.flatMap((m) => m.jobs?.(services) ?? []),
    schedules: modules.flatMap((m) => m.schedules?.(services) ?? []),
    pollMs: config.jobs.pollMs,
    leaseMs: config.jobs.leaseMs,
    onWake: (wake) => opened.listen(JOBS_CHANNEL, wake, (err) => log.warn({ err }, 'listening for queued jobs failed; polling meanwhile')),
  });
  Object.assign(services, {
    modules,
    jobRunner: runner,
    close: async () => {
      await runner.stop();
      for (const m of [...modules].reverse()) await m.close?.(services);
      await opened.close();
    },
  });
  if (options.startWorkers !== false) await runner.start();
  return services;
}

/** Every migration of the registry's modules (the migration tests and the benchmark's seeding use them). */
export const allMigrations = () => migrationsOf(registry);
