// SQL for invitations: one row per invitation sent to a person, with the hash of its link token.
import type { Executor, InvitationsTable } from '../platform/db/schema.js';
import type { EmailStatus, InviteStatus } from '../platform/types.js';

export type Invitation = {
  id: string;
  accountId: string;
  userId: string;
  email: string;
  status: InviteStatus;
  emailStatus: EmailStatus;
  tokenHash: string;
  expiresAt: string;
  createdAt: string;
};

function toInvitation(r: InvitationsTable): Invitation {
  return {
    id: r.id,
    accountId: r.account_id,
    userId: r.user_id,
    email: r.email,
    status: r.status as InviteStatus,
    emailStatus: r.email_status as EmailStatus,
    tokenHash: r.token_hash,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  };
}

export const invitationsRepository = {
  async insert(ex: Executor, invitations: Invitation[]): Promise<void> {
    if (invitations.length === 0) return;
    await ex
      .insertInto('invitations')
      .values(
        invitations.map((i) => ({
          id: i.id,
          account_id: i.accountId,
          user_id: i.userId,
          email: i.email,
          status: i.status,
          email_status: i.emailStatus,
          token_hash: i.tokenHash,
          expires_at: i.expiresAt,
          created_at: i.createdAt,
          updated_at: i.createdAt,
        })),
      )
      .execute();
  },

  async setEmailStatus(ex: Executor, ids: string[], emailStatus: EmailStatus, at: string): Promise<void> {
    if (ids.length === 0) return;
    await ex.updateTable('invitations').set({ email_status: emailStatus, updated_at: at }).where('id', 'in', ids).execute();
  },

  /** The newest invitation of each given user. */
  async latestForUsers(ex: Executor, userIds: string[]): Promise<Map<string, Invitation>> {
    if (userIds.length === 0) return new Map();
    const rows = await ex.selectFrom('invitations').selectAll().where('user_id', 'in', userIds).orderBy('id').execute();
    const latest = new Map<string, Invitation>();
    for (const r of rows) latest.set(r.user_id, toInvitation(r));
    return latest;
  },
};
