// SQL for accounts and their sign-in delegate groups.
import { isPostgres, startsWith } from '../platform/db/dialect.js';
import type { AccountsTable, Executor } from '../platform/db/schema.js';
import type { AccountStatus, AccountType, License } from '../platform/types.js';

export type Account = {
  id: string;
  name: string;
  type: AccountType;
  status: AccountStatus;
  defaultLicense: License;
  disableRemoteControl: boolean;
  enableDialOut: boolean;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  signinDelegateGroups: string[];
};

export type AccountListFilter = {
  namePrefix?: string | undefined;
  amongIds?: string[] | undefined;
  onlyAccountId?: string | undefined;
  deleted: boolean;
  afterId?: string | undefined;
  limit: number;
};

type AccountPatch = Partial<Pick<AccountsTable, 'name' | 'name_norm' | 'type' | 'status' | 'default_license' | 'disable_remote_control' | 'enable_dial_out' | 'deleted_at'>>;

function toAccount(r: AccountsTable, groups: string[]): Account {
  return {
    id: r.id,
    name: r.name,
    type: r.type as AccountType,
    status: r.status as AccountStatus,
    defaultLicense: r.default_license as License,
    disableRemoteControl: r.disable_remote_control === 1,
    enableDialOut: r.enable_dial_out === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
    signinDelegateGroups: groups,
  };
}

async function withGroups(ex: Executor, rows: AccountsTable[]): Promise<Account[]> {
  if (rows.length === 0) return [];
  const groups = await ex
    .selectFrom('signin_delegate_groups')
    .select(['account_id', 'group_name'])
    .where('account_id', 'in', rows.map((r) => r.id))
    .orderBy('account_id')
    .orderBy('created_at')
    .orderBy('group_name')
    .execute();
  const byAccount = new Map<string, string[]>();
  for (const g of groups) byAccount.set(g.account_id, [...(byAccount.get(g.account_id) ?? []), g.group_name]);
  return rows.map((r) => toAccount(r, byAccount.get(r.id) ?? []));
}

export const accountsRepository = {
  async insert(ex: Executor, a: Omit<Account, 'signinDelegateGroups'>): Promise<void> {
    await ex
      .insertInto('accounts')
      .values({
        id: a.id,
        name: a.name,
        name_norm: a.name.toLowerCase(),
        type: a.type,
        status: a.status,
        default_license: a.defaultLicense,
        disable_remote_control: a.disableRemoteControl ? 1 : 0,
        enable_dial_out: a.enableDialOut ? 1 : 0,
        created_at: a.createdAt,
        updated_at: a.updatedAt,
        deleted_at: a.deletedAt,
      })
      .execute();
  },

  /** A live account, or with `includeDeleted` one in its restore window too. */
  async findById(ex: Executor, id: string, options: { includeDeleted?: boolean } = {}): Promise<Account | undefined> {
    let q = ex.selectFrom('accounts').selectAll().where('id', '=', id);
    if (!options.includeDeleted) q = q.where('deleted_at', 'is', null);
    const row = await q.executeTakeFirst();
    return row ? (await withGroups(ex, [row]))[0] : undefined;
  },

  /** Locks the row for the rest of the transaction on PostgreSQL; SQLite transactions already serialize writers. */
  async lockById(ex: Executor, id: string): Promise<Account | undefined> {
    let q = ex.selectFrom('accounts').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
    if (isPostgres(ex)) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? (await withGroups(ex, [row]))[0] : undefined;
  },

  async namesOf(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await ex.selectFrom('accounts').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  },

  async list(ex: Executor, f: AccountListFilter): Promise<Account[]> {
    let q = ex.selectFrom('accounts').selectAll();
    q = f.deleted ? q.where('deleted_at', 'is not', null) : q.where('deleted_at', 'is', null);
    if (f.onlyAccountId) q = q.where('id', '=', f.onlyAccountId);
    if (f.namePrefix) q = q.where(startsWith(ex, 'name_norm', f.namePrefix.toLowerCase()));
    if (f.amongIds) {
      if (f.amongIds.length === 0) return [];
      q = q.where('id', 'in', f.amongIds);
    }
    if (f.afterId) q = q.where('id', '>', f.afterId);
    const rows = await q.orderBy('id').limit(f.limit).execute();
    return withGroups(ex, rows);
  },

  async listDeleted(ex: Executor, f: { since: string; limit: number }): Promise<Account[]> {
    const rows = await ex.selectFrom('accounts').selectAll().where('deleted_at', '>=', f.since).orderBy('deleted_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    return withGroups(ex, rows);
  },

  async update(ex: Executor, id: string, patch: AccountPatch, updatedAt: string): Promise<void> {
    await ex.updateTable('accounts').set({ ...patch, updated_at: updatedAt }).where('id', '=', id).execute();
  },

  async addDelegateGroups(ex: Executor, accountId: string, groups: string[], createdAt: string): Promise<void> {
    const existing = new Set(
      (await ex.selectFrom('signin_delegate_groups').select('group_name').where('account_id', '=', accountId).execute()).map((g) => g.group_name),
    );
    const fresh = [...new Set(groups)].filter((g) => !existing.has(g));
    if (fresh.length === 0) return;
    await ex
      .insertInto('signin_delegate_groups')
      .values(fresh.map((g) => ({ account_id: accountId, group_name: g, created_at: createdAt })))
      .execute();
  },

  async removeDelegateGroups(ex: Executor, accountId: string, groups: string[]): Promise<void> {
    await ex.deleteFrom('signin_delegate_groups').where('account_id', '=', accountId).where('group_name', 'in', groups).execute();
  },

  /** Permanently removes accounts deleted before `cutoff`. Whatever belongs to an account (its members,
   *  invitations, groups, sign-in configuration) goes with it: every such table's foreign key cascades. */
  async purgeDeletedBefore(ex: Executor, cutoff: string): Promise<string[]> {
    const rows = await ex.deleteFrom('accounts').where('deleted_at', '<', cutoff).returning('id').execute();
    return rows.map((r) => r.id);
  },
};
