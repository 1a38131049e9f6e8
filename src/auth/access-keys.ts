// API access keys: created by the CLI, secrets sealed with the master key, looked up by the SigV4 verifier.
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { newAccessKeyId, newSecretAccessKey } from '../platform/ids.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { Actor } from '../platform/types.js';
import type { AccountsService } from '../accounts/accounts-service.js';
import type { Role } from './policy.js';

export type AccessKey = { id: string; name: string; role: Role; accountId: string | null; createdAt: string; revokedAt: string | null };

/** Who calls the API: an access key (SigV4) or a console administrator (session cookie + CSRF header). */
export type Principal = { kind: 'access_key' | 'admin'; id: string; role: Role; accountId: string | null };

const CACHE_MS = 5_000;

type ResolvedKey = { secret: string; principal: Principal } | undefined;

export class AccessKeysService {
  // Short-lived cache of decrypted keys. A revocation made here empties it at once; one made elsewhere (the CLI,
  // another node) is seen by the watch within a second, and in any case an entry lives at most CACHE_MS.
  private readonly cache = new Map<string, { key: ResolvedKey; at: number }>();
  private revokedCount: number | undefined;

  constructor(private readonly deps: { db: Db; clock: Clock; audit: AuditLog; secretBox: SecretBox; accounts: AccountsService }) {}

  async createKey(actor: Actor, input: { name: string; role: Role; accountId?: string | undefined }): Promise<AccessKey & { secretAccessKey: string }> {
    const secret = newSecretAccessKey();
    const key: AccessKey = {
      id: newAccessKeyId(),
      name: input.name,
      role: input.role,
      accountId: input.accountId ?? null,
      createdAt: this.deps.clock.now().toISOString(),
      revokedAt: null,
    };
    await this.deps.db.transaction().execute(async (trx) => {
      if (key.accountId) await this.deps.accounts.getAccount(key.accountId, trx);
      await trx
        .insertInto('access_keys')
        .values({ id: key.id, name: key.name, role: key.role, account_id: key.accountId, secret_ciphertext: this.deps.secretBox.seal(secret), created_at: key.createdAt })
        .execute();
      await this.deps.audit.record(trx, actor, { action: 'CreateAccessKey', resourceType: 'access_key', resourceId: key.id, accountId: key.accountId, details: { name: key.name, role: key.role } });
    });
    return { ...key, secretAccessKey: secret };
  }

  async listKeys(): Promise<AccessKey[]> {
    const rows = await this.deps.db.selectFrom('access_keys').select(['id', 'name', 'role', 'account_id', 'created_at', 'revoked_at']).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as Role, accountId: r.account_id, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  async revokeKey(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('access_keys').set({ revoked_at: this.deps.clock.now().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new AppError('auth.unknown_key', `No active access key ${id}.`);
      await this.deps.audit.record(trx, actor, { action: 'RevokeAccessKey', resourceType: 'access_key', resourceId: id });
    });
    this.cache.delete(id);
  }

  /**
   * Watches for keys revoked by another process: every `intervalMs` it counts the revoked keys (keys are never
   * un-revoked, so a new revocation always changes the count) and empties the cache when the count moved.
   * Returns the function that stops the watch.
   */
  watchRevocations(intervalMs = 1_000, onError: (e: unknown) => void = () => undefined): () => void {
    let running = false;
    let stopped = false;
    const check = async () => {
      if (running || stopped) return;
      running = true;
      try {
        const row = await this.deps.db.selectFrom('access_keys').select((eb) => eb.fn.countAll<number | string>().as('revoked')).where('revoked_at', 'is not', null).executeTakeFirstOrThrow();
        const revoked = Number(row.revoked);
        if (this.revokedCount !== undefined && revoked !== this.revokedCount) this.cache.clear();
        this.revokedCount = revoked;
      } catch (e) {
        if (!stopped) onError(e); // a check caught by shutdown is not worth a warning
      } finally {
        running = false;
      }
    };
    void check();
    const timer = setInterval(() => void check(), intervalMs);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  /** The secret and principal of an active key, or undefined: at once from the cache (every signed call asks),
   *  else from the database. */
  resolve(accessKeyId: string): ResolvedKey | Promise<ResolvedKey> {
    const hit = this.cache.get(accessKeyId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.key;
    return this.load(accessKeyId);
  }

  private async load(accessKeyId: string): Promise<ResolvedKey> {
    const now = Date.now();
    const row = await this.deps.db
      .selectFrom('access_keys')
      .select(['id', 'role', 'account_id', 'secret_ciphertext'])
      .where('id', '=', accessKeyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const key = row
      ? { secret: this.deps.secretBox.open(row.secret_ciphertext), principal: { kind: 'access_key' as const, id: row.id, role: row.role as Role, accountId: row.account_id } }
      : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(accessKeyId, { key, at: now });
    return key;
  }
}
