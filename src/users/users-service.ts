// The rules of account members: creation, listing, license and type changes (single and batch of 20),
// suspension (Team: removal; Enterprise LWA: Suspended; directory accounts: the IdP decides), personal PINs,
// sign-out and per-user settings.
import type { AccountsService } from '../accounts/accounts-service.js';
import type { Account } from '../accounts/accounts-repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../platform/clock.js';
import { isUniqueViolation } from '../platform/db/database.js';
import type { Reader } from '../platform/db/reader.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError, type ErrorCode } from '../platform/errors.js';
import { newPersonalPin, uuidv7 } from '../platform/ids.js';
import { page, type Page } from '../platform/page.js';
import type { Actor, License, RegistrationStatus, UserType } from '../platform/types.js';
import { licenseIsDirectoryManaged } from './license.js';
import { normalizeEmail, usersRepository, type User, type UserPatch } from './users-repository.js';

export type UserUpdate = {
  licenseType?: License | undefined;
  userType?: UserType | undefined;
  alexaForBusiness?: { enabled?: boolean | undefined; roomArn?: string | undefined } | undefined;
};

export type UserFailure = { userId: string; code: ErrorCode; message: string };

export type TelephonySettings = { inboundCalling: boolean; outboundCalling: boolean; sms: boolean };

export class UsersService {
  constructor(private readonly deps: { db: Db; reader: Reader; clock: Clock; audit: AuditLog; accounts: AccountsService }) {}

