// The rules of claimed domains. A claim proves control of a domain by a TXT record whose value is unguessable and
// unique to the claim; checks back off from minutes to hours until the record is seen (Verified) or the claim is
// 30 days old (Failed). A domain has one owner: the first claim to be verified, held by a unique index however
// verifications race; the other claims then fail. The first verified domain makes a Team account EnterpriseLWA and
// brings the domain's people under it, one job per person. Verified domains are checked daily: a record that has
// gone is reported, never acted on. Releasing a domain signs its people out everywhere at once: Registered members
// become Released and Suspended ones stay Suspended; releasing the last makes the account Team again (§9 item 5).
import type { AccountsService } from '../accounts/accounts-service.js';
import type { Account } from '../accounts/accounts-repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditAction } from '../audit/audit-wire.js';
import type { Mailer } from '../mail/mailer.js';
import { textToHtml } from '../mail/mailer.js';
import { DAY_MS, type Clock } from '../platform/clock.js';
import { violatedUnique } from '../platform/db/database.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { secureRandomBytes, uuidv7 } from '../platform/ids.js';
import type { JobQueue } from '../platform/jobs/job-queue.js';
import type { JobKind } from '../platform/jobs/job-kind.js';
import { page, type Page } from '../platform/page.js';
import type { Actor } from '../platform/types.js';
import type { CheckResult, DnsLookup } from './dns-check.js';
import { canonicalDomainName, domainOfEmail, normalizeDomainName } from './domain-name.js';
import { DomainTaken, domainsRepository, type Domain, type DomainPatch } from './domains-repository.js';

export const CLAIM_LIFETIME_DAYS = 30;
export const MAX_CLAIMS_PER_ACCOUNT = 100;
const MINUTE = 60_000;
/** Minutes to wait after the first, second, ... look at a pending claim; hourly after the last. */
const BACKOFF_MINUTES = [1, 2, 5, 10, 15, 30];
const SWEEP_BATCH = 100;
/** Claims one check job looks at. */
const CHECK_BATCH = 50;
const SYSTEM: Actor = { type: 'system', id: 'domains' };
const RECORD_PREFIX = '_carillon.';
const VALUE_PREFIX = 'carillon-domain-verification=';

/** The TXT record that proves a claim. */
export const recordNameOf = (name: string) => RECORD_PREFIX + name;

export type AdoptJob = { accountId: string; domain: string; phase: 'identities' | 'members'; after: string | null };

/** What a release did to the account's members, for its audit record and the CLI's answer. */
export type ReleaseOutcome = { released: number; stillSuspended: number; accountNowTeam: boolean; suspendedRemaining: number };

