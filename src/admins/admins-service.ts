// Console administrators: one-time setup links (the first-run link and `carillon admins create`), throttled
// password sign-in, server-side sessions with a CSRF token, and their end on sign-out, disabling or timeout.
import type { AuditLog } from '../audit/audit-log.js';
import type { Principal } from '../platform/operation.js';
import type { Role } from '../platform/roles.js';
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { uuidv7 } from '../platform/ids.js';
import { sameSecret } from '../platform/secret-box.js';
import type { Actor } from '../platform/types.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from '../signin/passwords.js';
import { hashToken, newToken } from '../signin/signin-service.js';
import type { Throttle } from '../signin/throttle.js';
import { normalizeEmail } from '../users/users-repository.js';
import { adminSessionsRepository, adminsRepository, setupTokensRepository, type Admin, type AdminSession } from './admins-repository.js';

export const ADMIN_COOKIE = 'carillon_console';
/** The header that carries the console session's CSRF token on every API call. */
export const CSRF_HEADER = 'x-carillon-csrf';
const MINUTE = 60_000;
const FIRST_RUN_TTL_MS = 24 * 60 * MINUTE;
const INVITED_TTL_MS = 72 * 60 * MINUTE;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type SignedInAdmin = { admin: Admin; session: AdminSession };

/** Whether a request's CSRF header holds its console session's token (compared in constant time). */
export function carriesCsrfToken(header: string | string[] | undefined, signedIn: SignedInAdmin): boolean {
  return sameSecret(typeof header === 'string' ? header : undefined, signedIn.session.csrfToken);
}

export class AdminsService {
  constructor(private readonly deps: { db: Db; clock: Clock; audit: AuditLog; throttle: Throttle; publicUrl: string; session: { idleMinutes: number; maxHours: number } }) {}

  /** The console's API calls: the administrator behind the session cookie, with the session's CSRF token in the
   *  header that a page on another origin cannot set. */
  async authenticateConsoleCall(cookie: string, csrfToken: string | undefined): Promise<Principal> {
    const signedIn = await this.readSession(cookie);
    if (!signedIn) throw new AppError('admin.session_required', 'Your console session has ended. Sign in again.');
    if (!carriesCsrfToken(csrfToken, signedIn)) throw new AppError('session.csrf', `Console calls must carry the session's ${CSRF_HEADER} header.`);
    return { kind: 'admin', id: signedIn.admin.id, role: signedIn.admin.role, accountId: null };
  }

  /** Administrators' emails, by id (for the audit log). */
  async emailsOf(ids: string[]): Promise<Map<string, string>> {
    return adminsRepository.emailsOf(this.deps.db, ids);
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  private setupLink(token: string): string {
    // The token rides in the fragment: browsers never send it to a server, so no access log or proxy sees it.
    return `${this.deps.publicUrl}/console/setup#token=${token}`;
  }

  /** A fresh first-run link while the installation has no administrator at all; undefined once it has one. */
  async firstRunLink(): Promise<string | undefined> {
    if (await adminsRepository.anyExists(this.deps.db)) return undefined;
    const token = newToken();
    const now = this.now();
    await setupTokensRepository.insert(this.deps.db, { id: hashToken(token), email: null, role: 'full', createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + FIRST_RUN_TTL_MS).toISOString(), usedAt: null });
    return this.setupLink(token);
  }

