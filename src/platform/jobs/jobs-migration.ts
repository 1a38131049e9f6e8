// The durable job queue's tables: one row per job (claimed under a lease that expires when its node dies) and one
// row per recurring schedule (the last time slot some node fired, so each slot fires once across all nodes).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // queued | running | done | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('unique_key', 'text')
    // When the job may next be claimed: its due time while queued, the end of its lease while running (so one
    // condition finds both the due jobs and those whose node died).
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('progress_done', 'integer')
    .addColumn('progress_total', 'integer')
    .addColumn('progress_message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  // The claim: the due jobs of one kind, oldest first. Finished jobs leave the index.
  await db.schema
    .createIndex('jobs_claimable')
    .on('jobs')
    .columns(['kind', 'run_at'])
    .where(sql.ref('status'), 'in', ['queued', 'running'])
    .execute();
  // A unique key is held by at most one unfinished job: "check domain X" is queued once.
  await db.schema
    .createIndex('jobs_unique_key')
    .on('jobs')
    .column('unique_key')
    .unique()
    .where(sql.ref('status'), 'in', ['queued', 'running'])
    .execute();
  // `carillon jobs list` (newest first, by kind or status) and the pruning of old finished jobs.
  await db.schema.createIndex('jobs_status').on('jobs').columns(['status', 'id']).execute();

  await db.schema
    .createTable('job_schedules')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_slot', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_schedules').execute();
  await db.schema.dropTable('jobs').execute();
}
