// SQL for domain claims, and for finding the people of a domain (by the generated email_domain columns).
import { violatedUnique } from '../platform/db/database.js';
import { isPostgres } from '../platform/db/dialect.js';
import { withEmailDomains, type Executor } from '../platform/db/schema.js';
import type { CheckResult } from './dns-check.js';

export type DomainStatus = 'PendingVerification' | 'Verified' | 'Failed';
/** What the last look at DNS found, or why the claim failed without one. */
export type LastCheckResult = CheckResult | 'ClaimedByAnotherAccount';

export interface DomainsTable {
  id: string;
  account_id: string;
  name: string;
  status: string;
  verification_value: string;
  claimed_at: string;
  verified_at: string | null;
  last_checked_at: string | null;
  last_check_result: string | null;
  record_missing_since: string | null;
  checks: number;
  next_check_at: string | null;
  updated_at: string;
}

declare module '../platform/db/schema.js' {
  interface Database {
    domains: DomainsTable;
  }
}

export type Domain = {
  id: string;
  accountId: string;
  name: string;
  status: DomainStatus;
  verificationValue: string;
  claimedAt: string;
  verifiedAt: string | null;
  lastCheckedAt: string | null;
  lastCheckResult: LastCheckResult | null;
  /** A verified domain whose record the daily check no longer sees, since when. */
  recordMissingSince: string | null;
  checks: number;
  nextCheckAt: string | null;
};

export type DomainPatch = Partial<Omit<DomainsTable, 'id' | 'account_id' | 'name'>>;

const toDomain = (r: DomainsTable): Domain => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  status: r.status as DomainStatus,
  verificationValue: r.verification_value,
  claimedAt: r.claimed_at,
  verifiedAt: r.verified_at,
  lastCheckedAt: r.last_checked_at,
  lastCheckResult: r.last_check_result as LastCheckResult | null,
  recordMissingSince: r.record_missing_since,
  checks: Number(r.checks),
  nextCheckAt: r.next_check_at,
});

/** Another account's claim of the same name was verified first (the one-owner index refused this one). */
export class DomainTaken extends Error {}

