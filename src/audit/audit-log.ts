// Writes audit records inside the caller's transaction, so a change and its record commit or roll back together.
import type { Clock } from '../platform/clock.js';
import type { Executor } from '../platform/db/schema.js';
import { uuidv7 } from '../platform/ids.js';
import type { Actor } from '../platform/types.js';
import { auditRepository } from './audit-repository.js';

export type AuditEntry = {
  action: string;
  resourceType: 'account' | 'user' | 'invitation' | 'access_key' | 'settings' | 'identity' | 'oidc_app' | 'oidc_key' | 'administrator';
  resourceId: string;
  accountId?: string | null | undefined;
  details?: Record<string, unknown>;
};

export class AuditLog {
  constructor(private readonly clock: Clock) {}

  async record(ex: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
    await this.recordMany(ex, actor, [entry]);
  }

  /** One record per entry, written in one statement (batch operations). */
  async recordMany(ex: Executor, actor: Actor, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = this.clock.now();
    await auditRepository.insertMany(
      ex,
      entries.map((entry) => ({
        id: uuidv7(now.getTime()),
        occurredAt: now.toISOString(),
        actorType: actor.type,
        actorId: actor.id,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        accountId: entry.accountId ?? null,
        requestId: actor.requestId ?? null,
        sourceIp: actor.sourceIp ?? null,
        details: entry.details ?? {},
      })),
    );
  }
}
