// API access keys: created by the CLI (and the console), secrets sealed with the master key, looked up by the
// SigV4 verifier on every signed call.
import type { AccountsService } from '../accounts/accounts-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { newAccessKeyId, newSecretAccessKey } from '../platform/ids.js';
import type { Principal } from '../platform/operation.js';
import type { Role } from '../platform/roles.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { Actor } from '../platform/types.js';
import { accessKeysRepository, type AccessKey } from './access-keys-repository.js';

export type { AccessKey };

const CACHE_MS = 5_000;

type ResolvedKey = { secret: string; principal: Principal } | undefined;

export class AccessKeysService {
  // Short-lived cache of decrypted keys. A revocation made here empties it at once; one made elsewhere (the CLI,
  // another node) is noticed by checkRevocations within a second, and in any case an entry lives at most CACHE_MS.
  private readonly cache = new Map<string, { key: ResolvedKey; at: number }>();
  private revokedCount: number | undefined;

  constructor(private readonly deps: { db: Db; clock: Clock; audit: AuditLog; secretBox: SecretBox; accounts: AccountsService }) {}

  async createKey(actor: Actor, input: { name: string; role: Role; accountId?: string | undefined }): Promise<AccessKey & { secretAccessKey: string }> {
    const secret = newSecretAccessKey();
    const key: AccessKey = { id: newAccessKeyId(), name: input.name, role: input.role, accountId: input.accountId ?? null, createdAt: this.deps.clock.now().toISOString(), revokedAt: null };
    await this.deps.db.transaction().execute(async (trx) => {
      if (key.accountId) await this.deps.accounts.getAccount(key.accountId, trx);
      await accessKeysRepository.insert(trx, { ...key, secretCiphertext: this.deps.secretBox.seal(secret) });
      await this.deps.audit.record(trx, actor, { action: 'CreateAccessKey', resourceType: 'access_key', resourceId: key.id, accountId: key.accountId, details: { name: key.name, role: key.role } });
    });
    return { ...key, secretAccessKey: secret };
  }

  async listKeys(): Promise<AccessKey[]> {
    return accessKeysRepository.list(this.deps.db);
  }

  async revokeKey(actor: Actor, id: string): Promise<AccessKey> {
    const revoked = await this.deps.db.transaction().execute(async (trx) => {
      const key = await accessKeysRepository.revoke(trx, id, this.deps.clock.now().toISOString());
      if (!key) throw new AppError('access_key.not_found', `No active access key ${id}.`);
      await this.deps.audit.record(trx, actor, { action: 'RevokeAccessKey', resourceType: 'access_key', resourceId: id, accountId: key.accountId });
      return key;
    });
    this.cache.delete(id);
    return revoked;
  }

  async namesOf(ids: string[]): Promise<Map<string, string>> {
    return accessKeysRepository.namesOf(this.deps.db, ids);
  }

  /** Empties the cache when a key was revoked anywhere since the last check (this node's every-second job). */
  async checkRevocations(): Promise<void> {
    const revoked = await accessKeysRepository.countRevoked(this.deps.db);
    if (this.revokedCount !== undefined && revoked !== this.revokedCount) this.cache.clear();
    this.revokedCount = revoked;
  }

  /** The secret and principal of an active key, or undefined: at once from the cache (every signed call asks),
   *  else from the database. */
  resolve(accessKeyId: string): ResolvedKey | Promise<ResolvedKey> {
    const hit = this.cache.get(accessKeyId);
    if (hit && this.deps.clock.now().getTime() - hit.at < CACHE_MS) return hit.key;
    return this.load(accessKeyId);
  }

  private async load(accessKeyId: string): Promise<ResolvedKey> {
    const at = this.deps.clock.now().getTime();
    const row = await accessKeysRepository.findActive(this.deps.db, accessKeyId);
    const key = row ? { secret: this.deps.secretBox.open(row.secretCiphertext), principal: { kind: 'access_key' as const, id: row.id, role: row.role, accountId: row.accountId } } : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(accessKeyId, { key, at });
    return key;
  }
}
