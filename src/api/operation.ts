// How an operation of the Chime API is declared: its wire route, its input schema, the account it touches
// and the one service call it makes. The dispatcher (chime-api.ts) runs every operation through the same pipeline.
import type { z } from 'zod';
import type { Principal } from '../auth/access-keys.js';
import type { Actor } from '../platform/types.js';
import type { Services } from '../app-services.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type RawInput = { path: Record<string, string>; query: Record<string, string>; body: Record<string, unknown> };

export type OperationContext = { principal: Principal; actor: Actor; services: Services; now: Date };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = z.ZodType<any, any>;

export type Operation<S extends AnySchema = AnySchema> = {
  /** The Chime operation name; also the permission name in the policy table. */
  name: string;
  method: HttpMethod;
  /** Route template with {labels}, e.g. /accounts/{accountId}/users. */
  path: string;
  /** The literal `operation=` query value that selects this operation, if any. */
  operation?: string;
  status: 200 | 201 | 204;
  /** Validates { path, query, body }; query keys are the wire names (`max-results`). */
  input: S;
  /** The account the call acts on, for keys scoped to one account. */
  account?: (input: z.output<S>) => string;
  handle: (ctx: OperationContext, input: z.output<S>) => Promise<unknown>;
};

/** Declares an operation with its types inferred from the input schema. */
export function defineOperation<S extends AnySchema>(op: Operation<S>): Operation {
  return op as unknown as Operation;
}
