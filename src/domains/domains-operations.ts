// API operations on claimed domains: each one validates, calls one service method and presents the result.
import { z } from 'zod';
import { DAY_MS } from '../platform/clock.js';
import { defineOperation } from '../platform/operation.js';
import { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken } from '../platform/wire/next-token.js';
import { idLabel, maxResults, nextToken, text } from '../platform/wire/shapes.js';
import type { Domain } from './domains-repository.js';
import { CLAIM_LIFETIME_DAYS, recordNameOf } from './domains-service.js';
import { domainOutputs, type Domain as DomainWire } from './domains-wire.js';

const accountPath = z.object({ accountId: idLabel });
// The name as typed (upper case, a trailing dot, Unicode): the service normalises it and says what is wrong.
const domainPath = z.object({ accountId: idLabel, domainName: text(1024) });

/** A claim as the API shows it (absent optionals are left out, never null). */
export function presentDomain(d: Domain): DomainWire {
  return {
    DomainName: d.name,
    Status: d.status,
    VerificationRecord: { Name: recordNameOf(d.name), Type: 'TXT', Value: d.verificationValue },
    ClaimedTimestamp: d.claimedAt,
    ...(d.verifiedAt && { VerifiedTimestamp: d.verifiedAt }),
    ...(d.lastCheckedAt && { LastCheckedTimestamp: d.lastCheckedAt }),
    ...(d.lastCheckResult && { LastCheckResult: d.lastCheckResult }),
    ...(d.status === 'PendingVerification' && { ExpiresTimestamp: new Date(Date.parse(d.claimedAt) + CLAIM_LIFETIME_DAYS * DAY_MS).toISOString() }),
    ...(d.recordMissingSince && { RecordMissingSince: d.recordMissingSince }),
    ...(d.nextCheckAt && { NextCheckTimestamp: d.nextCheckAt }),
  };
}

export const domainOperations = [
  defineOperation({
    name: 'ClaimDomain',
    method: 'POST',
    path: '/accounts/{accountId}/domains',
    status: 201,
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: accountPath, body: z.object({ DomainName: text(1024) }) }),
    output: domainOutputs.domain,
    handle: async ({ services, actor }, { path, body }) => ({ Domain: presentDomain(await services.domains.claim(actor, path.accountId, body.DomainName)) }),
  }),

  defineOperation({
    name: 'ListDomains',
    method: 'GET',
    path: '/accounts/{accountId}/domains',
    status: 200,
    permission: 'read',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: accountPath, query: z.object({ 'max-results': maxResults, 'next-token': nextToken }) }),
    output: domainOutputs.domains,
    handle: async ({ services }, { path, query }) => {
      const result = await services.domains.list(path.accountId, { afterId: decodeNextToken(query['next-token']), limit: query['max-results'] ?? DEFAULT_MAX_RESULTS });
      return { Domains: result.items.map(presentDomain), NextToken: encodeNextToken(result.lastId) };
    },
  }),

  defineOperation({
    name: 'GetDomain',
    method: 'GET',
    path: '/accounts/{accountId}/domains/{domainName}',
    status: 200,
    permission: 'read',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: domainPath }),
    output: domainOutputs.domain,
    handle: async ({ services }, { path }) => ({ Domain: presentDomain(await services.domains.get(path.accountId, path.domainName)) }),
  }),

  defineOperation({
    name: 'VerifyDomain',
    method: 'POST',
    path: '/accounts/{accountId}/domains/{domainName}',
    operation: 'verify',
    status: 200,
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: domainPath, body: z.object({}).passthrough() }),
    output: domainOutputs.domain,
    handle: async ({ services, actor }, { path }) => ({ Domain: presentDomain(await services.domains.verifyNow(actor, path.accountId, path.domainName)) }),
  }),

  defineOperation({
    name: 'ReleaseDomain',
    method: 'DELETE',
    path: '/accounts/{accountId}/domains/{domainName}',
    status: 204,
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: domainPath, body: z.object({}).passthrough() }),
    output: null,
    handle: async ({ services, actor }, { path }) => void (await services.domains.release(actor, path.accountId, path.domainName)),
  }),
];