  /** A one-time link with which the person at `email` creates their administrator with `role`. */
  async createSetupLink(actor: Actor, input: { email: string; role: Role }): Promise<{ link: string; expiresAt: string }> {
    const email = input.email.trim();
    if (!EMAIL.test(email) || email.length > 254) throw new AppError('request.invalid', `${input.email} is not an email address.`);
    const token = newToken();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + INVITED_TTL_MS).toISOString();
    await this.deps.db.transaction().execute(async (trx) => {
      const existing = await adminsRepository.findByEmail(trx, normalizeEmail(email));
      if (existing && !existing.disabledAt) throw new AppError('admin.email_taken', `${email} is already an administrator.`);
      // Only the newest link for an address works: an older one can never bring back a different role.
      await setupTokensRepository.retireFor(trx, normalizeEmail(email), now.toISOString());
      await setupTokensRepository.insert(trx, { id: hashToken(token), email, role: input.role, createdAt: now.toISOString(), expiresAt, usedAt: null });
      await this.deps.audit.record(trx, actor, { action: 'InviteAdministrator', resourceType: 'administrator', resourceId: normalizeEmail(email), details: { role: input.role } });
    });
    return { link: this.setupLink(token), expiresAt };
  }

  private async usableToken(ex: Executor, token: string) {
    const found = token.length <= 100 ? await setupTokensRepository.findById(ex, hashToken(token)) : undefined;
    if (!found) throw new AppError('admin.setup_invalid', 'This setup link is not valid. Ask for a new one (npx carillon admins create).');
    if (found.usedAt) throw new AppError('admin.setup_used', 'This setup link has already been used. Sign in instead, or ask for a new link.');
    if (found.expiresAt <= this.now().toISOString()) throw new AppError('admin.setup_expired', 'This setup link has expired. Ask for a new one (npx carillon admins create).');
    return found;
  }

  /** What a setup link will create: the fixed email (null: the person chooses) and the role. */
  async inspectSetup(token: string): Promise<{ email: string | null; role: Role }> {
    const found = await this.usableToken(this.deps.db, token);
    return { email: found.email, role: found.role };
  }

  /** Creates the administrator a setup link promises and signs them in; returns the session cookie value. */
  async completeSetup(input: { token: string; email: string; name: string; password: string; sourceIp: string }): Promise<{ cookie: string; signedIn: SignedInAdmin }> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) throw new AppError('request.invalid', 'Enter your name (at most 100 characters).');
    const promised = await this.usableToken(this.deps.db, input.token);
    const email = (promised.email ?? input.email).trim();
    if (!EMAIL.test(email) || email.length > 254) throw new AppError('request.invalid', 'Enter a valid email address.');
    const weak = await passwordProblem(input.password, { email });
    if (weak) throw new AppError('signin.password_weak', weak);
    // Hash outside the transaction: on SQLite it would hold the write lock for the whole hash.
    const passwordHash = await hashPassword(input.password);
    return this.deps.db.transaction().execute(async (trx) => {
      const found = await this.usableToken(trx, input.token);
      const now = this.now().toISOString();
      if (!(await setupTokensRepository.use(trx, found.id, now))) throw new AppError('admin.setup_used', 'This setup link has already been used.');
      if (found.email === null && (await adminsRepository.countEnabled(trx)) > 0) throw new AppError('admin.setup_used', 'This installation already has an administrator. Ask them for a link.');
      const existing = await adminsRepository.findByEmail(trx, normalizeEmail(email));
      if (existing && !existing.disabledAt) throw new AppError('admin.email_taken', `${email} is already an administrator. Sign in instead.`);
      const admin: Admin = { id: existing?.id ?? uuidv7(), email, emailNorm: normalizeEmail(email), name, role: found.role, passwordHash, createdAt: existing?.createdAt ?? now, disabledAt: null };
      // A disabled administrator invited again gets their record back, with the new role and password.
      if (existing) await adminsRepository.reenable(trx, admin, now);
      else await adminsRepository.insert(trx, admin);
      if (found.email === null) await setupTokensRepository.retireFirstRun(trx, now);
      const actor: Actor = { type: 'admin', id: admin.id, sourceIp: input.sourceIp };
      await this.deps.audit.record(trx, actor, { action: 'CreateAdministrator', resourceType: 'administrator', resourceId: admin.id, details: { email, role: admin.role } });
      return this.openSession(trx, admin, input.sourceIp);
    });
  }

  /** Checks an administrator's password; on success opens a console session. */
  async signIn(input: { email: string; password: string; sourceIp: string }): Promise<{ cookie: string; signedIn: SignedInAdmin }> {
    const emailNorm = normalizeEmail(input.email).slice(0, 254);
    const throttle = await this.deps.throttle.check('admin-', emailNorm, input.sourceIp, 'Too many failed sign-ins. Wait 15 minutes and try again.');
    const admin = await adminsRepository.findByEmail(this.deps.db, emailNorm);
    const ok = await verifyPassword(admin?.passwordHash ?? (await decoyHash()), input.password.slice(0, 1024));
    if (!admin || admin.disabledAt || !ok) {
      await this.deps.db.transaction().execute(async (trx) => {
        await throttle.recordFailure(trx);
        await this.deps.audit.record(trx, { type: 'system', id: 'console-signin', sourceIp: input.sourceIp }, { action: 'AdministratorSignInFailed', resourceType: 'administrator', resourceId: admin?.id ?? emailNorm });
      });
      throw new AppError('signin.invalid_credentials', 'The email or password is not correct.');
    }
    await throttle.recordSuccess();
    return this.deps.db.transaction().execute((trx) => this.openSession(trx, admin, input.sourceIp));
  }

  private async openSession(ex: Executor, admin: Admin, sourceIp: string): Promise<{ cookie: string; signedIn: SignedInAdmin }> {
    const cookie = newToken();
    const now = this.now();
    const session: AdminSession = {
      id: hashToken(cookie),
      adminId: admin.id,
      csrfToken: newToken(),
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.session.maxHours * 60 * MINUTE).toISOString(),
      revokedAt: null,
    };
    await adminSessionsRepository.insert(ex, { ...session, sourceIp });
    await this.deps.audit.record(ex, { type: 'admin', id: admin.id, sourceIp }, { action: 'AdministratorSignIn', resourceType: 'administrator', resourceId: admin.id });
    return { cookie, signedIn: { admin, session } };
  }

  /** The administrator behind a cookie value while the session is good: not revoked, idle or past its end, and
   *  the administrator not disabled. */
  async readSession(cookie: string | undefined): Promise<SignedInAdmin | undefined> {
    if (!cookie || cookie.length > 100) return undefined;
    const session = await adminSessionsRepository.findById(this.deps.db, hashToken(cookie));
    const now = this.now();
    if (!session || session.revokedAt || session.expiresAt <= now.toISOString()) return undefined;
    if (now.getTime() - Date.parse(session.lastSeenAt) > this.deps.session.idleMinutes * MINUTE) return undefined;
    const admin = await adminsRepository.findById(this.deps.db, session.adminId);
    if (!admin || admin.disabledAt) return undefined;
    if (now.getTime() - Date.parse(session.lastSeenAt) > MINUTE) await adminSessionsRepository.touch(this.deps.db, session.id, now.toISOString());
    return { admin, session };
  }

  async signOut(signedIn: SignedInAdmin): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await adminSessionsRepository.revoke(trx, signedIn.session.id, this.now().toISOString());
      await this.deps.audit.record(trx, { type: 'admin', id: signedIn.admin.id }, { action: 'AdministratorSignOut', resourceType: 'administrator', resourceId: signedIn.admin.id });
    });
  }

  async list(ex: Executor = this.deps.db): Promise<Admin[]> {
    return adminsRepository.list(ex);
  }

  /** Disables an administrator (by email or by id): every console session of theirs ends at once. */
  async disable(actor: Actor, who: { email: string } | { id: string }): Promise<Admin> {
    return this.deps.db.transaction().execute(async (trx) => {
      const admin = 'email' in who ? await adminsRepository.findByEmail(trx, normalizeEmail(who.email)) : await adminsRepository.findById(trx, who.id);
      const now = this.now().toISOString();
      const named = 'email' in who ? who.email : who.id;
      if (!admin || !(await adminsRepository.disable(trx, admin.id, now))) throw new AppError('admin.not_found', `No active administrator ${named}.`);
      await adminSessionsRepository.revokeAllOf(trx, admin.id, now);
      // A link sent before the disable must not undo it.
      await setupTokensRepository.retireFor(trx, admin.emailNorm, now);
      await this.deps.audit.record(trx, actor, { action: 'DisableAdministrator', resourceType: 'administrator', resourceId: admin.id, details: { email: admin.email } });
      return { ...admin, disabledAt: now };
    });
  }
}
