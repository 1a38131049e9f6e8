// Accepting an invitation from its emailed link: the link's token is single-use and expires; accepting makes the
// invitee a Registered member of the account with the account's default license, and ends any personal Pro trial.
import type { AuditLog } from '../audit/audit-log.js';
import { accountsRepository, type Account } from '../accounts/accounts-repository.js';
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { identitiesRepository, type Identity } from '../signin/signin-repository.js';
import { identityActor, type SigninService } from '../signin/signin-service.js';
import { passwordProblem } from '../signin/passwords.js';
import type { UsersService } from '../users/users-service.js';
import { normalizeEmail, usersRepository, type User } from '../users/users-repository.js';
import { hashInvitationToken } from './invitations-service.js';

export type InvitationView = { invitationId: string; email: string; account: Account; user: User; identityExists: boolean };

export class AcceptanceService {
  constructor(private readonly deps: { db: Db; clock: Clock; audit: AuditLog; users: UsersService; signin: SigninService }) {}

  /** What a link leads to, or the reason it leads nowhere (unknown, expired, used or withdrawn). */
  async inspect(token: string, ex: Executor = this.deps.db): Promise<InvitationView> {
    const invitation = token.length <= 100 ? await ex.selectFrom('invitations').selectAll().where('token_hash', '=', hashInvitationToken(token)).executeTakeFirst() : undefined;
    if (!invitation) throw new AppError('invitation.invalid', 'This invitation link is not valid. Check that you copied the whole link.');
    if (invitation.accepted_at) throw new AppError('invitation.used', 'This invitation has already been accepted. Sign in instead.');
    const user = await usersRepository.findMember(ex, invitation.account_id, invitation.user_id);
    const account = await accountsRepository.findById(ex, invitation.account_id);
    // A newer invitation for the same person, or their removal, or the account's deletion, withdraws this one.
    const newer = await ex.selectFrom('invitations').select('id').where('user_id', '=', invitation.user_id).where('id', '>', invitation.id).executeTakeFirst();
    if (invitation.revoked_at || newer || !user || !account || user.registrationStatus !== 'Unregistered') {
      throw new AppError('invitation.invalid', 'This invitation has been withdrawn or replaced by a newer one. Ask your administrator to invite you again.');
    }
    if (invitation.expires_at <= this.deps.clock.now().toISOString()) {
      throw new AppError('invitation.expired', 'This invitation has expired. Ask your administrator to send a new one.');
    }
    const identity = await identitiesRepository.findByEmail(ex, normalizeEmail(invitation.email));
    // An unverified identity does not count: the link proves the address, so its holder may register afresh.
    return { invitationId: invitation.id, email: invitation.email, account, user, identityExists: identity?.emailVerifiedAt != null };
  }

  /** A signed-in person accepts an invitation addressed to their own email. */
  async acceptAsIdentity(token: string, identityId: string): Promise<InvitationView> {
    return this.deps.db.transaction().execute(async (trx) => {
      const view = await this.inspect(token, trx);
      const identity = await identitiesRepository.findById(trx, identityId);
      if (!identity || identity.emailNorm !== normalizeEmail(view.email)) {
        throw new AppError('invitation.email_mismatch', `This invitation is for ${view.email}. Sign in with that email to accept it.`);
      }
      await this.join(trx, view, identity);
      return view;
    });
  }

  /** A newcomer registers from the invitation: the link proves the email, so the identity starts verified. */
  async registerAndAccept(token: string, input: { password: string; displayName: string | undefined; sourceIp: string; userAgent: string | undefined }): Promise<{ view: InvitationView; sessionToken: string }> {
    return this.deps.db.transaction().execute(async (trx) => {
      const view = await this.inspect(token, trx);
      if (view.identityExists) throw new AppError('signin.email_taken', 'You already have an identity with this email: sign in to accept the invitation.');
      const problem = passwordProblem(input.password, view.email);
      if (problem) throw new AppError('signin.password_weak', problem);
      const unverified = await identitiesRepository.findByEmail(trx, normalizeEmail(view.email));
      if (unverified) {
        await this.deps.signin.claimUnverified(trx, unverified, input.password);
        const name = input.displayName?.trim() || null;
        await identitiesRepository.update(trx, unverified.id, { display_name: name }, this.deps.clock.now().toISOString());
        unverified.displayName = name;
      }
      const identity =
        unverified ?? (await this.deps.signin.createIdentity(trx, { email: view.email, password: input.password, displayName: input.displayName, emailVerified: true }));
      await this.join(trx, view, identity);
      const sessionToken = await this.deps.signin.openSession(identity.id, input.sourceIp, input.userAgent, trx);
      return { view, sessionToken };
    });
  }

  private async join(ex: Executor, view: InvitationView, identity: Identity): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    // A person belongs to one account at a time: accepting moves them out of any other.
    const others = await ex.selectFrom('users').select(['id', 'account_id']).where('identity_id', '=', identity.id).where('removed_at', 'is', null).execute();
    await usersRepository.update(ex, others.map((o) => o.id), { removed_at: now }, now);
    await usersRepository.update(
      ex,
      [view.user.id],
      {
        identity_id: identity.id,
        registration_status: 'Registered',
        invitation_status: 'Accepted',
        registered_on: now,
        license: view.account.defaultLicense,
        display_name: view.user.displayName ?? identity.displayName,
        personal_pin: await this.deps.users.allocatePersonalPin(ex),
      },
      now,
    );
    await ex.updateTable('invitations').set({ status: 'Accepted', accepted_at: now, updated_at: now }).where('id', '=', view.invitationId).execute();
    // Joining an account ends a personal Pro trial: the account's license applies from now on.
    if (identity.proTrialEndsAt === null || identity.proTrialEndsAt > now) await identitiesRepository.update(ex, identity.id, { pro_trial_ends_at: now }, now);
    await this.deps.audit.record(ex, identityActor(identity.id), {
      action: 'AcceptInvitation',
      resourceType: 'invitation',
      resourceId: view.invitationId,
      accountId: view.account.id,
      details: { userId: view.user.id, leftAccounts: others.map((o) => o.account_id) },
    });
  }
}
