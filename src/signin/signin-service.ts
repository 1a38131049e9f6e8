// The rules of end-user identities and sessions: registration with email verification, password reset, what
// follows every sign-in method (completeSignIn), server-side sessions with idle and absolute timeouts, and the
// revocation checks that make suspension, removal and sign-out take effect at once. Also answers the OpenID
// Connect provider (IdentityDirectory).
import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Mailer } from '../mail/mailer.js';
import { textToHtml } from '../mail/mailer.js';
import { DAY_MS, type Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError, isAppError } from '../platform/errors.js';
import { secureRandomBytes, uuidv7 } from '../platform/ids.js';
import type { Actor } from '../platform/types.js';
import { effectiveLicense } from '../users/license.js';
import { normalizeEmail } from '../users/users-repository.js';
import type { Membership, UsersService } from '../users/users-service.js';
import type { IdentityClaims, IdentityDirectory, SessionReader } from './identity-directory.js';
import type { Authentication, SignInAttempt } from './methods/signin-method.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { emailTokensRepository, identitiesRepository, identityLinksRepository, sessionsRepository, type EmailTokenPurpose, type Identity, type Session } from './signin-repository.js';
import type { SigninMethods } from './signin-methods.js';

export const SESSION_COOKIE = 'carillon_session';
export const PRO_TRIAL_DAYS = 30;
const MINUTE = 60_000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => secureRandomBytes(32).toString('base64url');

export type { Membership };
export type SignedIn = { session: Session; identity: Identity; membership: Membership | undefined };

