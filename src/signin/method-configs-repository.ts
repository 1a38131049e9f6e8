// SQL for the per-account sign-in method configurations.
import type { Executor } from '../platform/db/schema.js';

export interface SigninMethodConfigsTable {
  account_id: string;
  kind: string;
  config: string;
  secrets_ciphertext: string;
  created_at: string;
  updated_at: string;
}

declare module '../platform/db/schema.js' {
  interface Database {
    signin_method_configs: SigninMethodConfigsTable;
  }
}

export type StoredMethodConfig = { accountId: string; kind: string; config: Record<string, unknown>; secretsCiphertext: string; updatedAt: string };

export const methodConfigsRepository = {
  async upsert(ex: Executor, c: { accountId: string; kind: string; config: Record<string, unknown>; secretsCiphertext: string; at: string }): Promise<void> {
    await ex
      .insertInto('signin_method_configs')
      .values({ account_id: c.accountId, kind: c.kind, config: JSON.stringify(c.config), secrets_ciphertext: c.secretsCiphertext, created_at: c.at, updated_at: c.at })
      .onConflict((oc) => oc.columns(['account_id', 'kind']).doUpdateSet({ config: JSON.stringify(c.config), secrets_ciphertext: c.secretsCiphertext, updated_at: c.at }))
      .execute();
  },

  async find(ex: Executor, accountId: string, kind: string): Promise<StoredMethodConfig | undefined> {
    const r = await ex.selectFrom('signin_method_configs').selectAll().where('account_id', '=', accountId).where('kind', '=', kind).executeTakeFirst();
    return r && { accountId: r.account_id, kind: r.kind, config: JSON.parse(r.config) as Record<string, unknown>, secretsCiphertext: r.secrets_ciphertext, updatedAt: r.updated_at };
  },

  async remove(ex: Executor, accountId: string, kind: string): Promise<boolean> {
    const res = await ex.deleteFrom('signin_method_configs').where('account_id', '=', accountId).where('kind', '=', kind).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },
};
