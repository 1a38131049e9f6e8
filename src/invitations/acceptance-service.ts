// Accepting an invitation from its emailed link: the link's token is single-use and expires; accepting makes the
// invitee a Registered member of the account and ends any personal Pro trial.
import type { Account } from '../accounts/accounts-repository.js';
import type { AccountsService } from '../accounts/accounts-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { passwordProblem } from '../signin/passwords.js';
import type { Identity } from '../signin/signin-repository.js';
import { identityActor, type SigninService } from '../signin/signin-service.js';
import type { SignInAttempt } from '../signin/methods/signin-method.js';
import { normalizeEmail, type User } from '../users/users-repository.js';
import type { UsersService } from '../users/users-service.js';
import { invitationsRepository } from './invitations-repository.js';
import { describeEnd, hashInvitationToken } from './invitations-service.js';

export type InvitationView = { invitationId: string; email: string; account: Account; user: User; identityExists: boolean };

export class AcceptanceService {
  constructor(private readonly deps: { db: Db; clock: Clock; audit: AuditLog; accounts: AccountsService; users: UsersService; signin: SigninService }) {}

  /** What a link leads to, or the reason it leads nowhere (unknown, expired, used or ended). */
  async inspect(token: string, ex: Executor = this.deps.db): Promise<InvitationView> {
    const invitation = token.length <= 100 ? await invitationsRepository.findByTokenHash(ex, hashInvitationToken(token)) : undefined;
    if (!invitation) throw new AppError('invitation.invalid', 'This invitation link is not valid. Check that you copied the whole link.');
    if (invitation.acceptedAt) throw new AppError('invitation.used', 'This invitation has already been accepted. Sign in instead.');
    if (invitation.endReason) {
      throw new AppError('invitation.invalid', `This invitation was ${describeEnd(invitation.endReason)}. Ask your administrator to invite you again.`);
    }
    const user = await this.deps.users.findMember(ex, invitation.accountId, invitation.userId);
    const account = await this.deps.accounts.findAccount(invitation.accountId, ex);
    if (!user || !account || (user.registrationStatus !== 'Unregistered' && user.registrationStatus !== 'Released')) {
      throw new AppError('invitation.invalid', 'This invitation has been withdrawn. Ask your administrator to invite you again.');
    }
    if (invitation.expiresAt <= this.deps.clock.now().toISOString()) {
      throw new AppError('invitation.expired', 'This invitation has expired. Ask your administrator to send a new one.');
    }
    const owner = await this.deps.users.ownerOfAddress(ex, invitation.email);
    if (owner !== undefined && owner !== account.id) {
      throw new AppError('invitation.invalid', "This invitation was withdrawn: another organization has claimed your email's domain, and its account is where you belong.");
    }
    const identity = await this.deps.signin.findIdentityByEmail(invitation.email, ex);
    // An unverified identity does not count: the link proves the address, so its holder may register afresh.
    return { invitationId: invitation.id, email: invitation.email, account, user, identityExists: identity?.emailVerifiedAt != null };
  }

  /** A signed-in person accepts an invitation addressed to their own email. */
  async acceptAsIdentity(token: string, identityId: string): Promise<InvitationView> {
    return this.deps.db.transaction().execute(async (trx) => {
      const view = await this.inspect(token, trx);
      const identity = await this.deps.signin.findIdentity(identityId, trx);
      if (!identity || identity.emailNorm !== normalizeEmail(view.email)) {
        throw new AppError('invitation.email_mismatch', `This invitation is for ${view.email}. Sign in with that email to accept it.`);
      }
      await this.join(trx, view, identity);
      return view;
    });
  }

  /** A newcomer registers from the invitation: the link proves the email, so the identity starts verified. */
  async registerAndAccept(token: string, input: { password: string; displayName: string | undefined } & SignInAttempt): Promise<{ view: InvitationView; sessionToken: string }> {
    // Judged before the transaction: the first judgement loads the password dictionaries, which takes a while.
    const before = await this.inspect(token);
    const problem = await passwordProblem(input.password, { email: before.email, accountName: before.account.name });
    if (problem) throw new AppError('signin.password_weak', problem);
    return this.deps.db.transaction().execute(async (trx) => {
      const view = await this.inspect(token, trx);
      if (view.identityExists) throw new AppError('signin.email_taken', 'You already have an identity with this email: sign in to accept the invitation.');
      const unverified = await this.deps.signin.findIdentityByEmail(view.email, trx);
      let identity: Identity;
      if (unverified) {
        await this.deps.signin.claimUnverified(trx, unverified, input.password);
        const name = input.displayName?.trim() || null;
        await this.deps.signin.setDisplayName(trx, unverified.id, name);
        identity = { ...unverified, displayName: name };
      } else {
        identity = await this.deps.signin.createIdentity(trx, { email: view.email, password: input.password, displayName: input.displayName, emailVerified: true });
      }
      await this.join(trx, view, identity);
      const sessionToken = await this.deps.signin.openSession(trx, identity.id, input, 'invitation');
      return { view, sessionToken };
    });
  }

  private async join(ex: Executor, view: InvitationView, identity: Identity): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    if (!(await invitationsRepository.markAccepted(ex, view.invitationId, now))) {
      throw new AppError('invitation.used', 'This invitation has just been accepted or withdrawn.');
    }
    const left = await this.deps.users.registerInvitee(ex, { user: view.user, account: view.account, identityId: identity.id, displayName: view.user.displayName ?? identity.displayName });
    await this.deps.signin.endTrial(ex, identity);
    await this.deps.audit.record(ex, identityActor(identity.id), {
      action: 'AcceptInvitation',
      resourceType: 'invitation',
      resourceId: view.invitationId,
      accountId: view.account.id,
      details: { userId: view.user.id, email: view.email, leftAccounts: left },
    });
  }
}
