// The rules of account members: creation, listing, license and type changes (single and batch of 20),
// suspension (Team: removal; Enterprise LWA: Suspended; directory accounts: the IdP decides), personal PINs,
// sign-out and per-user settings.
import type { AccountsService } from '../accounts/accounts-service.js';
import type { Account } from '../accounts/accounts-repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../platform/clock.js';
import type { Reader } from '../platform/db/reader.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError, type ErrorCode } from '../platform/errors.js';
import { newPersonalPin, uuidv7 } from '../platform/ids.js';
import { page, type Page } from '../platform/page.js';
import type { Actor, License, RegistrationStatus, UserType } from '../platform/types.js';
import { licenseIsDirectoryManaged } from './license.js';
import { searchDirectory, type DirectoryEntry } from './directory-search.js';
import { normalizeEmail, PinTaken, usersRepository, type User, type UserPatch } from './users-repository.js';

export type UserUpdate = {
  licenseType?: License | undefined;
  userType?: UserType | undefined;
  alexaForBusiness?: { enabled?: boolean | undefined; roomArn?: string | undefined } | undefined;
};

export type UserFailure = { userId: string; code: ErrorCode; message: string };

export type TelephonySettings = { inboundCalling: boolean; outboundCalling: boolean; sms: boolean };

export type Membership = { user: User; account: Account };

/** Told, in the same transaction, that members left their account (removed by an administrator). */
export type MembersRemovedListener = (ex: Executor, removed: User[]) => Promise<void>;

/** The account that owns the domain of each address (a verified claim), by address as given. */
export type AddressOwners = (ex: Executor, emails: string[]) => Promise<Map<string, string>>;

export class UsersService {
  private readonly removedListeners: MembersRemovedListener[] = [];
  private addressOwners: AddressOwners = async () => new Map();

  constructor(private readonly deps: { db: Db; reader: Reader; clock: Clock; audit: AuditLog; accounts: AccountsService }) {}

  onMembersRemoved(listener: MembersRemovedListener): void {
    this.removedListeners.push(listener);
  }

  /** The capability that holds claimed domains says who owns an address's domain. */
  useAddressOwners(owners: AddressOwners): void {
    this.addressOwners = owners;
  }

  /** The accounts that own these addresses' domains, by address (those in no claimed domain are absent). */
  async ownersOfAddresses(ex: Executor, emails: string[]): Promise<Map<string, string>> {
    return emails.length === 0 ? new Map() : this.addressOwners(ex, emails);
  }

  async ownerOfAddress(ex: Executor, email: string): Promise<string | undefined> {
    return (await this.ownersOfAddresses(ex, [email])).get(email);
  }

  /**
   * A domain of the account is released: its Registered members become Released and its Suspended ones stay
   * Suspended, and every one of them is signed out everywhere, in the caller's transaction.
   */
  async releaseDomainMembers(ex: Executor, accountId: string, domain: string, now: string): Promise<{ released: number; stillSuspended: number }> {
    const registered = await usersRepository.idsWithStatus(ex, accountId, ['Registered'], domain);
    const suspended = await usersRepository.idsWithStatus(ex, accountId, ['Suspended'], domain);
    for (let i = 0; i < registered.length; i += 500) {
      await usersRepository.update(ex, registered.slice(i, i + 500), { registration_status: 'Released', sessions_revoked_at: now }, now);
    }
    for (let i = 0; i < suspended.length; i += 500) await usersRepository.update(ex, suspended.slice(i, i + 500), { sessions_revoked_at: now }, now);
    return { released: registered.length, stillSuspended: suspended.length };
  }

  /** Every live membership of an address, in any account and of any status. */
  async membershipsOfAddress(ex: Executor, email: string): Promise<User[]> {
    return usersRepository.liveByEmail(ex, normalizeEmail(email));
  }

  /** Invitees who leave an account without a word from its administrator (their domain went to another account). */
  async dropInvitees(ex: Executor, actor: Actor, invitees: User[], because: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await usersRepository.update(ex, invitees.map((u) => u.id), { removed_at: now }, now);
    await this.deps.audit.recordMany(ex, actor, invitees.map((u) => ({ action: 'RemoveUser', resourceType: 'user', resourceId: u.id, accountId: u.accountId, details: { email: u.email, via: because } })));
  }

