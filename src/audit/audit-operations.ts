// Carillon extension to the API: the audit log, newest first, for the console and for scripts. A key limited to
// one account sees only that account's events.
import { z } from 'zod';
import { defineOperation } from '../platform/operation.js';
import { idLabel, maxResults, nextToken, text } from '../platform/wire/shapes.js';
import { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken } from '../platform/wire/next-token.js';
import { auditOutputs } from './audit-wire.js';

const isoTime = text(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be a date or date-time (RFC 3339)')
  .transform((s) => new Date(s).toISOString());
import { AppError } from '../platform/errors.js';
import { page } from '../platform/page.js';

export const auditOperations = [
  defineOperation({
    name: 'ListAuditEvents',
    method: 'GET',
    path: '/audit-events',
    status: 200,
    permission: 'read',
    scope: 'confined',
    output: auditOutputs.events,
    input: z.object({
      query: z.object({
        'account-id': idLabel.optional(),
        action: text(100).optional(),
        'actor-id': text(256).optional(),
        'resource-id': text(256).optional(),
        // A time range, RFC 3339: events at or after `since` and before `until`.
        since: isoTime.optional(),
        until: isoTime.optional(),
        'max-results': maxResults,
        'next-token': nextToken,
      }),
    }),
    handle: async ({ services, principal }, { query }) => {
      const limit = query['max-results'] ?? DEFAULT_MAX_RESULTS;
      const accountId = principal.accountId ?? query['account-id'];
      if (principal.accountId !== null && query['account-id'] !== undefined && query['account-id'] !== principal.accountId) {
        throw new AppError('auth.other_account', `Access key ${principal.id} may not read another account's events.`);
      }
      const rows = await services.audit.list({
        accountId,
        action: query.action,
        actorId: query['actor-id'],
        resourceId: query['resource-id'],
        since: query.since,
        until: query.until,
        beforeId: decodeNextToken(query['next-token']),
        limit: limit + 1,
      });
      const result = page(rows, limit);
      const names = await services.audit.namesFor(result.items);
      return {
        AuditEvents: result.items.map((e) => ({
          EventId: e.id,
          OccurredAt: e.occurredAt,
          ActorType: e.actorType,
          ActorId: e.actorId,
          ...(names.actors.has(e.actorId) ? { ActorName: names.actors.get(e.actorId) } : {}),
          Action: e.action,
          ResourceType: e.resourceType,
          ResourceId: e.resourceId,
          ...(e.accountId ? { AccountId: e.accountId } : {}),
          ...(e.accountId && names.accounts.has(e.accountId) ? { AccountName: names.accounts.get(e.accountId) } : {}),
          ...(e.sourceIp ? { SourceIp: e.sourceIp } : {}),
          Details: e.details,
        })),
        NextToken: encodeNextToken(result.lastId),
      };
    },
  }),
];
