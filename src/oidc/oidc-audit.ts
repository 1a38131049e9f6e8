// Audit records for the OIDC provider's administrative changes (registered apps, signing keys), written in the
// caller's transaction beside the change.
import type { Transaction } from 'kysely';
import { auditRepository } from '../audit/audit-repository.js';
import type { Executor } from '../platform/db/schema.js';
import { uuidv7 } from '../platform/ids.js';
import type { Actor } from '../platform/types.js';

export type OidcAuditEntry = {
  action: 'CreateOidcApp' | 'RevokeOidcApp' | 'RotateOidcSigningKeys';
  resourceType: 'oidc_app' | 'oidc_key';
  resourceId: string;
  details?: Record<string, unknown>;
};

export async function recordOidcChange(trx: Transaction<any>, actor: Actor, entry: OidcAuditEntry, now: Date): Promise<void> {
  await auditRepository.insertMany(trx as unknown as Executor, [
    {
      id: uuidv7(now.getTime()),
      occurredAt: now.toISOString(),
      actorType: actor.type,
      actorId: actor.id,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      accountId: null,
      requestId: actor.requestId ?? null,
      sourceIp: actor.sourceIp ?? null,
      details: entry.details ?? {},
    },
  ]);
}
