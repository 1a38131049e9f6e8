// Mail becomes a job kind: the outbox keeps each message and what became of it, and a queued `mail.deliver` job
// per pending message does the sending (attempts, back-off and leases are the job runner's). The sender's
// reference (an invitation's id) replaces the invitation column, and a message may carry a time after which it
// is no longer worth sending (an invitation's expiry).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_due').execute();
  await db.schema.alterTable('outbox').renameColumn('invitation_id', 'reference').execute();
  await db.schema.alterTable('outbox').addColumn('send_before', 'text').execute();
  for (const column of ['next_attempt_at', 'lease_owner', 'lease_until']) await db.schema.alterTable('outbox').dropColumn(column).execute();
  await db.schema.createIndex('outbox_reference').on('outbox').columns(['reference', 'status']).execute();
  await db.schema.createIndex('outbox_recipient').on('outbox').columns(['recipient', 'created_at']).execute();
  // Mail still waiting when the upgrade runs is handed to the job runner.
  await sql`
    insert into jobs (id, kind, payload, status, run_at, attempts, created_at, updated_at)
    select id, 'mail.deliver', '{"mailId":"' || id || '"}', 'queued', created_at, attempts, created_at, created_at
    from outbox where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from jobs where kind = 'mail.deliver'`.execute(db);
  await db.schema.dropIndex('outbox_recipient').execute();
  await db.schema.dropIndex('outbox_reference').execute();
  await db.schema.alterTable('outbox').addColumn('lease_until', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('next_attempt_at', 'text', (c) => c.notNull().defaultTo('1970-01-01T00:00:00.000Z')).execute();
  await sql`update outbox set status = 'failed' where status = 'cancelled'`.execute(db);
  await db.schema.alterTable('outbox').dropColumn('send_before').execute();
  await db.schema.alterTable('outbox').renameColumn('reference', 'invitation_id').execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
}
