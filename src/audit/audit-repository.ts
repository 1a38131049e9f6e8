// SQL for the audit log.
import type { Executor } from '../platform/db/schema.js';

export type AuditEvent = {
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  accountId: string | null;
  requestId: string | null;
  sourceIp: string | null;
  details: Record<string, unknown>;
};

export type AuditFilter = {
  accountId?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  resourceId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Keyset paging, newest first: only events older than this one. */
  beforeId?: string | undefined;
  limit: number;
};

export const auditRepository = {
  async insertMany(ex: Executor, events: AuditEvent[]): Promise<void> {
    await ex
      .insertInto('audit_events')
      .values(events.map((e) => ({
        id: e.id,
        occurred_at: e.occurredAt,
        actor_type: e.actorType,
        actor_id: e.actorId,
        action: e.action,
        resource_type: e.resourceType,
        resource_id: e.resourceId,
        account_id: e.accountId,
        request_id: e.requestId,
        source_ip: e.sourceIp,
        details: JSON.stringify(e.details),
      })))
      .execute();
  },

  /** Newest first. */
  async list(ex: Executor, f: AuditFilter): Promise<AuditEvent[]> {
    let q = ex.selectFrom('audit_events').selectAll();
    if (f.accountId) q = q.where('account_id', '=', f.accountId);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.actorId) q = q.where('actor_id', '=', f.actorId);
    if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
    if (f.since) q = q.where('occurred_at', '>=', f.since);
    if (f.until) q = q.where('occurred_at', '<', f.until);
    if (f.beforeId) q = q.where('id', '<', f.beforeId);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at,
      actorType: r.actor_type,
      actorId: r.actor_id,
      action: r.action,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      accountId: r.account_id,
      requestId: r.request_id,
      sourceIp: r.source_ip,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  },
};
