// How an API operation is declared: its wire route, its input and output schemas, the permission it needs, the
// account it touches, and the one service call it makes. The chime-api surface runs every operation through the
// same pipeline; the policy table (src/auth/policy.ts) and the surface's routes are derived from these fields.
import type { z } from 'zod';
import type { Permission, Role } from './roles.js';
import type { Actor } from './types.js';
import type { Services } from './module.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type RawInput = { path: Record<string, string>; query: Record<string, string>; body: Record<string, unknown> };

export type { Permission };

/** Who calls an operation. `accountId` set: the principal is confined to that one account. */
export type Principal = { kind: 'access_key' | 'admin'; id: string; role: Role; accountId: string | null };

export type OperationContext = { principal: Principal; actor: Actor; services: Services; now: Date };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = z.ZodType<any, any>;

type OperationBase<I extends AnySchema, O extends AnySchema | null> = {
  /** The operation's name (Chime's, for Chime's operations); the audit log and the console speak of it. */
  name: string;
  method: HttpMethod;
  /** Route template with {labels}, e.g. /accounts/{accountId}/users. */
  path: string;
  /** The literal `operation=` query value that selects this operation, if any. */
  operation?: string;
  permission: Permission;
  /** Validates { path, query, body }; query keys are the wire names (`max-results`). */
  input: I;
  /** The response body's schema (null for 204 No Content); the handler's result must fit it. */
  output: O;
  handle: (ctx: OperationContext, input: z.output<I>) => Promise<O extends AnySchema ? z.input<O> : void>;
};

/**
 * `account`: the input names the one account the call acts on, and a principal confined to another is refused.
 * `installation`: acts on the whole installation; refused to principals confined to one account.
 * `confined`: may be called by anyone with the permission; the handler itself confines what it returns to the
 * principal's account (ListAccounts, ListAuditEvents).
 */
type Scope<I extends AnySchema> = { scope: 'account'; account: (input: z.output<I>) => string } | { scope: 'installation' } | { scope: 'confined' };

export type Operation<I extends AnySchema = AnySchema, O extends AnySchema | null = AnySchema | null> = OperationBase<I, O> &
  Scope<I> & { status: 200 | 201 | 204 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any>;

/** Declares an operation with its types inferred from its schemas. */
export function defineOperation<I extends AnySchema, O extends AnySchema | null>(op: Operation<I, O>): AnyOperation {
  return op as AnyOperation;
}
