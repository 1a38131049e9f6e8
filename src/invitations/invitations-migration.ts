// Why an invitation ended without being accepted: revoked, its invitee removed, its account deleted, or superseded
// by a newer invitation. The link of an ended invitation never works again, whatever happens to the account later.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('end_reason', 'text').execute();
  // Invitations revoked before this release ended by revocation; older ones that a newer one replaced are
  // superseded now, so that no list shows them pending.
  await sql`update invitations set end_reason = 'revoked' where revoked_at is not null`.execute(db);
  await sql`
    update invitations set status = 'Failed', end_reason = 'superseded', revoked_at = updated_at
    where accepted_at is null and revoked_at is null
      and exists (select 1 from invitations newer where newer.user_id = invitations.user_id and newer.id > invitations.id)`.execute(db);
  await db.schema.createIndex('invitations_account').on('invitations').columns(['account_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invitations_account').execute();
  await db.schema.alterTable('invitations').dropColumn('end_reason').execute();
}
