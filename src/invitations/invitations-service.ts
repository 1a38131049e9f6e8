// Inviting people to a Team account: each address (deduplicated case-insensitively) becomes an Unregistered member
// with a Pending invitation, and its email is queued in the same transaction. Every way an invitation ends — revoked,
// its invitee removed, its account deleted, superseded by a new one — ends it in the same transaction as the change
// that causes it, with its unsent email cancelled; an expired one's email is never sent either (it carries the
// invitation's expiry as its send-by time).
import { createHash } from 'node:crypto';
import type { AccountsService } from '../accounts/accounts-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Mailer, MailOutcome } from '../mail/mailer.js';
import { DAY_MS, type Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { secureRandomBytes, uuidv7 } from '../platform/ids.js';
import type { Actor, EmailStatus, InviteStatus, UserType } from '../platform/types.js';
import type { UsersService } from '../users/users-service.js';
import { normalizeEmail, type User } from '../users/users-repository.js';
import { composeInvitationEmail } from './invitation-email.js';
import { invitationsRepository, stateOf, type EndReason, type Invitation } from './invitations-repository.js';

export type InviteResult = { inviteId: string; status: InviteStatus; email: string; emailStatus: EmailStatus };

export const hashInvitationToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The mail of an invitation carries this reference, so its outcome and its cancellation find the invitation. */
const REFERENCE = 'invitation:';
const referenceOf = (invitationId: string) => REFERENCE + invitationId;

export class InvitationsService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      audit: AuditLog;
      accounts: AccountsService;
      users: UsersService;
      mailer: Mailer;
      publicUrl: string;
      ttlDays: number;
    },
  ) {}

  async inviteUsers(actor: Actor, accountId: string, emails: string[], userType: UserType | undefined): Promise<InviteResult[]> {
    const unique = new Map<string, string>();
    for (const e of emails) if (!unique.has(normalizeEmail(e))) unique.set(normalizeEmail(e), e.trim());
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await this.deps.accounts.getAccount(accountId, trx);
      if (account.type !== 'Team') {
        throw new AppError('account.wrong_type', 'Invitations are for Team accounts; users of claimed domains join Enterprise accounts by registering.');
      }
      const members = await this.deps.users.membersByEmail(trx, accountId, [...unique.keys()]);
      // An address in a domain another account has verified belongs to that account: it cannot be invited here.
      const owners = await this.deps.users.ownersOfAddresses(trx, [...unique.keys()]);
      const previous = await invitationsRepository.latestForUsers(trx, [...members.values()].map((m) => m.id));
      const now = this.deps.clock.now();
      const nowIso = now.toISOString();
      const expiresAt = new Date(now.getTime() + this.deps.ttlDays * DAY_MS).toISOString();
      const out: InviteResult[] = [];
      const invitations: Array<Omit<Invitation, 'acceptedAt' | 'endedAt' | 'endReason'>> = [];
      const mails: Parameters<Mailer['queue']>[1] = [];
      const newUsers: User[] = [];
      const reinvited: User[] = [];
      for (const [norm, email] of unique) {
        const member = members.get(norm);
        const owner = owners.get(norm);
        if (owner !== undefined && owner !== accountId) {
          out.push({ inviteId: uuidv7(now.getTime()), status: 'Failed', email, emailStatus: 'Failed' });
          continue;
        }
        if (member && member.registrationStatus !== 'Unregistered' && member.registrationStatus !== 'Released') {
          // Already a member: nothing to send.
          out.push({ inviteId: previous.get(member.id)?.id ?? member.id, status: 'Accepted', email: member.email, emailStatus: 'NotSent' });
          continue;
        }
        const userId = member?.id ?? uuidv7(now.getTime());
        if (member) reinvited.push(member);
        else newUsers.push({ ...this.deps.users.blankMember(accountId, email, nowIso), id: userId, userType: userType ?? 'PrivateUser', license: account.defaultLicense, invitationStatus: 'Pending', invitedOn: nowIso });
        const token = secureRandomBytes(32).toString('base64url');
        const invitation = { id: uuidv7(now.getTime()), accountId, userId, email, status: 'Pending' as const, emailStatus: 'NotSent' as const, tokenHash: hashInvitationToken(token), expiresAt, createdAt: nowIso };
        invitations.push(invitation);
        const message = composeInvitationEmail({ accountName: account.name, link: `${this.deps.publicUrl}/invitations/${token}`, expiresAt });
        mails.push({ to: email, subject: message.subject, text: message.text, html: message.html, reference: referenceOf(invitation.id), sendBefore: expiresAt });
        out.push({ inviteId: invitation.id, status: 'Pending', email, emailStatus: 'NotSent' });
      }
      // A new invitation supersedes the person's earlier one: its link dies and its unsent email is cancelled.
      await this.end(trx, { userIds: reinvited.map((u) => u.id) }, 'superseded');
      await this.deps.users.addInvitees(trx, newUsers);
      await this.deps.users.markInvitedAgain(trx, reinvited.map((u) => u.id), nowIso);
      await invitationsRepository.insert(trx, invitations);
      await this.deps.mailer.queue(trx, mails);
      await this.deps.audit.recordMany(
        trx,
        actor,
        invitations.map((i) => ({ action: 'InviteUser', resourceType: 'invitation', resourceId: i.id, accountId, details: { email: i.email, userId: i.userId } })),
      );
      return out;
    });
  }

  /** Withdraws a pending invitation: its link stops working at once. Re-inviting sends a fresh one. */
  async revokeInvitation(actor: Actor, invitationId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const [ended] = await this.end(trx, { ids: [invitationId] }, 'revoked');
      if (!ended) throw new AppError('invitation.invalid', `No pending invitation ${invitationId}.`);
      await this.deps.audit.record(trx, actor, { action: 'RevokeInvitation', resourceType: 'invitation', resourceId: invitationId, accountId: ended.accountId, details: { email: ended.email } });
    });
  }

  /**
   * Ends open invitations with a reason, in the caller's transaction: the links die, their unsent mail is cancelled,
   * and the invitees who are still unregistered show UserInvitationStatus Failed until invited again.
   */
  async end(ex: Executor, which: Parameters<typeof invitationsRepository.endOpen>[1], reason: EndReason): Promise<Invitation[]> {
    const ended = await invitationsRepository.endOpen(ex, which, reason, this.deps.clock.now().toISOString());
    if (ended.length === 0) return ended;
    await this.deps.mailer.cancel(ex, ended.map((i) => referenceOf(i.id)), `The invitation was ${describeEnd(reason)} before this email went out.`);
    if (reason !== 'superseded') await this.deps.users.markInvitationFailed(ex, ended.map((i) => i.userId));
    return ended;
  }

  /** Invitations of an account, newest first, with where each stands. */
  async listInvitations(accountId: string, limit: number) {
    await this.deps.accounts.getAccount(accountId);
    const now = this.deps.clock.now().toISOString();
    return (await invitationsRepository.listForAccount(this.deps.db, accountId, limit)).map((i) => ({ ...i, state: stateOf(i, now) }));
  }

  /** The newest invitation of one member of an account: how it stands, whether its email went out, and the
   *  license the invitee will have on accepting. */
  async latestInvitationOf(accountId: string, userId: string) {
    const account = await this.deps.accounts.getAccount(accountId);
    const invitation = await invitationsRepository.latestOf(this.deps.db, accountId, userId);
    if (!invitation) throw new AppError('invitation.invalid', `User ${userId} of account ${accountId} has no invitation.`);
    const user = await this.deps.users.findMember(this.deps.db, accountId, userId);
    const chosen = user?.licenseChosenAt != null;
    return {
      ...invitation,
      state: stateOf(invitation, this.deps.clock.now().toISOString()),
      licenseOnAcceptance: chosen ? user!.license : account.defaultLicense,
      licenseChosen: chosen,
    };
  }

  /** What became of invitations' emails, told by the mailer in the transaction that records it. */
  async recordEmailOutcome(ex: Executor, references: string[], outcome: MailOutcome): Promise<void> {
    const ids = references.filter((r) => r.startsWith(REFERENCE)).map((r) => r.slice(REFERENCE.length));
    await invitationsRepository.setEmailStatus(ex, ids, outcome === 'sent' ? 'Sent' : 'Failed', this.deps.clock.now().toISOString());
  }
}

export function describeEnd(reason: EndReason): string {
  return { revoked: 'withdrawn', invitee_removed: 'withdrawn when the invitee was removed', account_deleted: 'withdrawn when its account was deleted', superseded: 'replaced by a newer invitation', domain_claimed: "withdrawn: another organization has claimed the invitee's email domain" }[reason];
}
