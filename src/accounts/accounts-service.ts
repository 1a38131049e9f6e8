// The rules of accounts: creation (always Team), rename and default license, deletion preconditions,
// the 90-day restore window, meeting settings and sign-in delegate groups.
import type { AuditLog } from '../audit/audit-log.js';
import { DAY_MS, type Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { uuidv7 } from '../platform/ids.js';
import { page, type Page } from '../platform/page.js';
import type { AccountType, Actor, License } from '../platform/types.js';
import { accountsRepository, type Account } from './accounts-repository.js';

export const RESTORE_WINDOW_DAYS = 90;

export type AccountSettings = { disableRemoteControl?: boolean | undefined; enableDialOut?: boolean | undefined };

/** Told, in the deleting transaction, that an account is being deleted; throwing an AppError refuses the deletion
 *  (a capability whose things must go first, such as registered members). */
export type AccountDeletedListener = (ex: Executor, account: Account) => Promise<void>;

export class AccountsService {
  private readonly deletedListeners: AccountDeletedListener[] = [];

  constructor(private readonly deps: { db: Db; clock: Clock; audit: AuditLog }) {}

  onAccountDeleted(listener: AccountDeletedListener): void {
    this.deletedListeners.push(listener);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  async createAccount(actor: Actor, name: string): Promise<Account> {
    const now = this.deps.clock.now();
    const account: Account = {
      id: uuidv7(now.getTime()),
      name,
      type: 'Team',
      status: 'Active',
      defaultLicense: 'Pro',
      disableRemoteControl: false,
      enableDialOut: true,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      deletedAt: null,
      signinDelegateGroups: [],
    };
    await this.deps.db.transaction().execute(async (trx) => {
      await accountsRepository.insert(trx, account);
      await this.deps.audit.record(trx, actor, { action: 'CreateAccount', resourceType: 'account', resourceId: account.id, accountId: account.id, details: { name } });
    });
    return account;
  }

  /** A live account, or undefined. */
  async findAccount(accountId: string, ex: Executor = this.deps.db): Promise<Account | undefined> {
    return accountsRepository.findById(ex, accountId);
  }

  async getAccount(accountId: string, ex: Executor = this.deps.db): Promise<Account> {
    const account = await accountsRepository.findById(ex, accountId);
    if (!account) throw new AppError('account.not_found', `Account ${accountId} not found.`);
    return account;
  }

  /** A live account, locked for the rest of the transaction (PostgreSQL; SQLite writes one at a time anyway). */
  async lockAccount(ex: Executor, accountId: string): Promise<Account> {
    const account = await accountsRepository.lockById(ex, accountId);
    if (!account) throw new AppError('account.not_found', `Account ${accountId} not found.`);
    return account;
  }

  /** Changes the account's type, in the caller's transaction (claimed domains and identity sources decide it). */
  async setAccountType(ex: Executor, actor: Actor, accountId: string, type: AccountType, because: string): Promise<void> {
    const account = await this.getAccount(accountId, ex);
    if (account.type === type) return;
    await accountsRepository.update(ex, accountId, { type }, this.now());
    await this.deps.audit.record(ex, actor, { action: 'ChangeAccountType', resourceType: 'account', resourceId: accountId, accountId, details: { from: account.type, to: type, because } });
  }

  /** The names of these accounts (deleted ones too, while they can be restored), by id. */
  async namesOf(ids: string[]): Promise<Map<string, string>> {
    return accountsRepository.namesOf(this.deps.db, ids);
  }

  /** One page of live accounts in creation order; `onlyAccountId` confines a scoped caller to its account, and
   *  `amongIds` to the accounts a person belongs to. */
  async listAccounts(f: {
    namePrefix?: string | undefined;
    amongIds?: string[] | undefined;
    onlyAccountId?: string | undefined;
    afterId?: string | undefined;
    limit: number;
  }): Promise<Page<Account>> {
    const rows = await accountsRepository.list(this.deps.db, {
      namePrefix: f.namePrefix,
      amongIds: f.amongIds,
      onlyAccountId: f.onlyAccountId,
      deleted: false,
      afterId: f.afterId,
      limit: f.limit + 1,
    });
    return page(rows, f.limit);
  }

  /** Deleted accounts that can still be restored, most recently deleted first. */
  async listDeletedAccounts(limit = 1000): Promise<Account[]> {
    const since = new Date(this.deps.clock.now().getTime() - RESTORE_WINDOW_DAYS * DAY_MS).toISOString();
    return accountsRepository.listDeleted(this.deps.db, { since, limit });
  }

  async updateAccount(actor: Actor, accountId: string, patch: { name?: string | undefined; defaultLicense?: License | undefined }): Promise<Account> {
    return this.deps.db.transaction().execute(async (trx) => {
      await this.getAccount(accountId, trx);
      const now = this.now();
      await accountsRepository.update(
        trx,
        accountId,
        {
          ...(patch.name !== undefined && { name: patch.name, name_norm: patch.name.toLowerCase() }),
          ...(patch.defaultLicense !== undefined && { default_license: patch.defaultLicense }),
        },
        now,
      );
      await this.deps.audit.record(trx, actor, { action: 'UpdateAccount', resourceType: 'account', resourceId: accountId, accountId, details: { ...patch } });
      return this.getAccount(accountId, trx);
    });
  }

  /**
   * Team: refused while registered or suspended members remain (remove them first). Enterprise: refused while
   * domains are claimed (release them first, which returns the account to Team). The account is then disabled,
   * restorable for 90 days, and every session of its members ends.
   */
  async deleteAccount(actor: Actor, accountId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const account = await accountsRepository.lockById(trx, accountId);
      if (!account) throw new AppError('account.not_found', `Account ${accountId} not found.`);
      if (account.type !== 'Team') {
        throw new AppError('account.has_domains', 'An Enterprise account can be deleted only after all of its claimed domains are released.');
      }
      for (const listener of this.deletedListeners) await listener(trx, account);
      const now = this.now();
      await accountsRepository.update(trx, accountId, { deleted_at: now }, now);
      await this.deps.audit.record(trx, actor, { action: 'DeleteAccount', resourceType: 'account', resourceId: accountId, accountId, details: { name: account.name } });
    });
  }

  /** Brings back an account deleted less than 90 days ago. */
  async restoreAccount(actor: Actor, accountId: string): Promise<Account> {
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await accountsRepository.findById(trx, accountId, { includeDeleted: true });
      if (!account) throw new AppError('account.not_found', `Account ${accountId} not found.`);
      if (!account.deletedAt) throw new AppError('account.not_deleted', `Account ${accountId} is not deleted.`);
      const age = this.deps.clock.now().getTime() - Date.parse(account.deletedAt);
      if (age > RESTORE_WINDOW_DAYS * DAY_MS) {
        throw new AppError('account.restore_expired', `Account ${accountId} was deleted more than ${RESTORE_WINDOW_DAYS} days ago.`);
      }
      await accountsRepository.update(trx, accountId, { deleted_at: null }, this.now());
      await this.deps.audit.record(trx, actor, { action: 'RestoreAccount', resourceType: 'account', resourceId: accountId, accountId });
      return this.getAccount(accountId, trx);
    });
  }

  /** Permanently removes accounts whose restore window has passed; their audit records stay. */
  async purgeExpiredAccounts(actor: Actor): Promise<string[]> {
    const cutoff = new Date(this.deps.clock.now().getTime() - RESTORE_WINDOW_DAYS * DAY_MS).toISOString();
    return this.deps.db.transaction().execute(async (trx) => {
      const ids = await accountsRepository.purgeDeletedBefore(trx, cutoff);
      await this.deps.audit.recordMany(trx, actor, ids.map((id) => ({ action: 'PurgeAccount', resourceType: 'account', resourceId: id, accountId: id })));
      return ids;
    });
  }

  async getAccountSettings(accountId: string): Promise<Required<AccountSettings>> {
    const a = await this.getAccount(accountId);
    return { disableRemoteControl: a.disableRemoteControl, enableDialOut: a.enableDialOut };
  }

  async updateAccountSettings(actor: Actor, accountId: string, s: AccountSettings): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await this.getAccount(accountId, trx);
      await accountsRepository.update(
        trx,
        accountId,
        {
          ...(s.disableRemoteControl !== undefined && { disable_remote_control: s.disableRemoteControl ? 1 : 0 }),
          ...(s.enableDialOut !== undefined && { enable_dial_out: s.enableDialOut ? 1 : 0 }),
        },
        this.now(),
      );
      await this.deps.audit.record(trx, actor, { action: 'UpdateAccountSettings', resourceType: 'account', resourceId: accountId, accountId, details: { ...s } });
    });
  }

  /** Sign-in delegate groups are groups of the account's Active Directory: only EnterpriseDirectory accounts have one. */
  async associateSigninDelegateGroups(actor: Actor, accountId: string, groups: string[]): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const account = await this.getAccount(accountId, trx);
      if (account.type !== 'EnterpriseDirectory') {
        throw new AppError('account.wrong_type', `Sign-in delegate groups are groups of an Active Directory, and this ${account.type} account has none: connect the account's directory first.`);
      }
      await accountsRepository.addDelegateGroups(trx, accountId, groups, this.now());
      await this.deps.audit.record(trx, actor, { action: 'AssociateSigninDelegateGroupsWithAccount', resourceType: 'account', resourceId: accountId, accountId, details: { groups } });
    });
  }

  /** Allowed on any account, so that groups stored before a directory was disconnected can be removed. */
  async disassociateSigninDelegateGroups(actor: Actor, accountId: string, groups: string[]): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await this.getAccount(accountId, trx);
      await accountsRepository.removeDelegateGroups(trx, accountId, groups);
      await this.deps.audit.record(trx, actor, { action: 'DisassociateSigninDelegateGroupsFromAccount', resourceType: 'account', resourceId: accountId, accountId, details: { groups } });
    });
  }
}
