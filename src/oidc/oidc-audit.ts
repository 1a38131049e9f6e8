// Audit records for the OIDC provider's administrative changes (registered apps, signing keys), written in the
// caller's transaction beside the change.
import type { Transaction } from 'kysely';
import { AuditLog } from '../audit/audit-log.js';
import type { Db, Executor } from '../platform/db/schema.js';
import type { Actor } from '../platform/types.js';

export type OidcAuditEntry = {
  action: 'CreateOidcApp' | 'RevokeOidcApp' | 'RotateOidcSigningKeys';
  resourceType: 'oidc_app' | 'oidc_key';
  resourceId: string;
  details?: Record<string, unknown>;
};

export async function recordOidcChange(trx: Transaction<any>, actor: Actor, entry: OidcAuditEntry, now: Date): Promise<void> {
  await new AuditLog({ db: trx as unknown as Db, clock: { now: () => now } }).record(trx as unknown as Executor, actor, entry);
}
