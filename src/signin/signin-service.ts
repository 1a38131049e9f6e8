// The rules of end-user sign-in with a local password: registration with email verification, password reset,
// throttled sign-in, server-side sessions with idle and absolute timeouts, and the revocation checks that make
// suspension, removal and sign-out take effect at once. Also answers the OIDC provider (IdentityDirectory).
import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Account } from '../accounts/accounts-repository.js';
import { accountsRepository } from '../accounts/accounts-repository.js';
import { outboxRepository } from '../mail/outbox-repository.js';
import { DAY_MS, type Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { isUniqueViolation } from '../platform/db/database.js';
import { AppError } from '../platform/errors.js';
import { uuidv7, secureRandomBytes } from '../platform/ids.js';
import type { Actor } from '../platform/types.js';
import { effectiveLicense } from '../users/license.js';
import { normalizeEmail, usersRepository, type User } from '../users/users-repository.js';
import type { IdentityClaims, IdentityDirectory, SessionReader } from './identity-directory.js';
import type { SocialProfile } from './social-login.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { emailTokensRepository, identitiesRepository, sessionsRepository, throttleRepository, type EmailTokenPurpose, type Identity, type Session } from './signin-repository.js';

export const SESSION_COOKIE = 'carillon_session';
export const PRO_TRIAL_DAYS = 30;
const MINUTE = 60_000;
// Sign-in throttling. Failures count per (email, source address): an attacker elsewhere cannot lock a person out.
// Each source address also has its own, larger budget across all emails.
// The console's administrator sign-in uses the same limits.
export const PAIR_LIMIT = 5;
export const ADDRESS_LIMIT = 50;
export const THROTTLE_WINDOW_MS = 15 * MINUTE;
export const LOCK_MS = 15 * MINUTE;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => secureRandomBytes(32).toString('base64url');

export type Membership = { user: User; account: Account };
export type SignedIn = { session: Session; identity: Identity; membership: Membership | undefined };

export class SigninService implements IdentityDirectory, SessionReader {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      audit: AuditLog;
      publicUrl: string;
      session: { idleMinutes: number; maxHours: number };
      onMailQueued: () => void;
    },
  ) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  /** The live membership of an identity, with its live account. */
  async membershipOf(identityId: string, ex: Executor = this.deps.db): Promise<Membership | undefined> {
    const row = await ex
      .selectFrom('users')
      .innerJoin('accounts', 'accounts.id', 'users.account_id')
      .select('users.id as user_id')
      .select('users.account_id as account_id')
      .where('users.identity_id', '=', identityId)
      .where('users.removed_at', 'is', null)
      .where('accounts.deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const user = await usersRepository.findMember(ex, row.account_id, row.user_id);
    const account = await accountsRepository.findById(ex, row.account_id);
    return user && account ? { user, account } : undefined;
  }

  /** Creates an identity (unverified unless the email is already proven, as by an invitation link). */
  async createIdentity(ex: Executor, input: { email: string; password: string; displayName: string | undefined; emailVerified: boolean }): Promise<Identity> {
    const problem = passwordProblem(input.password, input.email);
    if (problem) throw new AppError('signin.password_weak', problem);
    const now = this.now();
    const identity: Identity = {
      id: uuidv7(now.getTime()),
      email: input.email.trim(),
      emailNorm: normalizeEmail(input.email),
      displayName: input.displayName?.trim() || null,
      passwordHash: await hashPassword(input.password),
      emailVerifiedAt: input.emailVerified ? now.toISOString() : null,
      // Someone who registers on their own gets 30 days of Pro, then Basic; joining an account ends the trial.
      proTrialEndsAt: new Date(now.getTime() + PRO_TRIAL_DAYS * DAY_MS).toISOString(),
      sessionsRevokedAt: null,
      createdAt: now.toISOString(),
    };
    try {
      await identitiesRepository.insert(ex, identity);
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('signin.email_taken', 'An identity with this email already exists. Sign in instead.');
      throw e;
    }
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
    await ex.deleteFrom('identity_links').where('identity_id', '=', identity.id).execute();
  }

  /** Self-registration: the identity is created unverified and a verification link is emailed. */
  async register(input: { email: string; password: string; displayName: string | undefined }): Promise<void> {
    // Judge the password before looking the email up, and spend a hash's time either way: neither the answer
    // nor its timing may tell whether the address already has an identity.
    const problem = passwordProblem(input.password, input.email);
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
    this.deps.onMailQueued();
  }

  async verifyEmail(token: string): Promise<Identity> {
    return this.deps.db.transaction().execute(async (trx) => {
      const now = this.now().toISOString();
      const identityId = await emailTokensRepository.consume(trx, hashToken(token), 'verify-email', now);
      if (!identityId) throw new AppError('signin.token_invalid', 'This verification link is not valid any more.');
      await identitiesRepository.update(trx, identityId, { email_verified_at: now }, now);
      return (await identitiesRepository.findById(trx, identityId))!;
    });
  }

  /** Always answers the same way, whether or not the address has an identity. */
  async requestPasswordReset(email: string): Promise<void> {
    const queued = await this.deps.db.transaction().execute(async (trx) => {
      const identity = await identitiesRepository.findByEmail(trx, normalizeEmail(email));
      if (!identity) return false;
      await emailTokensRepository.invalidateAll(trx, identity.id, 'reset-password', this.now().toISOString());
      await this.sendEmailToken(trx, identity, 'reset-password');
      return true;
    });
    if (queued) this.deps.onMailQueued();
  }

  /** Sets a new password from a reset link; every existing session and token of the person ends. */
  async resetPassword(token: string, password: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const now = this.now().toISOString();
      const identityId = await emailTokensRepository.consume(trx, hashToken(token), 'reset-password', now);
      if (!identityId) throw new AppError('signin.token_invalid', 'This password reset link is not valid any more. Ask for a new one.');
      const identity = (await identitiesRepository.findById(trx, identityId))!;
      const problem = passwordProblem(password, identity.email);
      if (problem) throw new AppError('signin.password_weak', problem);
      // The link proves the address, so it also verifies it.
      await identitiesRepository.update(trx, identityId, { password_hash: await hashPassword(password), sessions_revoked_at: now, email_verified_at: identity.emailVerifiedAt ?? now }, now);
      await sessionsRepository.revokeAllOf(trx, identityId, now);
      await this.deps.audit.record(trx, identityActor(identityId), { action: 'ResetPassword', resourceType: 'identity', resourceId: identityId });
    });
  }

  /** Checks a password; on success opens a session and returns the cookie value. */
  async signIn(input: { email: string; password: string; sourceIp: string; userAgent: string | undefined }): Promise<{ token: string; identity: Identity }> {
    const emailNorm = normalizeEmail(input.email);
    const pairKey = `pair:${emailNorm}|${input.sourceIp}`;
    const addressKey = `address:${input.sourceIp}`;
    const now = this.now();
    const throttles = await throttleRepository.find(this.deps.db, [pairKey, addressKey]);
    if (throttles.some((t) => t.lockedUntil !== null && t.lockedUntil > now.toISOString())) {
      throw new AppError('signin.locked', 'Too many failed sign-ins. Wait 15 minutes, or reset your password.');
    }
    const identity = await identitiesRepository.findByEmail(this.deps.db, emailNorm);
    const ok = await verifyPassword(identity?.passwordHash ?? (await decoyHash()), input.password);
    if (!identity || !identity.passwordHash || !ok) {
      await this.deps.db.transaction().execute(async (trx) => {
        await throttleRepository.recordFailure(trx, pairKey, now, THROTTLE_WINDOW_MS, PAIR_LIMIT, LOCK_MS);
        await throttleRepository.recordFailure(trx, addressKey, now, THROTTLE_WINDOW_MS, ADDRESS_LIMIT, LOCK_MS);
        await this.deps.audit.record(trx, { type: 'system', id: 'signin', sourceIp: input.sourceIp }, { action: 'SignInFailed', resourceType: 'identity', resourceId: identity?.id ?? emailNorm });
      });
      throw new AppError('signin.invalid_credentials', 'The email or password is not correct.');
    }
    if (!identity.emailVerifiedAt) throw new AppError('signin.email_unverified', 'Confirm your email first: follow the link we sent you.');
    const membership = await this.membershipOf(identity.id);
    if (membership?.user.registrationStatus === 'Suspended') {
      throw new AppError('signin.suspended', 'Your user is suspended. Contact your administrator.');
    }
    if (membership?.account.status === 'Suspended') throw new AppError('signin.suspended', 'Your account is suspended. Contact your administrator.');
    // Only a pair with failures on record has anything to forget (saves a write on most sign-ins).
    if (throttles.some((t) => t.key === pairKey)) await throttleRepository.clear(this.deps.db, pairKey);
    // The session and its audit record commit together.
    const token = await this.deps.db.transaction().execute((trx) => this.openSession(identity.id, input.sourceIp, input.userAgent, trx));
    return { token, identity };
  }

  /**
   * Signs in with a social provider's profile: a known (provider, subject) signs in; otherwise the profile's
   * verified email finds or creates the identity (unmanaged, with a 30-day Pro trial) and is linked to it.
   */
  async signInWithSocial(provider: string, profile: SocialProfile, sourceIp: string, userAgent: string | undefined, attempt = 0): Promise<string> {
    try {
      return await this.socialSignInOnce(provider, profile, sourceIp, userAgent);
    } catch (e) {
      // Two tabs finishing the same first sign-in at once: the loser finds what the winner created.
      if (isUniqueViolation(e) && attempt < 2) return this.signInWithSocial(provider, profile, sourceIp, userAgent, attempt + 1);
      throw e;
    }
  }

  private async socialSignInOnce(provider: string, profile: SocialProfile, sourceIp: string, userAgent: string | undefined): Promise<string> {
    return this.deps.db.transaction().execute(async (trx) => {
      const link = await trx.selectFrom('identity_links').select('identity_id').where('provider', '=', provider).where('subject', '=', profile.subject).executeTakeFirst();
      let identity = link ? await identitiesRepository.findById(trx, link.identity_id) : undefined;
      if (!identity) {
        if (!profile.emailVerified) throw new AppError('signin.social_unverified_email', 'The provider has not verified your email address, so it cannot sign you in here.');
        identity = await identitiesRepository.findByEmail(trx, normalizeEmail(profile.email));
        if (identity && !identity.emailVerifiedAt) await this.claimUnverified(trx, identity, null);
        if (!identity) {
          const now = this.now();
          identity = {
            id: uuidv7(now.getTime()),
            email: profile.email.trim(),
            emailNorm: normalizeEmail(profile.email),
            displayName: profile.name?.trim().slice(0, 100) || null,
            passwordHash: null,
            emailVerifiedAt: now.toISOString(),
            proTrialEndsAt: new Date(now.getTime() + PRO_TRIAL_DAYS * DAY_MS).toISOString(),
            sessionsRevokedAt: null,
            createdAt: now.toISOString(),
          };
          await identitiesRepository.insert(trx, identity);
          await this.deps.audit.record(trx, identityActor(identity.id, sourceIp), { action: 'RegisterIdentity', resourceType: 'identity', resourceId: identity.id, details: { email: identity.email, provider } });
        }
        await trx.insertInto('identity_links').values({ provider, subject: profile.subject, identity_id: identity.id, created_at: this.now().toISOString() }).execute();
      }
      const membership = await this.membershipOf(identity.id, trx);
      if (membership?.user.registrationStatus === 'Suspended' || membership?.account.status === 'Suspended') {
        throw new AppError('signin.suspended', 'Your user is suspended. Contact your administrator.');
      }
      return this.openSession(identity.id, sourceIp, userAgent, trx);
    });
  }

  /** Opens a session for an identity that has just proven who it is; returns the cookie value. */
  async openSession(identityId: string, sourceIp: string | null, userAgent: string | undefined, ex: Executor): Promise<string> {
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
      sourceIp,
      userAgent: userAgent?.slice(0, 300) ?? null,
    });
    await this.deps.audit.record(ex, identityActor(identityId, sourceIp ?? undefined), { action: 'SignIn', resourceType: 'identity', resourceId: identityId });
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
    const revocations = [identity.sessionsRevokedAt, await identitiesRepository.lastMembershipRevocation(this.deps.db, identity.id)].filter((t): t is string => t !== null);
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

  private async tokensStillValidFor(identity: Identity, issuedAtMs: number): Promise<boolean> {
    const revoked = [identity.sessionsRevokedAt, await identitiesRepository.lastMembershipRevocation(this.deps.db, identity.id)]
      .filter((t): t is string => t !== null)
      .map((t) => Date.parse(t));
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
      license: membership
        ? effectiveLicense(membership.user.license, membership.user.proTrialEndsAt, now)
        : effectiveLicense('ProTrial', identity.proTrialEndsAt, now),
    };
  }

  // SessionReader

  async currentIdentityId(headers: Record<string, string | string[] | undefined>): Promise<string | undefined> {
    const cookie = readCookie(headers.cookie, SESSION_COOKIE);
    return (await this.readSession(cookie))?.identity.id;
  }

  private async sendEmailToken(ex: Executor, identity: Identity, purpose: EmailTokenPurpose): Promise<void> {
    const token = newToken();
    const now = this.now();
    const hours = purpose === 'verify-email' ? 48 : 1;
    await emailTokensRepository.insert(ex, { id: hashToken(token), identityId: identity.id, purpose, expiresAt: new Date(now.getTime() + hours * 60 * MINUTE).toISOString(), createdAt: now.toISOString() });
    const link = purpose === 'verify-email' ? `${this.deps.publicUrl}/verify-email/${token}` : `${this.deps.publicUrl}/password/reset/${token}`;
    const [subject, text] =
      purpose === 'verify-email'
        ? ['Confirm your email for Carillon', `Confirm your email address: ${link}\n\nThe link works once and for 48 hours.`]
        : ['Reset your Carillon password', `Choose a new password: ${link}\n\nThe link works once and for one hour. If you did not ask for it, ignore this email.`];
    await this.queueMail(ex, identity.email, subject, text);
  }

  private async queueMail(ex: Executor, to: string, subject: string, text: string): Promise<void> {
    const now = this.now();
    const html = `<p>${text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!).replace(/(https?:\/\/\S+)/g, '<a href="$1">$1</a>').replace(/\n/g, '<br>')}</p>`;
    await outboxRepository.enqueue(ex, [{ id: uuidv7(now.getTime()), recipient: to, subject, textBody: text, htmlBody: html, invitationId: null, createdAt: now.toISOString() }]);
  }
}

export const identityActor = (identityId: string, sourceIp?: string): Actor => ({ type: 'identity', id: identityId, sourceIp });

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const i = part.indexOf('=');
    if (i !== -1 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined; // a mangled cookie is no cookie
      }
    }
  }
  return undefined;
}