  /** The account's last domain is released: its remaining Registered members are suspended (§9 item 5). */
  async suspendRegistered(ex: Executor, accountId: string, now: string): Promise<number> {
    const ids = await usersRepository.idsWithStatus(ex, accountId, ['Registered']);
    for (let i = 0; i < ids.length; i += 500) await usersRepository.update(ex, ids.slice(i, i + 500), { registration_status: 'Suspended', sessions_revoked_at: now }, now);
    return ids.length;
  }

  /** The accounts in which this address is a live member. */
  async accountIdsOfEmail(email: string): Promise<string[]> {
    return usersRepository.accountIdsOfEmail(this.deps.db, normalizeEmail(email));
  }

  /**
   * Deleting an account: refused while registered or suspended members remain (Team: remove them first); then every
   * session of its members ends.
   */
  async beforeAccountDeleted(ex: Executor, account: Account): Promise<void> {
    const active = await usersRepository.countByStatus(ex, account.id, ['Registered', 'Suspended']);
    if (active > 0) {
      throw new AppError('account.has_active_users', `The account still has ${active} registered user(s). Remove them (BatchSuspendUser on a Team account) before deleting it.`);
    }
    await usersRepository.revokeSessionsOfAccount(ex, account.id, this.deps.clock.now().toISOString());
  }

  /** A live member of the account, or undefined. */
  async findMember(ex: Executor, accountId: string, userId: string): Promise<User | undefined> {
    return usersRepository.findMember(ex, accountId, userId);
  }

  /** Live members of the account by normalized email. */
  async membersByEmail(ex: Executor, accountId: string, emailNorms: string[]): Promise<Map<string, User>> {
    return usersRepository.findMembersByEmail(ex, accountId, emailNorms);
  }

  /** New Unregistered members for invitations (the invitations capability makes them). */
  async addInvitees(ex: Executor, invitees: User[]): Promise<void> {
    await usersRepository.insertMany(ex, invitees);
  }

  /** Members invited again: their invitation is Pending once more. */
  async markInvitedAgain(ex: Executor, userIds: string[], at: string): Promise<void> {
    // A Released member invited again is an invitee once more.
    await usersRepository.update(ex, userIds, { invitation_status: 'Pending', invited_on: at, registration_status: 'Unregistered' }, at);
  }

  /** Invitees whose invitation ended unaccepted show UserInvitationStatus Failed until invited again. */
  async markInvitationFailed(ex: Executor, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    await usersRepository.markInvitationFailed(ex, userIds, this.deps.clock.now().toISOString());
  }

  /**
   * An invitee accepts: they become a Registered member with the account's license, and (a person belongs to one
   * account at a time) leave any other account. Returns the ids of the accounts they left.
   */
  async registerInvitee(ex: Executor, input: { user: User; account: Account; identityId: string; displayName: string | null }): Promise<string[]> {
    const now = this.deps.clock.now().toISOString();
    const left = await this.leaveOtherAccounts(ex, input.user, input.identityId, now);
    await usersRepository.update(
      ex,
      [input.user.id],
      {
        identity_id: input.identityId,
        registration_status: 'Registered',
        invitation_status: 'Accepted',
        registered_on: now,
        // The license an administrator chose for the invitee wins over the account's default.
        license: input.user.licenseChosenAt ? input.user.license : input.account.defaultLicense,
        display_name: input.displayName,
        personal_pin: await this.allocatePersonalPin(ex),
      },
      now,
    );
    return left.map((o) => o.accountId);
  }

