// Carillon extension to the API: the audit log, newest first, for the console and for scripts. A key limited to
// one account sees only that account's events.
import { z } from 'zod';
import { defineOperation } from '../api/operation.js';
import { idLabel, maxResults, nextToken, text } from '../api/shapes.js';
import { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken } from '../api/next-token.js';
import { AppError } from '../platform/errors.js';
import { page } from '../platform/page.js';
import { auditRepository } from './audit-repository.js';

export const auditOperations = [
  defineOperation({
    name: 'ListAuditEvents',
    method: 'GET',
    path: '/audit-events',
    status: 200,
    input: z.object({
      query: z.object({
        'account-id': idLabel.optional(),
        action: text(100).optional(),
        'actor-id': text(256).optional(),
        'resource-id': text(256).optional(),
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
      const rows = await auditRepository.list(services.db, {
        accountId,
        action: query.action,
        actorId: query['actor-id'],
        resourceId: query['resource-id'],
        beforeId: decodeNextToken(query['next-token']),
        limit: limit + 1,
      });
      const result = page(rows, limit);
      const names = await auditRepository.actorNames(services.db, result.items);
      return {
        AuditEvents: result.items.map((e) => ({
          EventId: e.id,
          OccurredAt: e.occurredAt,
          ActorType: e.actorType,
          ActorId: e.actorId,
          ...(names.has(e.actorId) ? { ActorName: names.get(e.actorId) } : {}),
          Action: e.action,
          ResourceType: e.resourceType,
          ResourceId: e.resourceId,
          ...(e.accountId ? { AccountId: e.accountId } : {}),
          ...(e.sourceIp ? { SourceIp: e.sourceIp } : {}),
          Details: e.details,
        })),
        NextToken: encodeNextToken(result.lastId),
      };
    },
  }),
];