export class DomainsService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      audit: AuditLog;
      accounts: AccountsService;
      jobs: JobQueue;
      mailer: Mailer;
      lookup: DnsLookup;
      adoptKind: JobKind<AdoptJob>;
      checkKind: JobKind<{ domainIds: string[] }>;
      /** The addresses of the installation's full administrators (told when a verified record disappears). */
      fullAdministrators: (ex: Executor) => Promise<string[]>;
      /** Members of the released domain: Registered ones become Released, every one is signed out. */
      releaseMembers: (ex: Executor, accountId: string, domain: string, now: string) => Promise<{ released: number; stillSuspended: number }>;
      /** The account's remaining Registered members become Suspended (the account's last domain was released). */
      suspendRemaining: (ex: Executor, accountId: string, now: string) => Promise<number>;
      publicUrl: string;
    },
  ) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  /** The account that owns the domain of an address (its claim is verified), if any. */
  async ownerOfAddress(ex: Executor, email: string): Promise<string | undefined> {
    const domain = domainOfEmail(email);
    return domain ? (await domainsRepository.verifiedOf(ex, [domain])).get(domain)?.accountId : undefined;
  }

  /** The owners of the domains of these addresses, by address as given. */
  async ownersOfAddresses(ex: Executor, emails: string[]): Promise<Map<string, string>> {
    const domains = new Map(emails.map((e) => [e, domainOfEmail(e)]));
    const owners = await domainsRepository.verifiedOf(ex, [...new Set([...domains.values()].filter((d): d is string => d !== undefined))]);
    const out = new Map<string, string>();
    for (const [email, domain] of domains) {
      const owner = domain && owners.get(domain)?.accountId;
      if (owner) out.set(email, owner);
    }
    return out;
  }

  private static async parse(raw: string): Promise<string> {
    const n = await normalizeDomainName(raw);
    if ('problem' in n) throw new AppError('domain.invalid', n.problem);
    return n.name;
  }

  /** Claims a domain for an account: a fresh claim, or a failed one of the same account started over. */
  async claim(actor: Actor, accountId: string, rawName: string): Promise<Domain> {
    const name = await DomainsService.parse(rawName);
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        await this.deps.accounts.getAccount(accountId, trx);
        const owner = (await domainsRepository.verifiedOf(trx, [name])).get(name);
        if (owner) {
          throw owner.accountId === accountId
            ? new AppError('domain.already_claimed', `${name} is already verified for this account.`)
            : new AppError('domain.claimed_elsewhere', `${name} is already claimed by another organization.`);
        }
        const now = this.now();
        const nowIso = now.toISOString();
        const fresh = { status: 'PendingVerification' as const, verificationValue: VALUE_PREFIX + secureRandomBytes(24).toString('base64url'), claimedAt: nowIso, nextCheckAt: new Date(now.getTime() + BACKOFF_MINUTES[0]! * MINUTE).toISOString() };
        const existing = await domainsRepository.findOfAccount(trx, accountId, name);
        let domain: Domain;
        if (existing) {
          if (existing.status !== 'Failed') throw new AppError('domain.already_claimed', `${name} is already claimed by this account and waits for its DNS record.`);
          // Claiming again starts over, with a new value: the old record proves nothing any more.
          const restarted: DomainPatch = {
            status: fresh.status,
            verification_value: fresh.verificationValue,
            claimed_at: nowIso,
            verified_at: null,
            last_checked_at: null,
            last_check_result: null,
            record_missing_since: null,
            checks: 0,
            next_check_at: fresh.nextCheckAt,
            updated_at: nowIso,
          };
          await domainsRepository.updateIf(trx, existing, restarted);
          domain = { ...existing, ...fresh, verifiedAt: null, lastCheckedAt: null, lastCheckResult: null, recordMissingSince: null, checks: 0 };
        } else {
          if ((await domainsRepository.countOfAccount(trx, accountId)) >= MAX_CLAIMS_PER_ACCOUNT) {
            throw new AppError('domain.limit', `An account may hold at most ${MAX_CLAIMS_PER_ACCOUNT} domain claims. Remove claims it no longer needs first.`);
          }
          domain = { id: uuidv7(now.getTime()), accountId, name, ...fresh, verifiedAt: null, lastCheckedAt: null, lastCheckResult: null, recordMissingSince: null, checks: 0 };
          await domainsRepository.insert(trx, domain, nowIso);
        }
        await this.deps.audit.record(trx, actor, { action: 'ClaimDomain', resourceType: 'domain', resourceId: name, accountId, details: { domain: name } });
        return domain;
      });
    } catch (e) {
      // Two claims of the same name by the same account at once: the second finds the first's.
      if (violatedUnique(e)) {
        throw new AppError('domain.already_claimed', `${name} is already claimed by this account and waits for its DNS record.`);
      }
      throw e;
    }
  }

  async get(accountId: string, rawName: string, ex: Executor = this.deps.db): Promise<Domain> {
    await this.deps.accounts.getAccount(accountId, ex);
    const name = canonicalDomainName(rawName);
    const domain = await domainsRepository.findOfAccount(ex, accountId, name);
    if (!domain) throw new AppError('domain.not_found', `The account has no claim of ${name.slice(0, 253)}.`);
    return domain;
  }

  async list(accountId: string, f: { afterId?: string | undefined; limit: number }): Promise<Page<Domain>> {
    await this.deps.accounts.getAccount(accountId);
    return page(await domainsRepository.listOfAccount(this.deps.db, accountId, { afterId: f.afterId, limit: f.limit + 1 }), f.limit);
  }

  /** Looks at DNS at once (an administrator's "Verify now") and returns the claim as it then stands. */
  async verifyNow(actor: Actor, accountId: string, rawName: string): Promise<Domain> {
    const domain = await this.get(accountId, rawName);
    if (domain.status === 'Failed') {
      const why = domain.lastCheckResult === 'ClaimedByAnotherAccount' ? 'another organization verified it first' : `it was not verified within ${CLAIM_LIFETIME_DAYS} days`;
      throw new AppError('domain.claim_failed', `This claim of ${domain.name} failed (${why}). Claim the domain again to start over.`);
    }
    await this.check(domain.id, actor);
    return this.get(accountId, domain.name);
  }

  /** One look at DNS for a claim, and what follows from it ("Verify now", and the sweep for a claim it finds). */
  async check(domainId: string, actor: Actor = SYSTEM): Promise<void> {
    const domain = await domainsRepository.findById(this.deps.db, domainId);
    if (!domain || domain.status === 'Failed') return;
    await this.record(domain, await this.deps.lookup(recordNameOf(domain.name), domain.verificationValue), actor);
  }

  /**
   * The sweep's check of a batch of claims: the lookups side by side (each after `pace`), then what they found in
   * one transaction, except a pending claim whose record was found, which is verified in a transaction of its own
   * (one owner per domain, however verifications race).
   */
  async checkMany(domainIds: string[], pace: () => Promise<void>): Promise<void> {
    const domains = (await domainsRepository.findByIds(this.deps.db, domainIds)).filter((d) => d.status !== 'Failed');
    const results = await Promise.all(
      domains.map(async (d) => {
        await pace();
        return { domain: d, result: await this.deps.lookup(recordNameOf(d.name), d.verificationValue) };
      }),
    );
    const verifying = results.filter((r) => r.domain.status === 'PendingVerification' && r.result === 'Found');
    const rest = results.filter((r) => !verifying.includes(r));
    if (rest.length > 0) {
      await this.deps.db.transaction().execute(async (trx) => {
        for (const { domain, result } of rest) {
          await this.apply(trx, domain, result, SYSTEM);
          // Let the node's requests in between claims (the API reads through its own connection meanwhile).
          await new Promise((resolve) => setImmediate(resolve));
        }
      });
    }
    for (const { domain, result } of verifying) await this.record(domain, result, SYSTEM);
  }

  private async record(domain: Domain, result: CheckResult, actor: Actor): Promise<void> {
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        await domainsRepository.lockName(trx, domain.name);
        // What the claim is now (the lock may have waited for another verification of the name): a claim that
        // changed since it was read is left to its next check.
        const current = await domainsRepository.findById(trx, domain.id);
        if (current && current.status === domain.status && current.verificationValue === domain.verificationValue) await this.apply(trx, current, result, actor);
      });
    } catch (e) {
      if (!(e instanceof DomainTaken)) throw e;
      // Another account's claim was verified at the same instant and the index kept it: this one fails.
      await this.deps.db.transaction().execute(async (trx) => {
        const now = this.now().toISOString();
        if (await domainsRepository.updateIf(trx, domain, { status: 'Failed', last_check_result: 'ClaimedByAnotherAccount', last_checked_at: now, next_check_at: null, updated_at: now })) {
          await this.deps.audit.record(trx, actor, { action: 'DomainVerificationFailed', resourceType: 'domain', resourceId: domain.name, accountId: domain.accountId, details: { domain: domain.name, reason: 'ClaimedByAnotherAccount' } });
        }
      });
    }
  }

  private async apply(ex: Executor, domain: Domain, result: CheckResult, actor: Actor): Promise<void> {
    const now = this.now();
    const nowIso = now.toISOString();
    const seen: DomainPatch = { last_checked_at: nowIso, last_check_result: result, checks: domain.checks + 1, updated_at: nowIso };
    const audit = (action: AuditAction, details: Record<string, unknown>) =>
      this.deps.audit.record(ex, actor, { action, resourceType: 'domain', resourceId: domain.name, accountId: domain.accountId, details: { domain: domain.name, ...details } });

    if (domain.status === 'Verified') {
      const gone = result === 'NotFound' || result === 'WrongValue';
      // A failure to ask (timeout, server failure) says nothing about the record: look again in an hour.
      const next = new Date(now.getTime() + (result === 'Found' || gone ? DAY_MS : 60 * MINUTE)).toISOString();
      const missingSince = result === 'Found' ? null : gone ? (domain.recordMissingSince ?? nowIso) : domain.recordMissingSince;
      if (!(await domainsRepository.updateIf(ex, domain, { ...seen, record_missing_since: missingSince, next_check_at: next }))) return;
      if (gone && domain.recordMissingSince === null) {
        await audit('DomainRecordMissing', { result });
        await this.tellAdministrators(ex, domain, result);
      }
      if (result === 'Found' && domain.recordMissingSince !== null) await audit('DomainRecordRestored', {});
      return;
    }

    // Pending: verified when the exact value is seen, unless another account owns the domain already.
    if (result === 'Found') {
      const owner = (await domainsRepository.verifiedOf(ex, [domain.name])).get(domain.name);
      if (owner && owner.accountId !== domain.accountId) {
        if (await domainsRepository.updateIf(ex, domain, { ...seen, status: 'Failed', last_check_result: 'ClaimedByAnotherAccount', next_check_at: null })) {
          await audit('DomainVerificationFailed', { reason: 'ClaimedByAnotherAccount' });
        }
        return;
      }
      const verified = await domainsRepository.updateIf(ex, domain, { ...seen, status: 'Verified', verified_at: nowIso, next_check_at: new Date(now.getTime() + DAY_MS).toISOString() });
      if (!verified) return;
      const failed = await domainsRepository.failOthers(ex, domain.name, domain.accountId, nowIso);
      await audit('VerifyDomain', { otherClaimsFailed: failed.length });
      for (const f of failed) {
        await this.deps.audit.record(ex, actor, { action: 'DomainVerificationFailed', resourceType: 'domain', resourceId: f.name, accountId: f.accountId, details: { domain: f.name, reason: 'ClaimedByAnotherAccount' } });
      }
      const account = await this.deps.accounts.getAccount(domain.accountId, ex);
      if (account.type === 'Team') await this.deps.accounts.setAccountType(ex, actor, account.id, 'EnterpriseLWA', `domain ${domain.name} verified`);
      // The domain's people come under the account: one job per person, found page by page.
      await this.deps.jobs.enqueue(ex, this.deps.adoptKind, { accountId: domain.accountId, domain: domain.name, phase: 'identities', after: null });
      return;
    }
    if (Date.parse(domain.claimedAt) + CLAIM_LIFETIME_DAYS * DAY_MS <= now.getTime()) {
      if (await domainsRepository.updateIf(ex, domain, { ...seen, status: 'Failed', next_check_at: null })) await audit('DomainVerificationFailed', { reason: 'Expired', result });
      return;
    }
    const wait = BACKOFF_MINUTES[domain.checks + 1] ?? 60;
    await domainsRepository.updateIf(ex, domain, { ...seen, next_check_at: new Date(now.getTime() + wait * MINUTE).toISOString() });
  }

  private async tellAdministrators(ex: Executor, domain: Domain, result: CheckResult): Promise<void> {
    const account = await this.deps.accounts.getAccount(domain.accountId, ex);
    const what = result === 'WrongValue' ? 'a TXT record with a different value' : 'no such TXT record';
    const text =
      `The daily check of ${domain.name}, verified for the account ${account.name}, found ${what} at ${recordNameOf(domain.name)}.\n\n` +
      `Nothing has changed for the account or its people: the domain stays verified until an administrator releases it. ` +
      `If the record was removed by mistake, publish it again:\n\n  ${recordNameOf(domain.name)}  TXT  "${domain.verificationValue}"\n\n` +
      `The account's domains: ${this.deps.publicUrl}/console/accounts/${account.id}/domains`;
    const to = await this.deps.fullAdministrators(ex);
    await this.deps.mailer.queue(ex, to.map((address) => ({ to: address, subject: `The DNS record of ${domain.name} has disappeared`, text, html: textToHtml(text) })));
  }

  /**
   * Releases a claim. A verified domain's members are signed out everywhere at once: Registered ones become Released
   * (free to register again), Suspended ones stay Suspended. The last verified domain of an EnterpriseLWA account
   * makes it Team again and suspends its remaining members (§9 item 5).
   */
  async release(actor: Actor, accountId: string, rawName: string): Promise<ReleaseOutcome> {
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await this.deps.accounts.lockAccount(trx, accountId);
      const domain = await this.get(accountId, rawName, trx);
      const now = this.now().toISOString();
      const outcome: ReleaseOutcome = { released: 0, stillSuspended: 0, accountNowTeam: false, suspendedRemaining: 0 };
      if (domain.status === 'Verified') {
        const lastOne = (await domainsRepository.countOfAccount(trx, accountId, 'Verified')) === 1;
        if (lastOne && account.type !== 'EnterpriseLWA' && account.type !== 'Team') {
          throw new AppError('account.wrong_type', `${domain.name} is the last domain of this ${account.type} account: disconnect its identity provider first.`);
        }
        Object.assign(outcome, await this.deps.releaseMembers(trx, accountId, domain.name, now));
        if (lastOne) {
          outcome.accountNowTeam = account.type !== 'Team';
          outcome.suspendedRemaining = await this.deps.suspendRemaining(trx, accountId, now);
          if (outcome.accountNowTeam) await this.deps.accounts.setAccountType(trx, actor, accountId, 'Team', `last domain ${domain.name} released`);
        }
      }
      await domainsRepository.remove(trx, domain.id);
      await this.deps.audit.record(trx, actor, { action: 'ReleaseDomain', resourceType: 'domain', resourceId: domain.name, accountId, details: { domain: domain.name, status: domain.status, ...outcome } });
      return outcome;
    });
  }

  /** A deleted account's claims go with it (only Team accounts, whose claims are unverified, can be deleted). */
  async beforeAccountDeleted(ex: Executor, account: Account): Promise<void> {
    await domainsRepository.removeOfAccount(ex, account.id);
  }

  /**
   * The sweep: every claim whose next check is due gets a check job, batch by batch. Its next check moves a quarter
   * of an hour ahead meanwhile, so that the next batch (and the next sweep) goes on to other claims; the check then
   * sets the real time. Returns how many were queued.
   */
  async sweep(): Promise<number> {
    let queued = 0;
    for (let round = 0; round < 1000; round++) {
      const n = await this.deps.db.transaction().execute(async (trx) => {
        const now = this.now();
        const ids = await domainsRepository.takeDue(trx, now.toISOString(), SWEEP_BATCH, new Date(now.getTime() + 15 * MINUTE).toISOString());
        const batches = Array.from({ length: Math.ceil(ids.length / CHECK_BATCH) }, (_, i) => ids.slice(i * CHECK_BATCH, (i + 1) * CHECK_BATCH));
        await this.deps.jobs.enqueueMany(trx, this.deps.checkKind, batches.map((domainIds) => ({ payload: { domainIds } })));
        return ids.length;
      });
      queued += n;
      if (n < SWEEP_BATCH) break;
      // On SQLite a transaction resolves without waiting for I/O: without this the batches would run back to back
      // and hold the node's requests for their whole length (300 ms for 10,000 claims, seen in a CPU profile).
      await new Promise((resolve) => setImmediate(resolve));
    }
    return queued;
  }

  async identitiesOfDomain(ex: Executor, domain: string, after: string | null, limit: number): Promise<string[]> {
    return domainsRepository.identitiesOfDomain(ex, domain, after, limit);
  }

  async membersOfDomainElsewhere(ex: Executor, domain: string, accountId: string, after: string | null, limit: number): Promise<string[]> {
    return domainsRepository.membersOfDomainElsewhere(ex, domain, accountId, after, limit);
  }

  /** Whether the account still owns the domain (an adoption job that outlived its claim does nothing). */
  async stillOwns(ex: Executor, accountId: string, domain: string): Promise<boolean> {
    return (await domainsRepository.verifiedOf(ex, [domain])).get(domain)?.accountId === accountId;
  }
}