export class SigninService implements IdentityDirectory, SessionReader {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      audit: AuditLog;
      mailer: Mailer;
      users: UsersService;
      methods: SigninMethods;
      publicUrl: string;
      session: { idleMinutes: number; maxHours: number };
      /** Reads the session cookie from request headers (for the OpenID Connect provider's interactions). */
      cookieOf: (headers: Record<string, string | string[] | undefined>) => string | undefined;
    },
  ) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  async membershipOf(identityId: string, ex: Executor = this.deps.db): Promise<Membership | undefined> {
    return this.deps.users.membershipOf(identityId, ex);
  }

  /** Creates an identity (unverified unless the email is already proven, as by an invitation link). */
  async createIdentity(ex: Executor, input: { email: string; password: string; displayName: string | undefined; emailVerified: boolean }): Promise<Identity> {
    const problem = await passwordProblem(input.password, { email: input.email });
    if (problem) throw new AppError('signin.password_weak', problem);
    return this.insertIdentity(ex, { email: input.email, displayName: input.displayName, passwordHash: await hashPassword(input.password), emailVerified: input.emailVerified });
  }

  /** Someone who registers on their own gets 30 days of Pro, then Basic; joining an account ends the trial. */
  private async insertIdentity(ex: Executor, input: { email: string; displayName: string | undefined; passwordHash: string | null; emailVerified: boolean }): Promise<Identity> {
    const now = this.now();
    const identity: Identity = {
      id: uuidv7(now.getTime()),
      email: input.email.trim(),
      emailNorm: normalizeEmail(input.email),
      displayName: input.displayName?.trim().slice(0, 100) || null,
      passwordHash: input.passwordHash,
      emailVerifiedAt: input.emailVerified ? now.toISOString() : null,
      proTrialEndsAt: new Date(now.getTime() + PRO_TRIAL_DAYS * DAY_MS).toISOString(),
      sessionsRevokedAt: null,
      createdAt: now.toISOString(),
    };
    await identitiesRepository.insert(ex, identity);
    return identity;
  }

  /**
   * The owner of an address has just proven it (a provider's verified email, an invitation link) while an
   * unverified identity holds it. Whoever registered it may not be the owner: their password, pending links and
   * sessions go, and the identity becomes the prover's, with `password` (or none).
   */
  async claimUnverified(ex: Executor, identity: Identity, password: string | null): Promise<void> {
    const now = this.now().toISOString();
    const hash = password === null ? null : await hashPassword(password);
    await identitiesRepository.update(ex, identity.id, { email_verified_at: now, password_hash: hash, sessions_revoked_at: now }, now);
    await emailTokensRepository.invalidateAll(ex, identity.id, 'verify-email', now);
    await emailTokensRepository.invalidateAll(ex, identity.id, 'reset-password', now);
    await sessionsRepository.revokeAllOf(ex, identity.id, now);
    await identityLinksRepository.removeAllOf(ex, identity.id);
  }

  /** Self-registration: the identity is created unverified and a verification link is emailed. */
  async register(input: { email: string; password: string; displayName: string | undefined }): Promise<void> {
    // Judge the password before looking the email up, and spend a hash's time either way: neither the answer
    // nor its timing may tell whether the address already has an identity.
    const problem = await passwordProblem(input.password, { email: input.email });
    if (problem) throw new AppError('signin.password_weak', problem);
    await this.deps.db.transaction().execute(async (trx) => {
      const existing = await identitiesRepository.findByEmail(trx, normalizeEmail(input.email));
      if (existing) {
        await hashPassword(input.password);
        // Say nothing on the page (no account enumeration); tell the owner of the address by email instead.
        await this.queueMail(trx, existing.email, 'Someone tried to register with your email', `Your email already has a Carillon identity. Sign in at ${this.deps.publicUrl}/signin, or reset your password at ${this.deps.publicUrl}/password/forgot.`);
        return;
      }
      const identity = await this.createIdentity(trx, { ...input, emailVerified: false });
      await this.sendEmailToken(trx, identity, 'verify-email');
      await this.deps.audit.record(trx, identityActor(identity.id), { action: 'RegisterIdentity', resourceType: 'identity', resourceId: identity.id, details: { email: identity.email } });
    });
  }

  /** Confirms the address from the emailed link and signs the person in (the link proves they own it). */
  async verifyEmail(token: string, attempt: SignInAttempt): Promise<{ identity: Identity; sessionToken: string }> {
    return this.deps.db.transaction().execute(async (trx) => {
      const now = this.now().toISOString();
      const identityId = await emailTokensRepository.consume(trx, hashToken(token), 'verify-email', now);
      if (!identityId) throw new AppError('signin.token_invalid', 'This verification link is not valid any more.');
      await identitiesRepository.update(trx, identityId, { email_verified_at: now }, now);
      const identity = (await identitiesRepository.findById(trx, identityId))!;
      await this.refuseBlocked(await this.joinDomainOwner(trx, identity, await this.membershipOf(identityId, trx), attempt));
      return { identity, sessionToken: await this.openSession(trx, identityId, attempt, 'email-link') };
    });
  }

  /** Always answers the same way, whether or not the address has an identity. */
  async requestPasswordReset(email: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const identity = await identitiesRepository.findByEmail(trx, normalizeEmail(email));
      if (!identity) return;
      await emailTokensRepository.invalidateAll(trx, identity.id, 'reset-password', this.now().toISOString());
      await this.sendEmailToken(trx, identity, 'reset-password');
    });
  }

  /** Sets a new password from a reset link; every existing session and token of the person ends. */
  async resetPassword(token: string, password: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const now = this.now().toISOString();
      const identityId = await emailTokensRepository.consume(trx, hashToken(token), 'reset-password', now);
      if (!identityId) throw new AppError('signin.token_invalid', 'This password reset link is not valid any more. Ask for a new one.');
      const identity = (await identitiesRepository.findById(trx, identityId))!;
      const problem = await passwordProblem(password, { email: identity.email, accountName: (await this.membershipOf(identityId, trx))?.account.name });
      if (problem) throw new AppError('signin.password_weak', problem);
      // The link proves the address, so it also verifies it.
      await identitiesRepository.update(trx, identityId, { password_hash: await hashPassword(password), sessions_revoked_at: now, email_verified_at: identity.emailVerifiedAt ?? now }, now);
      await sessionsRepository.revokeAllOf(trx, identityId, now);
      await this.deps.audit.record(trx, identityActor(identityId), { action: 'ResetPassword', resourceType: 'identity', resourceId: identityId });
    });
  }

  /**
   * What follows any sign-in method: find the identity (by the method's own finding, by the provider's link, or by a
   * verified email, creating an unmanaged identity with a Pro trial if there is none), link it to the provider,
   * make the person a member of the account whose identity source vouched for them (with the license their groups
   * give), refuse suspended people and accounts, and open the session with its audit record. Returns the cookie value.
   */
  async completeSignIn(auth: Authentication, attempt: SignInAttempt, retry = 0): Promise<string> {
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const identity = await this.identityFor(trx, auth, attempt);
        let membership = await this.membershipOf(identity.id, trx);
        if (auth.account) membership = await this.joinVouchingAccount(trx, identity, membership, auth.account, attempt);
        else membership = await this.joinDomainOwner(trx, identity, membership, attempt);
        await this.refuseBlocked(membership);
        return this.openSession(trx, identity.id, attempt, auth.method);
      });
    } catch (e) {
      // Two tabs finishing the same first sign-in at once: the loser finds what the winner created.
      if (isAppError(e) && e.code === 'signin.email_taken' && retry < 2) return this.completeSignIn(auth, attempt, retry + 1);
      throw e;
    }
  }

  private async identityFor(ex: Executor, auth: Authentication, attempt: SignInAttempt): Promise<Identity> {
    if (auth.identityId) {
      const found = await identitiesRepository.findById(ex, auth.identityId);
      if (!found) throw new AppError('signin.invalid_credentials', 'The email or password is not correct.');
      return found;
    }
    const linkedId = auth.link && (await identityLinksRepository.findIdentityId(ex, auth.link.provider, auth.link.subject));
    const linked = linkedId ? await identitiesRepository.findById(ex, linkedId) : undefined;
    if (linked) return linked;
    if (!auth.emailVerified) throw new AppError('signin.social_unverified_email', 'The provider has not verified your email address, so it cannot sign you in here.');
    let identity = await identitiesRepository.findByEmail(ex, normalizeEmail(auth.email));
    if (identity && !identity.emailVerifiedAt) await this.claimUnverified(ex, identity, null);
    if (!identity) {
      identity = await this.insertIdentity(ex, { email: auth.email, displayName: auth.displayName, passwordHash: null, emailVerified: true });
      await this.deps.audit.record(ex, identityActor(identity.id, attempt.sourceIp), { action: 'RegisterIdentity', resourceType: 'identity', resourceId: identity.id, details: { email: identity.email, method: auth.method, ...(auth.link && { provider: auth.link.provider }) } });
    }
    if (auth.link) await identityLinksRepository.insert(ex, { ...auth.link, identityId: identity.id, at: this.now().toISOString() });
    return identity;
  }

  /** The account whose identity source vouched: the person is its member, with the license its groups give. */
  private async joinVouchingAccount(ex: Executor, identity: Identity, membership: Membership | undefined, account: NonNullable<Authentication['account']>, attempt: SignInAttempt): Promise<Membership> {
    const groupLicense = account.groups ? await this.deps.methods.licenseFromGroups(ex, account.id, account.groups) : undefined;
    if (groupLicense === null) throw new AppError('signin.no_license_group', 'You are not in any of the groups that may use Carillon. Ask your IT department to add you.');
    const actor = identityActor(identity.id, attempt.sourceIp);
    if (membership?.account.id === account.id) {
      if (groupLicense) await this.deps.users.setLicenseFromDirectory(ex, actor, membership.user, groupLicense);
    } else {
      await this.deps.users.provisionMember(ex, actor, { accountId: account.id, identityId: identity.id, email: identity.email, displayName: identity.displayName, license: groupLicense });
      await this.endTrial(ex, identity);
    }
    return (await this.membershipOf(identity.id, ex))!;
  }

  /**
   * A person whose proven address is in a domain an account has verified belongs to that account: they join it on
   * registering or signing in (leaving any other; refused while suspended elsewhere), with its default license.
   */
  private async joinDomainOwner(ex: Executor, identity: Identity, membership: Membership | undefined, attempt: SignInAttempt): Promise<Membership | undefined> {
    if (!identity.emailVerifiedAt) return membership;
    const owner = await this.deps.users.ownerOfAddress(ex, identity.email);
    if (owner === undefined || membership?.account.id === owner) return membership;
    return this.joinVouchingAccount(ex, identity, membership, { id: owner }, attempt);
  }

  /** Joining an account ends a personal Pro trial: the account's license applies from now on. */
  async endTrial(ex: Executor, identity: Identity): Promise<void> {
    const now = this.now().toISOString();
    if (identity.proTrialEndsAt === null || identity.proTrialEndsAt > now) await identitiesRepository.update(ex, identity.id, { pro_trial_ends_at: now }, now);
  }

  private async refuseBlocked(membership: Membership | undefined): Promise<void> {
    if (membership?.user.registrationStatus === 'Suspended') throw new AppError('signin.suspended', 'Your user is suspended. Contact your administrator.');
    if (membership?.account.status === 'Suspended') throw new AppError('signin.suspended', 'Your account is suspended. Contact your administrator.');
  }

  /** Opens a session for an identity that has just proven who it is; returns the cookie value. */
  async openSession(ex: Executor, identityId: string, attempt: { sourceIp: string | null; userAgent: string | undefined }, method: string): Promise<string> {
    const token = newToken();
    const now = this.now();
    await sessionsRepository.insert(ex, {
      id: hashToken(token),
      identityId,
      csrfToken: newToken(),
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.session.maxHours * 60 * MINUTE).toISOString(),
      revokedAt: null,
      sourceIp: attempt.sourceIp,
      userAgent: attempt.userAgent?.slice(0, 300) ?? null,
    });
    await this.deps.audit.record(ex, identityActor(identityId, attempt.sourceIp ?? undefined), { action: 'SignIn', resourceType: 'identity', resourceId: identityId, details: { method } });
    return token;
  }

  /** The session behind a cookie value if it is still good: not revoked, not idle or past its end, and its
   *  person neither signed out everywhere, suspended nor removed since it began. */
  async readSession(token: string | undefined): Promise<SignedIn | undefined> {
    if (!token || token.length > 100) return undefined;
    const session = await sessionsRepository.findById(this.deps.db, hashToken(token));
    const now = this.now();
    if (!session || session.revokedAt || session.expiresAt <= now.toISOString()) return undefined;
    if (now.getTime() - Date.parse(session.lastSeenAt) > this.deps.session.idleMinutes * MINUTE) return undefined;
    const identity = await identitiesRepository.findById(this.deps.db, session.identityId);
    if (!identity || !(await this.tokensStillValidFor(identity, Date.parse(session.createdAt)))) return undefined;
    const membership = await this.membershipOf(identity.id);
    if (membership && (membership.user.registrationStatus === 'Suspended' || membership.account.status === 'Suspended')) return undefined;
    // Record activity at most once a minute: idle timeouts need no finer grain, and reads stay cheap.
    if (now.getTime() - Date.parse(session.lastSeenAt) > MINUTE) await sessionsRepository.touch(this.deps.db, session.id, now.toISOString());
    return { session, identity, membership };
  }

  /** Sessions that still work: begun after every revocation, not revoked, not idle, not past their end. */
  async countLiveSessions(identity: Identity): Promise<number> {
    const now = this.now();
    const revocations = [identity.sessionsRevokedAt, await this.deps.users.lastRevocationOf(identity.id)].filter((t): t is string => t !== null);
    return sessionsRepository.countLive(this.deps.db, identity.id, {
      now: now.toISOString(),
      seenSince: new Date(now.getTime() - this.deps.session.idleMinutes * MINUTE).toISOString(),
      createdAfter: revocations.sort().at(-1),
    });
  }

  async signOut(token: string | undefined): Promise<void> {
    if (token) await sessionsRepository.revoke(this.deps.db, hashToken(token), this.now().toISOString());
  }

  /** Ends every session and token of the person, on every device. */
  async signOutEverywhere(identityId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const now = this.now().toISOString();
      await identitiesRepository.update(trx, identityId, { sessions_revoked_at: now }, now);
      await sessionsRepository.revokeAllOf(trx, identityId, now);
      await this.deps.audit.record(trx, identityActor(identityId), { action: 'SignOutEverywhere', resourceType: 'identity', resourceId: identityId });
    });
  }

  /** The people's addresses, by identity id (for the audit log). */
  async emailsOf(ids: string[]): Promise<Map<string, string>> {
    return identitiesRepository.emailsOf(this.deps.db, ids);
  }

  async findIdentityByEmail(email: string, ex: Executor = this.deps.db): Promise<Identity | undefined> {
    return identitiesRepository.findByEmail(ex, normalizeEmail(email));
  }

  async findIdentity(identityId: string, ex: Executor = this.deps.db): Promise<Identity | undefined> {
    return identitiesRepository.findById(ex, identityId);
  }

  async setDisplayName(ex: Executor, identityId: string, name: string | null): Promise<void> {
    await identitiesRepository.update(ex, identityId, { display_name: name }, this.now().toISOString());
  }

  private async tokensStillValidFor(identity: Identity, issuedAtMs: number): Promise<boolean> {
    const revoked = [identity.sessionsRevokedAt, await this.deps.users.lastRevocationOf(identity.id)].filter((t): t is string => t !== null).map((t) => Date.parse(t));
    // Revocation times have millisecond precision; anything issued at or before them is dead.
    return revoked.every((t) => issuedAtMs > t);
  }

  // IdentityDirectory (for the OIDC provider)

  async tokensStillValid(identityId: string, issuedAtSeconds: number): Promise<boolean> {
    const identity = await identitiesRepository.findById(this.deps.db, identityId);
    if (!identity) return false;
    // Token iat has second precision: a token issued in the same second as a revocation counts as before it
    // (at worst, someone signing in again within that second is asked once more).
    return this.tokensStillValidFor(identity, issuedAtSeconds * 1000);
  }

  async claimsFor(identityId: string): Promise<IdentityClaims | undefined> {
    const identity = await identitiesRepository.findById(this.deps.db, identityId);
    if (!identity?.emailVerifiedAt) return undefined;
    const membership = await this.membershipOf(identityId);
    if (membership && (membership.user.registrationStatus === 'Suspended' || membership.account.status === 'Suspended')) return undefined;
    const now = this.now();
    return {
      sub: identity.id,
      email: identity.email,
      email_verified: true,
      name: identity.displayName ?? undefined,
      account_id: membership?.account.id,
      account_type: membership?.account.type,
      license: membership ? effectiveLicense(membership.user.license, membership.user.proTrialEndsAt, now) : effectiveLicense('ProTrial', identity.proTrialEndsAt, now),
    };
  }

  // SessionReader

  async currentIdentityId(headers: Record<string, string | string[] | undefined>): Promise<string | undefined> {
    return (await this.readSession(this.deps.cookieOf(headers)))?.identity.id;
  }

  private async sendEmailToken(ex: Executor, identity: Identity, purpose: EmailTokenPurpose): Promise<void> {
    const token = newToken();
    const now = this.now();
    const hours = purpose === 'verify-email' ? 48 : 1;
    const expiresAt = new Date(now.getTime() + hours * 60 * MINUTE).toISOString();
    await emailTokensRepository.insert(ex, { id: hashToken(token), identityId: identity.id, purpose, expiresAt, createdAt: now.toISOString() });
    const link = purpose === 'verify-email' ? `${this.deps.publicUrl}/verify-email/${token}` : `${this.deps.publicUrl}/password/reset/${token}`;
    const [subject, text] =
      purpose === 'verify-email'
        ? ['Confirm your email for Carillon', `Confirm your email address: ${link}\n\nThe link works once and for 48 hours.`]
        : ['Reset your Carillon password', `Choose a new password: ${link}\n\nThe link works once and for one hour. If you did not ask for it, ignore this email.`];
    await this.queueMail(ex, identity.email, subject, text, expiresAt);
  }

  private async queueMail(ex: Executor, to: string, subject: string, text: string, sendBefore?: string): Promise<void> {
    await this.deps.mailer.queue(ex, [{ to, subject, text, html: textToHtml(text), sendBefore }]);
  }
}

export const identityActor = (identityId: string, sourceIp?: string): Actor => ({ type: 'identity', id: identityId, sourceIp });
