// Writes audit records inside the caller's transaction, so a change and its record commit or roll back together,
// and reads them back with readable names for the actors and accounts they mention.
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { uuidv7 } from '../platform/ids.js';
import type { Actor } from '../platform/types.js';
import { auditRepository, type AuditEvent, type AuditFilter } from './audit-repository.js';
import type { AuditAction } from './audit-wire.js';

/** Names for the ids of one kind (administrators' emails, access keys' names, accounts' names), from the
 *  capability that owns them. */
export type NameResolver = (ids: string[]) => Promise<Map<string, string>>;
export type NamedKind = 'admin' | 'access_key' | 'identity' | 'account';

export type AuditEntry = {
  action: AuditAction;
  resourceType: 'account' | 'user' | 'invitation' | 'access_key' | 'settings' | 'identity' | 'oidc_app' | 'oidc_key' | 'administrator' | 'domain';
  resourceId: string;
  accountId?: string | null | undefined;
  details?: Record<string, unknown>;
};

export class AuditLog {
  private readonly resolvers = new Map<NamedKind, NameResolver>();

  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** A capability says how to name its ids in the log. */
  nameWith(kind: NamedKind, resolver: NameResolver): void {
    this.resolvers.set(kind, resolver);
  }

  /** Events newest first (one more than `limit` tells the caller another page follows). */
  async list(filter: AuditFilter): Promise<AuditEvent[]> {
    return auditRepository.list(this.deps.db, filter);
  }

  /** Readable names of the actors and accounts of some events, by id. */
  async namesFor(events: AuditEvent[]): Promise<{ actors: Map<string, string>; accounts: Map<string, string> }> {
    const resolve = async (kind: NamedKind, ids: string[]) => {
      const resolver = this.resolvers.get(kind);
      return resolver && ids.length > 0 ? resolver([...new Set(ids)]) : new Map<string, string>();
    };
    const ofType = (type: string) => events.filter((e) => e.actorType === type).map((e) => e.actorId);
    const [admins, keys, people, accounts] = await Promise.all([
      resolve('admin', ofType('admin')),
      resolve('access_key', ofType('access_key')),
      resolve('identity', ofType('identity')),
      resolve('account', events.flatMap((e) => (e.accountId ? [e.accountId] : []))),
    ]);
    return { actors: new Map([...admins, ...keys, ...people]), accounts };
  }

  async record(ex: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
    await this.recordMany(ex, actor, [entry]);
  }

  /** One record per entry, written in one statement (batch operations). */
  async recordMany(ex: Executor, actor: Actor, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = this.deps.clock.now();
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
