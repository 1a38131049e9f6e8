// SQL for API access keys (the secret sealed with the master key).
import type { Executor } from '../platform/db/schema.js';
import type { Role } from '../platform/roles.js';

export type AccessKey = { id: string; name: string; role: Role; accountId: string | null; createdAt: string; revokedAt: string | null };

export const accessKeysRepository = {
  async insert(ex: Executor, k: AccessKey & { secretCiphertext: string }): Promise<void> {
    await ex.insertInto('access_keys').values({ id: k.id, name: k.name, role: k.role, account_id: k.accountId, secret_ciphertext: k.secretCiphertext, created_at: k.createdAt }).execute();
  },

  async list(ex: Executor): Promise<AccessKey[]> {
    const rows = await ex.selectFrom('access_keys').select(['id', 'name', 'role', 'account_id', 'created_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as Role, accountId: r.account_id, createdAt: r.created_at, revokedAt: r.revoked_at }));
  },

  /** An active key with its sealed secret. */
  async findActive(ex: Executor, id: string): Promise<{ id: string; role: Role; accountId: string | null; secretCiphertext: string } | undefined> {
    const r = await ex.selectFrom('access_keys').select(['id', 'role', 'account_id', 'secret_ciphertext']).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return r && { id: r.id, role: r.role as Role, accountId: r.account_id, secretCiphertext: r.secret_ciphertext };
  },

  async revoke(ex: Executor, id: string, at: string): Promise<AccessKey | undefined> {
    const r = await ex.updateTable('access_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).returning(['id', 'name', 'role', 'account_id', 'created_at', 'revoked_at']).executeTakeFirst();
    return r && { id: r.id, name: r.name, role: r.role as Role, accountId: r.account_id, createdAt: r.created_at, revokedAt: r.revoked_at };
  },

  /** Keys are never un-revoked, so a new revocation anywhere always changes this count. */
  async countRevoked(ex: Executor): Promise<number> {
    const row = await ex.selectFrom('access_keys').select((eb) => eb.fn.countAll<number | string>().as('revoked')).where('revoked_at', 'is not', null).executeTakeFirstOrThrow();
    return Number(row.revoked);
  },

  async namesOf(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await ex.selectFrom('access_keys').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  },
};
