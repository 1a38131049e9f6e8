// Claimed domains: ClaimDomain, ListDomains, GetDomain, VerifyDomain and ReleaseDomain; the DNS sweep (once a
// minute across all nodes: every claim whose next check is due gets a check job); bringing a newly verified
// domain's people under its account (one job per person, found page by page); and
// `carillon domains list|claim|verify|release`.
import { z } from 'zod';
import { cliActor, noArgs, oneArg, requiredFlag, table } from '../cli/flags.js';
import { textToHtml } from '../mail/mailer.js';
import { defineJobHandler, defineJobKind } from '../platform/jobs/job-kind.js';
import { defineModule, type Services } from '../platform/module.js';
import type { Actor } from '../platform/types.js';
import { dnsLookup } from './dns-check.js';
import * as domainsMigration from './domains-migration.js';
import { domainOperations, presentDomain } from './domains-operations.js';
import { DomainsService, recordNameOf, type AdoptJob } from './domains-service.js';

declare module '../platform/module.js' {
  interface Services {
    domains: DomainsService;
  }
}

export const checkDomains = defineJobKind('domains.check', z.object({ domainIds: z.array(z.string()).min(1).max(100) }));
export const sweepDomains = defineJobKind('domains.sweep', z.object({}));
const adoptDomain = defineJobKind<AdoptJob>(
  'domains.adopt',
  z.object({ accountId: z.string(), domain: z.string(), phase: z.enum(['identities', 'members']), after: z.string().nullable() }),
);
const adoptPerson = defineJobKind('domains.adopt-person', z.object({ accountId: z.string(), domain: z.string(), email: z.string() }));

const PAGE = 200;
/** Checks one node starts per second at most: polite to the DNS servers asked, and gentle on the node's own API
 *  (10,000 due claims take 40 s; an administrator's "Verify now" is not paced). */
const CHECKS_PER_SECOND = 250;

/** Waits for this node's next check slot (slots are 1/CHECKS_PER_SECOND apart). */
let nextSlot = 0;
async function pace(): Promise<void> {
  const now = performance.now();
  const slot = Math.max(now, nextSlot);
  nextSlot = slot + 1000 / CHECKS_PER_SECOND;
  if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
}
const system: Actor = { type: 'system', id: 'domains' };

/** One page of a verified domain's people: a job for each, and a job for the next page (or the next phase). */
async function adoptPage(s: Services, job: AdoptJob, progress: (done: number) => void): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    if (!(await s.domains.stillOwns(trx, job.accountId, job.domain))) return;
    const emails =
      job.phase === 'identities'
        ? await s.domains.identitiesOfDomain(trx, job.domain, job.after, PAGE)
        : await s.domains.membersOfDomainElsewhere(trx, job.domain, job.accountId, job.after, PAGE);
    await s.jobs.enqueueMany(
      trx,
      adoptPerson,
      emails.map((email) => ({ payload: { accountId: job.accountId, domain: job.domain, email }, uniqueKey: `domains.adopt-person:${job.accountId}:${email}` })),
    );
    progress(emails.length);
    if (emails.length === PAGE) await s.jobs.enqueue(trx, adoptDomain, { ...job, after: emails.at(-1)! });
    else if (job.phase === 'identities') await s.jobs.enqueue(trx, adoptDomain, { ...job, phase: 'members', after: null });
  });
}

/**
 * One person of a newly verified domain comes under its account: their invitations to other accounts end, and a
 * person with a proven address leaves any other account and becomes a Registered member with the account's default
 * license (their Pro trial ends), and is told by email. Someone suspended in another account stays there.
 */
async function adopt(s: Services, p: { accountId: string; domain: string; email: string }): Promise<'adopted' | 'suspended elsewhere' | 'nothing to do'> {
  return s.db.transaction().execute(async (trx) => {
    if (!(await s.domains.stillOwns(trx, p.accountId, p.domain))) return 'nothing to do';
    const elsewhere = (await s.users.membershipsOfAddress(trx, p.email)).filter((u) => u.accountId !== p.accountId);
    if (elsewhere.some((u) => u.registrationStatus === 'Suspended')) return 'suspended elsewhere';
    const invitees = elsewhere.filter((u) => u.registrationStatus === 'Unregistered' || u.registrationStatus === 'Released');
    await s.invitations.end(trx, { userIds: invitees.map((u) => u.id) }, 'domain_claimed');
    await s.users.dropInvitees(trx, system, invitees, `domain ${p.domain} claimed by another account`);
    const identity = await s.signin.findIdentityByEmail(p.email, trx);
    const joins = identity?.emailVerifiedAt != null && (await s.users.membershipOf(identity.id, trx))?.account.id !== p.accountId;
    if (joins) {
      await s.users.provisionMember(trx, system, { accountId: p.accountId, identityId: identity.id, email: identity.email, displayName: identity.displayName, license: undefined });
      await s.signin.endTrial(trx, identity);
      // The accounts they left see why in their own audit log.
      const left = elsewhere.filter((u) => u.registrationStatus === 'Registered');
      await s.audit.recordMany(trx, system, left.map((u) => ({ action: 'RemoveUser', resourceType: 'user', resourceId: u.id, accountId: u.accountId, details: { email: u.email, via: `domain ${p.domain} verified by another account` } })));
    }
    if (!joins && invitees.length === 0) return 'nothing to do';
    const account = await s.accounts.getAccount(p.accountId, trx);
    const text =
      `${account.name} has verified ${p.domain} with Carillon, so people with an @${p.domain} address belong to its account.\n\n` +
      (joins
        ? `You are now a member of ${account.name}${elsewhere.length > 0 ? ', and no longer of the account you were in before' : ''}. Sign in as before: ${s.config.publicUrl}/signin`
        : `Invitations to other accounts sent to ${p.email} no longer work. Register or sign in with this address to join ${account.name}: ${s.config.publicUrl}/signin`);
    await s.mailer.queue(trx, [{ to: identity?.email ?? p.email, subject: `Your Carillon address now belongs to ${account.name}`, text, html: textToHtml(text) }]);
    return 'adopted';
  });
}

