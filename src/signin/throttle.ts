// Sign-in throttling, one for end users and administrators alike. Failures count per (email, source address), so
// an attacker elsewhere cannot lock a person out; each source address also has its own, larger budget across all
// emails. Each kind of sign-in counts in its own `scope` (end users' and administrators' never mix).
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { throttleRepository } from './signin-repository.js';

const MINUTE = 60_000;
export const PAIR_LIMIT = 5;
export const ADDRESS_LIMIT = 50;
export const THROTTLE_WINDOW_MS = 15 * MINUTE;
export const LOCK_MS = 15 * MINUTE;

export type ThrottleCheck = {
  /** Counts the failure against both budgets (in the caller's transaction, with its audit record). */
  recordFailure(ex: Executor): Promise<void>;
  /** Forgets the pair's failures after a success (a write only when there were any). */
  recordSuccess(): Promise<void>;
};

export class Throttle {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** Refuses at once while the pair or the address is locked; otherwise says how to record the outcome. */
  async check(scope: string, emailNorm: string, sourceIp: string, lockedMessage: string): Promise<ThrottleCheck> {
    const pairKey = `${scope}pair:${emailNorm}|${sourceIp}`;
    const addressKey = `${scope}address:${sourceIp}`;
    const now = this.deps.clock.now();
    const rows = await throttleRepository.find(this.deps.db, [pairKey, addressKey]);
    if (rows.some((t) => t.lockedUntil !== null && t.lockedUntil > now.toISOString())) throw new AppError('signin.locked', lockedMessage);
    return {
      recordFailure: async (ex) => {
        await throttleRepository.recordFailure(ex, pairKey, now, THROTTLE_WINDOW_MS, PAIR_LIMIT, LOCK_MS);
        await throttleRepository.recordFailure(ex, addressKey, now, THROTTLE_WINDOW_MS, ADDRESS_LIMIT, LOCK_MS);
      },
      recordSuccess: async () => {
        if (rows.some((t) => t.key === pairKey)) await throttleRepository.clear(this.deps.db, pairKey);
      },
    };
  }
}
