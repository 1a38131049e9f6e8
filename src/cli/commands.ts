// The CLI's commands: each takes the services, positional arguments and flags, and prints its result.
import { roles, type Role } from '../auth/policy.js';
import { auditRepository } from '../audit/audit-repository.js';
import { outboxRepository, type OutboxStatus } from '../mail/outbox-repository.js';
import type { Services } from '../app-services.js';
import type { Actor } from '../platform/types.js';

/** A mistake in the command line: exit code 2 and the usage hint. */
export class UsageError extends Error {}

type Flags = Record<string, string | boolean | string[] | undefined>;
type Output = { out: (s: string) => void; err: (s: string) => void };
export type Command = (services: Services, args: string[], flags: Flags, io: Output) => Promise<void>;

export const cliActor = (): Actor => ({ type: 'cli', id: process.env.USER ?? process.env.LOGNAME ?? 'cli' });

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function limit(flags: Flags, fallback: number): number {
  const raw = str(flags, 'limit');
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError('--limit must be an integer from 1 to 100000');
  return n;
}

function isoFlag(flags: Flags, name: string): string | undefined {
  const raw = str(flags, name);
  if (raw === undefined) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new UsageError(`--${name} must be a date or date-time, e.g. 2026-11-28 or 2026-11-28T10:00:00Z`);
  return new Date(t).toISOString();
}

function one(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return args[0]!;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export const commands: Record<string, Command> = {
  'keys create': async (s, args, flags, io) => {
    if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
    const name = str(flags, 'name');
    if (!name || name.length > 100) throw new UsageError('--name NAME is required (at most 100 characters)');
    const role = (str(flags, 'role') ?? 'full') as Role;
    if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
    const format = str(flags, 'format') ?? 'json';
    if (format !== 'json' && format !== 'env') throw new UsageError('--format must be json or env');
    const key = await s.accessKeys.createKey(cliActor(), { name, role, accountId: str(flags, 'account') });
    if (format === 'env') {
      io.out(`export AWS_ACCESS_KEY_ID=${key.id}\nexport AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}`);
      return;
    }
    io.out(
      JSON.stringify(
        { AccessKeyId: key.id, SecretAccessKey: key.secretAccessKey, Name: key.name, Role: key.role, ...(key.accountId && { AccountId: key.accountId }), CreatedAt: key.createdAt },
        null,
        2,
      ),
    );
  },

  'keys list': async (s, _args, _flags, io) => {
    const keys = await s.accessKeys.listKeys();
    io.out(table([['ACCESS KEY ID', 'NAME', 'ROLE', 'ACCOUNT', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.id, k.name, k.role, k.accountId ?? '(all)', k.createdAt, k.revokedAt ?? ''])]));
  },

  'keys revoke': async (s, args, _flags, io) => {
    const id = one(args, 'access key id');
    await s.accessKeys.revokeKey(cliActor(), id);
    io.out(`Revoked ${id}.`);
  },

  'accounts list-deleted': async (s, _args, _flags, io) => {
    const accounts = await s.accounts.listDeletedAccounts();
    io.out(table([['ACCOUNT ID', 'NAME', 'DELETED', 'RESTORABLE UNTIL'], ...accounts.map((a) => [a.id, a.name, a.deletedAt!, new Date(Date.parse(a.deletedAt!) + 90 * 86_400_000).toISOString()])]));
  },

  'accounts restore': async (s, args, _flags, io) => {
    const account = await s.accounts.restoreAccount(cliActor(), one(args, 'account id'));
    io.out(`Restored account ${account.id} (${account.name}).`);
  },

  'invitations list': async (s, args, flags, io) => {
    if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
    const account = str(flags, 'account');
    if (!account) throw new UsageError('--account ACCOUNT_ID is required');
    const rows = await s.invitations.listInvitations(account, limit(flags, 100));
    io.out(table([['INVITATION ID', 'EMAIL', 'STATE', 'EMAIL STATUS', 'SENT', 'EXPIRES'], ...rows.map((r) => [r.id, r.email, r.state, r.emailStatus, r.createdAt, r.expiresAt])]));
  },

  'invitations revoke': async (s, args, _flags, io) => {
    const id = one(args, 'invitation id');
    await s.invitations.revokeInvitation(cliActor(), id);
    io.out(`Revoked invitation ${id}; its link no longer works.`);
  },

  'mail list': async (s, args, flags, io) => {
    if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
    const status = str(flags, 'status') as OutboxStatus | undefined;
    if (status && !['pending', 'sent', 'failed'].includes(status)) throw new UsageError('--status must be pending, sent or failed');
    const mails = await outboxRepository.list(s.db, { status, recipient: str(flags, 'to'), limit: limit(flags, 50) });
    if (flags.json) {
      io.out(JSON.stringify(mails, null, 2));
      return;
    }
    if (mails.length === 0) {
      io.out('The outbox is empty.');
      return;
    }
    for (const m of mails) {
      io.out(`--- ${m.id}  ${m.status}  attempts=${m.attempts}${m.lastError ? `  last error: ${m.lastError}` : ''}`);
      io.out(`To: ${m.recipient}\nSubject: ${m.subject}\nQueued: ${m.createdAt}${m.sentAt ? `  Sent: ${m.sentAt}` : ''}\n\n${m.textBody}\n`);
    }
  },

  audit: async (s, args, flags, io) => {
    if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
    const events = await auditRepository.list(s.db, {
      accountId: str(flags, 'account'),
      action: str(flags, 'action'),
      actorId: str(flags, 'actor'),
      resourceId: str(flags, 'resource'),
      since: isoFlag(flags, 'since'),
      until: isoFlag(flags, 'until'),
      limit: limit(flags, 100),
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
};
