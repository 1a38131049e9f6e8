// SQL for invitations: one row per invitation sent to a person, with the hash of its link token. An invitation is
// pending until it is accepted or ends (revoked_at and end_reason set), or until its time runs out.
import type { Executor, InvitationsTable } from '../platform/db/schema.js';
import type { EmailStatus, InviteStatus } from '../platform/types.js';

/** Why an invitation ended without being accepted. */
/** `domain_claimed`: another account verified the invitee's domain, so they belong to that account now. */
export type EndReason = 'revoked' | 'invitee_removed' | 'account_deleted' | 'superseded' | 'domain_claimed';

/** Where an invitation stands, as every list shows it. */
export type InvitationState = 'pending' | 'accepted' | 'expired' | EndReason;

export type Invitation = {
  id: string;
  accountId: string;
  userId: string;
  email: string;
  status: InviteStatus;
  emailStatus: EmailStatus;
  tokenHash: string;
  expiresAt: string;
  acceptedAt: string | null;
  endedAt: string | null;
  endReason: EndReason | null;
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
    acceptedAt: r.accepted_at,
    endedAt: r.revoked_at,
    endReason: r.end_reason as EndReason | null,
    createdAt: r.created_at,
  };
}

export function stateOf(i: Invitation, now: string): InvitationState {
  if (i.acceptedAt) return 'accepted';
  if (i.endReason) return i.endReason;
  return i.expiresAt <= now ? 'expired' : 'pending';
}

export const invitationsRepository = {
  async insert(ex: Executor, invitations: Array<Omit<Invitation, 'acceptedAt' | 'endedAt' | 'endReason'>>): Promise<void> {
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

  async findByTokenHash(ex: Executor, tokenHash: string): Promise<Invitation | undefined> {
    const r = await ex.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && toInvitation(r);
  },

  async findById(ex: Executor, id: string): Promise<Invitation | undefined> {
    const r = await ex.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toInvitation(r);
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

  async latestOf(ex: Executor, accountId: string, userId: string): Promise<Invitation | undefined> {
    const r = await ex.selectFrom('invitations').selectAll().where('user_id', '=', userId).where('account_id', '=', accountId).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r && toInvitation(r);
  },

  /** Newest first. */
  async listForAccount(ex: Executor, accountId: string, limit: number): Promise<Invitation[]> {
    const rows = await ex.selectFrom('invitations').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toInvitation);
  },

  /**
   * Ends the unaccepted, unended invitations chosen by id, by invitee or by account, with `reason`; returns those it
   * ended. Expired ones end too, so that a later restore or re-invitation finds nothing half-alive.
   */
  async endOpen(ex: Executor, which: { ids?: string[]; userIds?: string[]; accountId?: string }, reason: EndReason, now: string): Promise<Invitation[]> {
    let q = ex.updateTable('invitations').set({ status: 'Failed', revoked_at: now, end_reason: reason, updated_at: now }).where('accepted_at', 'is', null).where('revoked_at', 'is', null);
    if (which.ids) q = which.ids.length === 0 ? q.where('id', 'in', ['']) : q.where('id', 'in', which.ids);
    if (which.userIds) q = which.userIds.length === 0 ? q.where('id', 'in', ['']) : q.where('user_id', 'in', which.userIds);
    if (which.accountId) q = q.where('account_id', '=', which.accountId);
    return (await q.returningAll().execute()).map(toInvitation);
  },

  /** Marks an open invitation accepted; false when it was no longer open (accepted or ended meanwhile). */
  async markAccepted(ex: Executor, id: string, now: string): Promise<boolean> {
    const res = await ex.updateTable('invitations').set({ status: 'Accepted', accepted_at: now, updated_at: now }).where('id', '=', id).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  async deleteOfAccounts(ex: Executor, accountIds: string[]): Promise<void> {
    if (accountIds.length > 0) await ex.deleteFrom('invitations').where('account_id', 'in', accountIds).execute();
  },
};
