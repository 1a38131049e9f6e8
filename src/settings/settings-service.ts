// Installation-wide settings: the owner id shown as AwsAccountId, and the global business-calling and
// voice-connector settings of GetGlobalSettings / UpdateGlobalSettings.
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../platform/db/schema.js';
import { newOwnerId } from '../platform/ids.js';
import type { Actor } from '../platform/types.js';
import { settingsRepository } from './settings-repository.js';

export type GlobalSettings = {
  businessCalling: { cdrBucket?: string | undefined };
  voiceConnector: { cdrBucket?: string | undefined };
};

const GLOBAL_KEY = 'global_settings';

export class SettingsService {
  private ownerId: string | undefined;

  constructor(private readonly deps: { db: Db; audit: AuditLog }) {}

  /** The installation's 12-digit owner id, created on first use. */
  async getOwnerId(): Promise<string> {
    this.ownerId ??= await settingsRepository.putIfAbsent(this.deps.db, 'owner_id', newOwnerId());
    return this.ownerId;
  }

  async getGlobalSettings(): Promise<GlobalSettings> {
    const raw = await settingsRepository.get(this.deps.db, GLOBAL_KEY);
    return raw ? (JSON.parse(raw) as GlobalSettings) : { businessCalling: {}, voiceConnector: {} };
  }

  /** Merges the given sections; a section left out keeps its value. */
  async updateGlobalSettings(actor: Actor, patch: Partial<GlobalSettings>): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const raw = await settingsRepository.get(trx, GLOBAL_KEY);
      const current: GlobalSettings = raw ? JSON.parse(raw) : { businessCalling: {}, voiceConnector: {} };
      const next: GlobalSettings = {
        businessCalling: { ...current.businessCalling, ...patch.businessCalling },
        voiceConnector: { ...current.voiceConnector, ...patch.voiceConnector },
      };
      await settingsRepository.put(trx, GLOBAL_KEY, JSON.stringify(next));
      await this.deps.audit.record(trx, actor, { action: 'UpdateGlobalSettings', resourceType: 'settings', resourceId: 'global', details: { ...next } });
    });
  }
}
