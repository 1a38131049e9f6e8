// SQL for installation-wide key/value settings (owner id, global settings).
import type { Executor } from '../platform/db/schema.js';

export const settingsRepository = {
  async get(ex: Executor, key: string): Promise<string | undefined> {
    return (await ex.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
  },

  async put(ex: Executor, key: string, value: string): Promise<void> {
    await ex
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  },

  /** Inserts only when absent; returns the stored value (ours, or the one another node wrote first). */
  async putIfAbsent(ex: Executor, key: string, value: string): Promise<string> {
    await ex
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await settingsRepository.get(ex, key))!;
  },
};
