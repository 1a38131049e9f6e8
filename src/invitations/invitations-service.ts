// Inviting people to a Team account: each address (deduplicated case-insensitively) becomes an Unregistered
// member with a Pending invitation, and its email is queued in the durable outbox in the same transaction.
import { createHash } from 'node:crypto';
import type { AccountsService } from '../accounts/accounts-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { DAY_MS, type Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { uuidv7, secureRandomBytes } from '../platform/ids.js';
import type { Actor, EmailStatus, InviteStatus, UserType } from '../platform/types.js';
import { outboxRepository } from '../mail/outbox-repository.js';
import { normalizeEmail, usersRepository, type User } from '../users/users-repository.js';
import { composeInvitationEmail } from './invitation-email.js';
import { invitationsRepository, type Invitation } from './invitations-repository.js';

export type InviteResult = { inviteId: string; status: InviteStatus; email: string; emailStatus: EmailStatus };

export const hashInvitationToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class InvitationsService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      audit: AuditLog;
      accounts: AccountsService;
      publicUrl: string;
      ttlDays: number;
      /** Called after commit so the outbox worker sends at once instead of at its next poll. */
      onQueued: () => void;
    },
  ) {}

  async inviteUsers(actor: Actor, accountId: string, emails: string[], userType: UserType | undefined): Promise<InviteResult[]> {
    const unique = new Map<string, string>();
    for (const e of emails) if (!unique.has(normalizeEmail(e))) unique.set(normalizeEmail(e), e.trim());
    const results = await this.deps.db.transaction().execute(async (trx) => {
      const account = await this.deps.accounts.getAccount(accountId, trx);
      if (account.type !== 'Team') {
        throw new AppError('account.wrong_type', 'Invitations are for Team accounts; users of claimed domains join Enterprise accounts by registering.');
      }
      const members = await usersRepository.findMembersByEmail(trx, accountId, [...unique.keys()]);
      const previous = await invitationsRepository.latestForUsers(trx, [...members.values()].map((m) => m.id));
      const now = this.deps.clock.now();
      const nowIso = now.toISOString();
      const expiresAt = new Date(now.getTime() + this.deps.ttlDays * DAY_MS).toISOString();
      const out: InviteResult[] = [];
      const invitations: Invitation[] = [];
      const mails: Parameters<typeof outboxRepository.enqueue>[1] = [];
      const newUsers: User[] = [];
      const reinvitedIds: string[] = [];
      for (const [norm, email] of unique) {
        const member = members.get(norm);
        if (member && member.registrationStatus !== 'Unregistered') {
          // Already a member: nothing to send.
          out.push({ inviteId: previous.get(member.id)?.id ?? member.id, status: 'Accepted', email: member.email, emailStatus: 'NotSent' });
          continue;
        }
        const userId = member?.id ?? uuidv7(now.getTime());
        if (member) reinvitedIds.push(member.id);
        else newUsers.push(this.newInvitee(userId, accountId, email, userType, account.defaultLicense, nowIso));
        const token = secureRandomBytes(32).toString('base64url');
        const invitation: Invitation = {
          id: uuidv7(now.getTime()),
          accountId,
          userId,
          email,
          status: 'Pending',
          emailStatus: 'NotSent',
          tokenHash: hashInvitationToken(token),
          expiresAt,
          createdAt: nowIso,
        };
        invitations.push(invitation);
        const message = composeInvitationEmail({ accountName: account.name, link: `${this.deps.publicUrl}/invitations/${token}`, expiresAt });
        mails.push({ id: uuidv7(now.getTime()), recipient: email, subject: message.subject, textBody: message.text, htmlBody: message.html, invitationId: invitation.id, createdAt: nowIso });
        out.push({ inviteId: invitation.id, status: 'Pending', email, emailStatus: 'NotSent' });
      }
      await usersRepository.insertMany(trx, newUsers);
      await usersRepository.update(trx, reinvitedIds, { invitation_status: 'Pending', invited_on: nowIso }, nowIso);
      await invitationsRepository.insert(trx, invitations);
      await outboxRepository.enqueue(trx, mails);
      await this.deps.audit.recordMany(
        trx,
        actor,
        invitations.map((i) => ({ action: 'InviteUser', resourceType: 'invitation', resourceId: i.id, accountId, details: { email: i.email, userId: i.userId } })),
      );
      return out;
    });
    if (results.some((r) => r.status === 'Pending')) this.deps.onQueued();
    return results;
  }

  /** Withdraws a pending invitation: its link stops working at once. Re-inviting sends a fresh one. */
  async revokeInvitation(actor: Actor, invitationId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const now = this.deps.clock.now().toISOString();
      const invitation = await trx.selectFrom('invitations').select(['id', 'account_id', 'user_id', 'email']).where('id', '=', invitationId).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
      if (!invitation) throw new AppError('invitation.invalid', `No pending invitation ${invitationId}.`);
      await trx.updateTable('invitations').set({ status: 'Failed', revoked_at: now, updated_at: now }).where('id', '=', invitationId).execute();
      // The invitee, still unregistered, now shows UserInvitationStatus Failed until invited again.
      await trx.updateTable('users').set({ invitation_status: 'Failed', updated_at: now }).where('id', '=', invitation.user_id).where('registration_status', '=', 'Unregistered').execute();
      await this.deps.audit.record(trx, actor, { action: 'RevokeInvitation', resourceType: 'invitation', resourceId: invitationId, accountId: invitation.account_id, details: { email: invitation.email } });
    });
  }

  /** Invitations of an account, newest first, with where each stands. */
  async listInvitations(accountId: string, limit: number) {
    await this.deps.accounts.getAccount(accountId);
    const rows = await this.deps.db
      .selectFrom('invitations')
      .select(['id', 'email', 'status', 'email_status', 'expires_at', 'accepted_at', 'revoked_at', 'created_at'])
      .where('account_id', '=', accountId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    const now = this.deps.clock.now().toISOString();
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      state: r.accepted_at ? 'accepted' : r.revoked_at ? 'revoked' : r.expires_at <= now ? 'expired' : 'pending',
      emailStatus: r.email_status,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    }));
  }

  /** The newest invitation of one member of an account: how it stands and whether its email went out. */
  async latestInvitationOf(accountId: string, userId: string) {
    await this.deps.accounts.getAccount(accountId);
    const row = await this.deps.db
      .selectFrom('invitations')
      .select(['id', 'email', 'status', 'email_status', 'expires_at', 'created_at'])
      .where('user_id', '=', userId)
      .where('account_id', '=', accountId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) throw new AppError('invitation.invalid', `User ${userId} of account ${accountId} has no invitation.`);
    return { id: row.id, email: row.email, status: row.status as InviteStatus, emailStatus: row.email_status as EmailStatus, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** The outbox reports what became of invitations' emails. */
  async recordEmailOutcome(ex: Executor, invitationIds: string[], outcome: 'sent' | 'failed'): Promise<void> {
    await invitationsRepository.setEmailStatus(ex, invitationIds, outcome === 'sent' ? 'Sent' : 'Failed', this.deps.clock.now().toISOString());
  }

  private newInvitee(id: string, accountId: string, email: string, userType: UserType | undefined, license: User['license'], now: string): User {
    return {
      id,
      accountId,
      email,
      displayName: null,
      userType: userType ?? 'PrivateUser',
      license,
      registrationStatus: 'Unregistered',
      invitationStatus: 'Pending',
      invitedOn: now,
      registeredOn: null,
      personalPin: null,
      alexaEnabled: null,
      alexaRoomArn: null,
      telephony: { inboundCalling: true, outboundCalling: true, sms: true },
      proTrialEndsAt: null,
      sessionsRevokedAt: null,
      createdAt: now,
      updatedAt: now,
      removedAt: null,
      identityId: null,
    };
  }
}