  /** A fresh personal PIN that no other user holds. */
  async allocatePersonalPin(ex: Executor): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const pin = newPersonalPin();
      if (!(await usersRepository.pinTaken(ex, pin))) return pin;
    }
    throw new AppError('internal', 'Could not allocate a unique personal PIN.');
  }

  /** Provisions a registered member directly (no invitation): shared devices and admin-created users. */
  async createUser(actor: Actor, accountId: string, input: { username?: string | undefined; email: string; userType?: UserType | undefined }, attempt = 0): Promise<User> {
    const now = this.deps.clock.now();
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const account = await this.deps.accounts.getAccount(accountId, trx);
        const existing = await usersRepository.findMembersByEmail(trx, accountId, [normalizeEmail(input.email)]);
        if (existing.size > 0) throw new AppError('user.email_taken', `A user with email ${input.email} already exists in this account.`);
        const user: User = {
          id: uuidv7(now.getTime()),
          accountId,
          email: input.email.trim(),
          displayName: input.username ?? null,
          userType: input.userType ?? 'PrivateUser',
          license: account.defaultLicense,
          registrationStatus: 'Registered',
          invitationStatus: null,
          invitedOn: null,
          registeredOn: now.toISOString(),
          personalPin: await this.allocatePersonalPin(trx),
          alexaEnabled: null,
          alexaRoomArn: null,
          telephony: { inboundCalling: true, outboundCalling: true, sms: true },
          proTrialEndsAt: null,
          sessionsRevokedAt: null,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          removedAt: null,
          identityId: null,
        };
        await usersRepository.insert(trx, user);
        await this.deps.audit.record(trx, actor, { action: 'CreateUser', resourceType: 'user', resourceId: user.id, accountId, details: { email: user.email, userType: user.userType } });
        return user;
      });
    } catch (e) {
      // Another request drew the same fresh PIN at the same moment: draw again.
      if (isUniqueViolation(e, 'personal_pin') && attempt < 3) return this.createUser(actor, accountId, input, attempt + 1);
      if (isUniqueViolation(e)) throw new AppError('user.email_taken', `A user with email ${input.email} already exists in this account.`);
      throw e;
    }
  }

  async getUser(accountId: string, userId: string, ex: Executor = this.deps.db): Promise<User> {
    // Outside a transaction the reader serves it: committed data, no wait for other requests' transactions.
    const user = await usersRepository.findMemberOfLiveAccount(ex === this.deps.db ? this.deps.reader : ex, accountId, userId);
    if (user) return user;
    await this.deps.accounts.getAccount(accountId, ex); // an unknown account is reported as such
    throw new AppError('user.not_found', `User ${userId} not found in account ${accountId}.`);
  }

  async listUsers(f: {
    accountId: string;
    userEmail?: string | undefined;
    userType?: UserType | undefined;
    registrationStatus?: RegistrationStatus | undefined;
    license?: License | undefined;
    emailPrefix?: string | undefined;
    afterId?: string | undefined;
    limit: number;
  }): Promise<Page<User>> {
    await this.deps.accounts.getAccount(f.accountId);
    const rows = await usersRepository.list(this.deps.db, {
      accountId: f.accountId,
      emailNorm: f.userEmail === undefined ? undefined : normalizeEmail(f.userEmail),
      userType: f.userType,
      registrationStatus: f.registrationStatus,
      license: f.license && { value: f.license, now: this.deps.clock.now().toISOString() },
      emailPrefixNorm: f.emailPrefix ? normalizeEmail(f.emailPrefix) : undefined,
      afterId: f.afterId,
      limit: f.limit + 1,
    });
    return page(rows, f.limit);
  }

  async updateUser(actor: Actor, accountId: string, userId: string, update: UserUpdate): Promise<User> {
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await this.deps.accounts.getAccount(accountId, trx);
      const user = await usersRepository.findMember(trx, accountId, userId);
      if (!user) throw new AppError('user.not_found', `User ${userId} not found in account ${accountId}.`);
      const failure = this.checkUpdate(account, update);
      if (failure) throw new AppError(failure.code, failure.message);
      await this.applyUpdate(trx, actor, user, update, 'UpdateUser');
      return (await usersRepository.findMember(trx, accountId, userId))!;
    });
  }

  /** Up to 20 updates; each user that cannot be updated is reported and the others are applied. */
  async batchUpdateUsers(actor: Actor, accountId: string, items: Array<{ userId: string } & UserUpdate>): Promise<UserFailure[]> {
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await this.deps.accounts.getAccount(accountId, trx);
      const members = await usersRepository.findMembers(trx, accountId, items.map((i) => i.userId));
      const failures: UserFailure[] = [];
      for (const item of items) {
        const user = members.get(item.userId);
        if (!user) {
          failures.push({ userId: item.userId, code: 'user.not_found', message: `User ${item.userId} not found in account ${accountId}.` });
          continue;
        }
        const failure = this.checkUpdate(account, item);
        if (failure) {
          failures.push({ userId: item.userId, ...failure });
          continue;
        }
        await this.applyUpdate(trx, actor, user, item, 'BatchUpdateUser');
      }
      return failures;
    });
  }

  private checkUpdate(account: Account, update: UserUpdate): { code: ErrorCode; message: string } | undefined {
    if (update.licenseType !== undefined && licenseIsDirectoryManaged(account.type)) {
      return { code: 'user.license_managed_by_directory', message: `Licenses in ${account.type} accounts follow directory group membership.` };
    }
    return undefined;
  }

  private async applyUpdate(ex: Executor, actor: Actor, user: User, update: UserUpdate, action: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const patch: UserPatch = {};
    if (update.licenseType !== undefined) {
      patch.license = update.licenseType;
      // An administrator's license decision ends a personal Pro trial early.
      if (user.license === 'ProTrial') patch.pro_trial_ends_at = now;
    }
    if (update.userType !== undefined) patch.user_type = update.userType;
    if (update.alexaForBusiness?.enabled !== undefined) patch.alexa_enabled = update.alexaForBusiness.enabled ? 1 : 0;
    if (update.alexaForBusiness?.roomArn !== undefined) patch.alexa_room_arn = update.alexaForBusiness.roomArn;
    if (Object.keys(patch).length === 0) return;
    await usersRepository.update(ex, [user.id], patch, now);
    await this.deps.audit.record(ex, actor, {
      action,
      resourceType: 'user',
      resourceId: user.id,
      accountId: user.accountId,
      details: { licenseType: update.licenseType, userType: update.userType, from: { licenseType: user.license, userType: user.userType } },
    });
  }

  /**
   * Team: the users leave the account (Chime's API treats Team suspend as removal; re-inviting undoes it).
   * Enterprise LWA: the users become Suspended. Either way their sessions end at once.
   */
  async batchSuspendUsers(actor: Actor, accountId: string, userIds: string[]): Promise<UserFailure[]> {
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await this.deps.accounts.getAccount(accountId, trx);
      if (account.type === 'EnterpriseDirectory' || account.type === 'EnterpriseOIDC') {
        throw new AppError('account.wrong_type', `Users of ${account.type} accounts are suspended in their directory, not here.`);
      }
      const ids = [...new Set(userIds)];
      const members = await usersRepository.findMembers(trx, accountId, ids);
      const failures = ids.filter((id) => !members.has(id)).map((id) => notFound(id, accountId));
      const now = this.deps.clock.now().toISOString();
      const found = [...members.values()];
      if (account.type === 'Team') {
        await usersRepository.update(trx, found.map((u) => u.id), { removed_at: now, sessions_revoked_at: now }, now);
        await this.deps.audit.recordMany(trx, actor, found.map((u) => ({ action: 'RemoveUser', resourceType: 'user', resourceId: u.id, accountId, details: { email: u.email, via: 'BatchSuspendUser' } })));
      } else {
        const toSuspend = found.filter((u) => u.registrationStatus !== 'Suspended');
        await usersRepository.update(trx, toSuspend.map((u) => u.id), { registration_status: 'Suspended', sessions_revoked_at: now }, now);
        await this.deps.audit.recordMany(trx, actor, toSuspend.map((u) => ({ action: 'SuspendUser', resourceType: 'user', resourceId: u.id, accountId, details: { email: u.email } })));
      }
      return failures;
    });
  }

  /** Enterprise LWA only: Suspended users return to Registered; users who were not suspended are skipped. */
  async batchUnsuspendUsers(actor: Actor, accountId: string, userIds: string[]): Promise<UserFailure[]> {
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await this.deps.accounts.getAccount(accountId, trx);
      if (account.type !== 'EnterpriseLWA') {
        throw new AppError('account.wrong_type', `Unsuspend applies to EnterpriseLWA accounts; this account is ${account.type}.`);
      }
      const ids = [...new Set(userIds)];
      const members = await usersRepository.findMembers(trx, accountId, ids);
      const failures = ids.filter((id) => !members.has(id)).map((id) => notFound(id, accountId));
      const toRestore = [...members.values()].filter((u) => u.registrationStatus === 'Suspended');
      const now = this.deps.clock.now().toISOString();
      await usersRepository.update(trx, toRestore.map((u) => u.id), { registration_status: 'Registered' }, now);
      await this.deps.audit.recordMany(trx, actor, toRestore.map((u) => ({ action: 'UnsuspendUser', resourceType: 'user', resourceId: u.id, accountId, details: { email: u.email } })));
      return failures;
    });
  }

  async resetPersonalPin(actor: Actor, accountId: string, userId: string): Promise<User> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.deps.db.transaction().execute(async (trx) => {
          const user = await this.getUser(accountId, userId, trx);
          const now = this.deps.clock.now().toISOString();
          await usersRepository.update(trx, [user.id], { personal_pin: await this.allocatePersonalPin(trx) }, now);
          // The PIN itself is a secret of the user: it stays out of the audit record.
          await this.deps.audit.record(trx, actor, { action: 'ResetPersonalPIN', resourceType: 'user', resourceId: user.id, accountId });
          return (await usersRepository.findMember(trx, accountId, userId))!;
        });
      } catch (e) {
        // Two nodes drew the same fresh PIN at once: draw again.
        if (!isUniqueViolation(e, 'personal_pin') || attempt >= 3) throw e;
      }
    }
  }

  /** Signs the user out everywhere (every session and token issued before now stops working). */
  async logoutUser(actor: Actor, accountId: string, userId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const user = await this.getUser(accountId, userId, trx);
      const now = this.deps.clock.now().toISOString();
      await usersRepository.update(trx, [user.id], { sessions_revoked_at: now }, now);
      await this.deps.audit.record(trx, actor, { action: 'LogoutUser', resourceType: 'user', resourceId: user.id, accountId });
    });
  }

  async getUserSettings(accountId: string, userId: string): Promise<TelephonySettings> {
    return (await this.getUser(accountId, userId)).telephony;
  }

  async updateUserSettings(actor: Actor, accountId: string, userId: string, t: TelephonySettings): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const user = await this.getUser(accountId, userId, trx);
      const now = this.deps.clock.now().toISOString();
      await usersRepository.update(
        trx,
        [user.id],
        { telephony_inbound: t.inboundCalling ? 1 : 0, telephony_outbound: t.outboundCalling ? 1 : 0, telephony_sms: t.sms ? 1 : 0 },
        now,
      );
      await this.deps.audit.record(trx, actor, { action: 'UpdateUserSettings', resourceType: 'user', resourceId: user.id, accountId, details: { telephony: t } });
    });
  }
}

function notFound(userId: string, accountId: string): UserFailure {
  return { userId, code: 'user.not_found', message: `User ${userId} not found in account ${accountId}.` };
}