export const domainsRepository = {
  async insert(ex: Executor, d: Domain, now: string): Promise<void> {
    await ex
      .insertInto('domains')
      .values({
        id: d.id,
        account_id: d.accountId,
        name: d.name,
        status: d.status,
        verification_value: d.verificationValue,
        claimed_at: d.claimedAt,
        verified_at: null,
        last_checked_at: null,
        last_check_result: null,
        record_missing_since: null,
        checks: 0,
        next_check_at: d.nextCheckAt,
        updated_at: now,
      })
      .execute();
  },

  async findById(ex: Executor, id: string): Promise<Domain | undefined> {
    const r = await ex.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDomain(r);
  },

  /** Locks every claim of a name (PostgreSQL; SQLite writes one at a time anyway), so that verifications of one
   *  name take turns instead of deadlocking on each other's rows and the one-owner index. */
  async lockName(ex: Executor, name: string): Promise<void> {
    let q = ex.selectFrom('domains').select('id').where('name', '=', name).orderBy('id');
    if (isPostgres(ex)) q = q.forUpdate();
    await q.execute();
  },

  async findByIds(ex: Executor, ids: string[]): Promise<Domain[]> {
    if (ids.length === 0) return [];
    return (await ex.selectFrom('domains').selectAll().where('id', 'in', ids).execute()).map(toDomain);
  },

  async findOfAccount(ex: Executor, accountId: string, name: string): Promise<Domain | undefined> {
    const r = await ex.selectFrom('domains').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
    return r && toDomain(r);
  },

  /** The verified claim of each of these names, by name. */
  async verifiedOf(ex: Executor, names: string[]): Promise<Map<string, Domain>> {
    if (names.length === 0) return new Map();
    const rows = await ex.selectFrom('domains').selectAll().where('name', 'in', names).where('status', '=', 'Verified').execute();
    return new Map(rows.map((r) => [r.name, toDomain(r)]));
  },

  /** One page of an account's claims, oldest first. */
  async listOfAccount(ex: Executor, accountId: string, f: { afterId?: string | undefined; limit: number }): Promise<Domain[]> {
    let q = ex.selectFrom('domains').selectAll().where('account_id', '=', accountId);
    if (f.afterId) q = q.where('id', '>', f.afterId);
    return (await q.orderBy('id').limit(f.limit).execute()).map(toDomain);
  },

  async countOfAccount(ex: Executor, accountId: string, status?: DomainStatus): Promise<number> {
    let q = ex.selectFrom('domains').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId);
    if (status) q = q.where('status', '=', status);
    return Number((await q.executeTakeFirstOrThrow()).n);
  },

  /** Applies `patch` to the claim if it is still the one that was read (same status and value); false otherwise. */
  async updateIf(ex: Executor, d: Pick<Domain, 'id' | 'status' | 'verificationValue'>, patch: DomainPatch): Promise<boolean> {
    try {
      const res = await ex.updateTable('domains').set(patch).where('id', '=', d.id).where('status', '=', d.status).where('verification_value', '=', d.verificationValue).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    } catch (e) {
      const broken = violatedUnique(e);
      if (broken && (broken.index === 'domains_one_owner' || (broken.index === undefined && broken.columns.join(',') === 'name'))) throw new DomainTaken();
      throw e;
    }
  },

  /** Other accounts' open claims of a name that has just been verified: they fail. */
  async failOthers(ex: Executor, name: string, ownerAccountId: string, now: string): Promise<Domain[]> {
    const rows = await ex
      .updateTable('domains')
      .set({ status: 'Failed', last_check_result: 'ClaimedByAnotherAccount', next_check_at: null, updated_at: now })
      .where('name', '=', name)
      .where('account_id', '<>', ownerAccountId)
      .where('status', '=', 'PendingVerification')
      .returningAll()
      .execute();
    return rows.map(toDomain);
  },

  async remove(ex: Executor, id: string): Promise<void> {
    await ex.deleteFrom('domains').where('id', '=', id).execute();
  },

  async removeOfAccount(ex: Executor, accountId: string): Promise<void> {
    await ex.deleteFrom('domains').where('account_id', '=', accountId).execute();
  },

  /** Up to `limit` claims whose next check is due, soonest first, their next check moved to `holdUntil`. */
  async takeDue(ex: Executor, now: string, limit: number, holdUntil: string): Promise<string[]> {
    const ids = (await ex.selectFrom('domains').select('id').where('next_check_at', 'is not', null).where('next_check_at', '<=', now).orderBy('next_check_at').limit(limit).execute()).map((d) => d.id);
    if (ids.length > 0) await ex.updateTable('domains').set({ next_check_at: holdUntil }).where('id', 'in', ids).execute();
    return ids;
  },

  /** Verified identities of a domain, by address, after `afterEmail` (one page). */
  async identitiesOfDomain(ex: Executor, domain: string, afterEmail: string | null, limit: number): Promise<string[]> {
    let q = withEmailDomains(ex).selectFrom('identities').select('email_norm').where('email_domain', '=', domain).where('email_verified_at', 'is not', null);
    if (afterEmail !== null) q = q.where('email_norm', '>', afterEmail);
    return (await q.orderBy('email_norm').limit(limit).execute()).map((r) => r.email_norm);
  },

  /** Addresses of a domain that are live members of accounts other than `accountId` (one page, by address). */
  async membersOfDomainElsewhere(ex: Executor, domain: string, accountId: string, afterEmail: string | null, limit: number): Promise<string[]> {
    let q = withEmailDomains(ex).selectFrom('users').select('email_norm').distinct().where('email_domain', '=', domain).where('removed_at', 'is', null).where('account_id', '<>', accountId);
    if (afterEmail !== null) q = q.where('email_norm', '>', afterEmail);
    return (await q.orderBy('email_norm').limit(limit).execute()).map((r) => r.email_norm);
  },
};