  /** A fresh personal PIN that no other user holds. */
  async allocatePersonalPin(ex: Executor): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const pin = newPersonalPin();
      if (!(await usersRepository.pinTaken(ex, pin))) return pin;
    }
    throw new AppError('internal', 'Could not allocate a unique personal PIN.');
  }

  /** The live membership of an identity, with its live account. */
  async membershipOf(identityId: string, ex: Executor = this.deps.db): Promise<Membership | undefined> {
    const user = await usersRepository.findLiveByIdentity(ex, identityId);
    if (!user) return undefined;
    const account = await this.deps.accounts.findAccount(user.accountId, ex);
    return account ? { user, account } : undefined;
  }

  /** The latest time any membership of this identity was signed out (LogoutUser, suspension, removal). */
  async lastRevocationOf(identityId: string, ex: Executor = this.deps.db): Promise<string | null> {
    return usersRepository.lastRevocationOfIdentity(ex, identityId);
  }

  /**
   * Makes an identity a Registered member of an account whose identity source vouched for them, with `license`
   * (the account's default when undefined); a person belongs to one account at a time, so any other membership of
   * theirs ends.
   */
  async provisionMember(ex: Executor, actor: Actor, input: { accountId: string; identityId: string; email: string; displayName: string | null; license: License | undefined }): Promise<User> {
    const now = this.deps.clock.now();
    const account = await this.deps.accounts.getAccount(input.accountId, ex);
    const license = input.license ?? account.defaultLicense;
    const existing = (await usersRepository.findMembersByEmail(ex, account.id, [normalizeEmail(input.email)])).get(normalizeEmail(input.email));
    await this.leaveOtherAccounts(ex, { id: existing?.id ?? '', email: input.email }, input.identityId, now.toISOString());
    if (existing) {
      await usersRepository.update(ex, [existing.id], { identity_id: input.identityId, registration_status: 'Registered', registered_on: existing.registeredOn ?? now.toISOString(), license, personal_pin: existing.personalPin ?? (await this.allocatePersonalPin(ex)) }, now.toISOString());
      await this.deps.audit.record(ex, actor, { action: 'ProvisionUser', resourceType: 'user', resourceId: existing.id, accountId: account.id, details: { email: input.email, license } });
      return (await usersRepository.findMember(ex, account.id, existing.id))!;
    }
    const user: User = {
      ...this.blankMember(account.id, input.email, now.toISOString()),
      id: uuidv7(now.getTime()),
      displayName: input.displayName,
      license,
      registrationStatus: 'Registered',
      registeredOn: now.toISOString(),
      personalPin: await this.allocatePersonalPin(ex),
      identityId: input.identityId,
    };
    await usersRepository.insert(ex, user);
    await this.deps.audit.record(ex, actor, { action: 'ProvisionUser', resourceType: 'user', resourceId: user.id, accountId: account.id, details: { email: user.email, license } });
    return user;
  }

  /** Sets the license an account's directory groups give a member (on each sign-in through that directory). */
  async setLicenseFromDirectory(ex: Executor, actor: Actor, user: User, license: License): Promise<void> {
    if (user.license === license) return;
    const now = this.deps.clock.now().toISOString();
    await usersRepository.update(ex, [user.id], { license }, now);
    await this.deps.audit.record(ex, actor, { action: 'UpdateUser', resourceType: 'user', resourceId: user.id, accountId: user.accountId, details: { licenseType: license, from: { licenseType: user.license }, via: 'directory groups' } });
  }

  /** Registered members of an account whose address or name matches the query, for the directory page. */
  async searchDirectory(accountId: string, query: string, limit = 20): Promise<DirectoryEntry[]> {
    return searchDirectory(this.deps.db, accountId, query, limit);
  }

  /**
   * Before a person registers in an account, they leave the others: their identity's membership and any other live
   * registered membership of their address. Refused while they are suspended elsewhere (a suspended person stays
   * where their administrator put them). Returns the memberships left.
   */
  private async leaveOtherAccounts(ex: Executor, joining: { id: string; email: string }, identityId: string, now: string): Promise<User[]> {
    const byIdentity = await usersRepository.findLiveByIdentity(ex, identityId);
    const byAddress = await usersRepository.registeredElsewhere(ex, normalizeEmail(joining.email), joining.id);
    const others = [...new Map([...(byIdentity ? [byIdentity] : []), ...byAddress].filter((u) => u.id !== joining.id).map((u) => [u.id, u])).values()];
    if (others.some((u) => u.registrationStatus === 'Suspended')) {
      throw new AppError('signin.suspended', 'You are suspended in your current account, so you cannot join another one. Contact its administrator.');
    }
    await usersRepository.update(ex, others.map((o) => o.id), { removed_at: now, sessions_revoked_at: now }, now);
    return others;
  }

  /** A member with every optional field empty, as invitations and provisioning start them. */
  blankMember(accountId: string, email: string, now: string): User {
    return {
      id: '',
      accountId,
      email: email.trim(),
      displayName: null,
      userType: 'PrivateUser',
      license: 'Pro',
      registrationStatus: 'Unregistered',
      invitationStatus: null,
      invitedOn: null,
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
      licenseChosenAt: null,
    };
  }

  /** Provisions a registered member directly (no invitation): shared devices and admin-created users. */
  async createUser(actor: Actor, accountId: string, input: { username?: string | undefined; email: string; userType?: UserType | undefined }, attempt = 0): Promise<User> {
    const now = this.deps.clock.now();
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const account = await this.deps.accounts.getAccount(accountId, trx);
        const existing = await usersRepository.findMembersByEmail(trx, accountId, [normalizeEmail(input.email)]);
        if (existing.size > 0) throw new AppError('user.email_taken', `A user with email ${input.email} already exists in this account.`);
        const owner = await this.ownerOfAddress(trx, input.email);
        if (owner !== undefined && owner !== accountId) {
          throw new AppError('domain.claimed_elsewhere', `The domain of ${input.email} is claimed by another organization, whose account its people belong to.`);
        }
        const user: User = {
          ...this.blankMember(accountId, input.email, now.toISOString()),
          id: uuidv7(now.getTime()),
          displayName: input.username ?? null,
          userType: input.userType ?? 'PrivateUser',
          license: account.defaultLicense,
          registrationStatus: 'Registered',
          registeredOn: now.toISOString(),
          personalPin: await this.allocatePersonalPin(trx),
        };
        // A person is a registered member of one account at a time: the index refuses a second
        // (user.registered_elsewhere), however the requests race.
        await usersRepository.insert(trx, user);
        await this.deps.audit.record(trx, actor, { action: 'CreateUser', resourceType: 'user', resourceId: user.id, accountId, details: { email: user.email, userType: user.userType } });
        return user;
      });
    } catch (e) {
      // Another request drew the same fresh PIN at the same moment: draw again.
      if (e instanceof PinTaken && attempt < 3) return this.createUser(actor, accountId, input, attempt + 1);
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
    emailDomain?: string | undefined;
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
      emailDomain: f.emailDomain,
      afterId: f.afterId,
      limit: f.limit + 1,
    });
    return page(rows, f.limit);
  }

  /** How many members the console's filters keep, counted up to `cap` (beyond it: capped). */
  async countUsers(f: Omit<Parameters<UsersService['listUsers']>[0], 'afterId' | 'limit'>, cap: number): Promise<{ count: number; capped: boolean }> {
    await this.deps.accounts.getAccount(f.accountId);
    const n = await usersRepository.count(
      this.deps.db,
      {
        accountId: f.accountId,
        emailNorm: f.userEmail === undefined ? undefined : normalizeEmail(f.userEmail),
        userType: f.userType,
        registrationStatus: f.registrationStatus,
        license: f.license && { value: f.license, now: this.deps.clock.now().toISOString() },
        emailPrefixNorm: f.emailPrefix ? normalizeEmail(f.emailPrefix) : undefined,
        emailDomain: f.emailDomain,
      },
      cap,
    );
    return { count: Math.min(n, cap), capped: n > cap };
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

  private async applyUpdate(ex: Executor, actor: Actor, user: User, update: UserUpdate, action: 'UpdateUser' | 'BatchUpdateUser'): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const patch: UserPatch = {};
    if (update.licenseType !== undefined) {
      patch.license = update.licenseType;
      // Remembered for an invitee: accepting keeps the license chosen for them, not the account's default.
      patch.license_chosen_at = now;
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
        for (const listener of this.removedListeners) await listener(trx, found);
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
      // Team too: releasing an account's last domain suspends its remaining members (§9 item 5).
      if (account.type !== 'EnterpriseLWA' && account.type !== 'Team') {
        throw new AppError('account.wrong_type', `Unsuspend applies to EnterpriseLWA and Team accounts; users of ${account.type} accounts are suspended in their directory.`);
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
        if (!(e instanceof PinTaken) || attempt >= 3) throw e;
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