export const domainsModule = defineModule({
  name: 'domains',
  migrations: { '012-domains': domainsMigration },
  provide: (s) => {
    const domains = new DomainsService({
      db: s.db,
      clock: s.clock,
      audit: s.audit,
      accounts: s.accounts,
      jobs: s.jobs,
      mailer: s.mailer,
      lookup: dnsLookup(s.config.dnsServers),
      adoptKind: adoptDomain,
      checkKind: checkDomains,
      fullAdministrators: async (ex) => (await s.admins.list(ex)).filter((a) => a.role === 'full' && a.disabledAt === null).map((a) => a.email),
      releaseMembers: (ex, accountId, domain, now) => s.users.releaseDomainMembers(ex, accountId, domain, now),
      suspendRemaining: (ex, accountId, now) => s.users.suspendRegistered(ex, accountId, now),
      publicUrl: s.config.publicUrl,
    });
    s.users.useAddressOwners((ex, emails) => domains.ownersOfAddresses(ex, emails));
    s.accounts.onAccountDeleted((ex, account) => domains.beforeAccountDeleted(ex, account));
    return { domains };
  },
  operations: domainOperations,
  jobs: (s) => [
    defineJobHandler({ kind: checkDomains, concurrency: 2, run: ({ domainIds }) => s.domains.checkMany(domainIds, pace) }),
    defineJobHandler({
      kind: sweepDomains,
      async run(_p, { log }) {
        const n = await s.domains.sweep();
        if (n > 0) log.debug({ claims: n }, 'domain checks queued');
      },
    }),
    defineJobHandler({ kind: adoptDomain, run: (job, ctx) => adoptPage(s, job, (done) => ctx.progress({ done, message: `${job.domain}: ${job.phase} after ${job.after ?? 'the start'}` })) }),
    defineJobHandler({
      kind: adoptPerson,
      concurrency: 4,
      async run(p, { log }) {
        const outcome = await adopt(s, p);
        if (outcome === 'suspended elsewhere') log.info({ domain: p.domain, accountId: p.accountId }, 'a person of a claimed domain stays suspended in another account');
      },
    }),
  ],
  schedules: () => [{ name: 'domains.sweep', kind: sweepDomains, payload: {}, cadence: { everyMs: 60_000 }, runs: 'cluster' }],
  cli: [
    {
      name: 'domains list',
      usage: 'domains list --account ACCOUNT_ID',
      run: async (s, args, flags, io) => {
        noArgs(args);
        const accountId = requiredFlag(flags, 'account', 'ACCOUNT_ID');
        const rows: string[][] = [['DOMAIN', 'STATUS', 'LAST CHECK', 'RESULT', 'TXT RECORD', 'VALUE']];
        for (let after: string | undefined; ; ) {
          const result = await s.domains.list(accountId, { afterId: after, limit: 100 });
          for (const d of result.items) rows.push([d.name, d.status, d.lastCheckedAt ?? '', d.lastCheckResult ?? '', recordNameOf(d.name), d.verificationValue]);
          if (!result.lastId) break;
          after = result.lastId;
        }
        io.out(table(rows));
      },
    },
    {
      name: 'domains claim',
      usage: 'domains claim --account ACCOUNT_ID DOMAIN',
      run: async (s, args, flags, io) => {
        const d = await s.domains.claim(cliActor(), requiredFlag(flags, 'account', 'ACCOUNT_ID'), oneArg(args, 'domain'));
        io.out(`Claimed ${d.name}. Publish this TXT record, then run \`carillon domains verify\` (or wait: it is checked automatically):\n\n  ${recordNameOf(d.name)}  TXT  "${d.verificationValue}"`);
      },
    },
    {
      name: 'domains verify',
      usage: 'domains verify --account ACCOUNT_ID DOMAIN',
      run: async (s, args, flags, io) => {
        const d = presentDomain(await s.domains.verifyNow(cliActor(), requiredFlag(flags, 'account', 'ACCOUNT_ID'), oneArg(args, 'domain')));
        io.out(`${d.DomainName}: ${d.Status} (last check: ${d.LastCheckResult ?? 'none'})`);
      },
    },
    {
      name: 'domains release',
      usage: 'domains release --account ACCOUNT_ID DOMAIN',
      run: async (s, args, flags, io) => {
        const name = oneArg(args, 'domain');
        const o = await s.domains.release(cliActor(), requiredFlag(flags, 'account', 'ACCOUNT_ID'), name);
        io.out(
          `Released ${name.trim().toLowerCase()}: ${o.released} member(s) Released, ${o.stillSuspended} still Suspended, all signed out.` +
            (o.accountNowTeam ? ` The account is a Team account again; ${o.suspendedRemaining} remaining member(s) suspended.` : ''),
        );
      },
    },
  ],
});
