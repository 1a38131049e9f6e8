// The audit log: every administrative change and sign-in, written with the change itself; ListAuditEvents and
// `carillon audit`.
import { isoFlag, limitFlag, noArgs, stringFlag, table } from '../cli/flags.js';
import { defineModule } from '../platform/module.js';
import { AuditLog } from './audit-log.js';
import { auditOperations } from './audit-operations.js';

declare module '../platform/module.js' {
  interface Services {
    audit: AuditLog;
  }
}

export const auditModule = defineModule({
  name: 'audit',
  provide: (s) => ({ audit: new AuditLog({ db: s.db, clock: s.clock }) }),
  operations: auditOperations,
  cli: [
    {
      name: 'audit',
      usage: 'audit [--account ID] [--action NAME] [--actor ID] [--resource ID] [--since ISO] [--until ISO] [--limit N] [--json]',
      run: async (s, args, flags, io) => {
        noArgs(args);
        const events = await s.audit.list({
          accountId: stringFlag(flags, 'account'),
          action: stringFlag(flags, 'action'),
          actorId: stringFlag(flags, 'actor'),
          resourceId: stringFlag(flags, 'resource'),
          since: isoFlag(flags, 'since'),
          until: isoFlag(flags, 'until'),
          limit: limitFlag(flags, 100),
        });
        if (flags.json) {
          io.out(JSON.stringify(events, null, 2));
          return;
        }
        io.out(
          table([
            ['WHEN', 'ACTOR', 'ACTION', 'RESOURCE', 'ACCOUNT', 'REQUEST', 'SOURCE'],
            ...events.map((e) => [e.occurredAt, `${e.actorType}:${e.actorId}`, e.action, `${e.resourceType}:${e.resourceId}`, e.accountId ?? '', e.requestId ?? '', e.sourceIp ?? '']),
          ]),
        );
      },
    },
  ],
});
