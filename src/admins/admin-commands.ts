// `carillon admins ...`: console administrators from the shell, server running or not. `create` prints a one-time
// link with which the person sets their own password: no password ever passes through a command line.
import type { Services } from '../platform/module.js';
import { roles, type Role } from '../platform/roles.js';
import { cliActor, noArgs, table, UsageError } from '../cli/flags.js';
import type { CliCommand } from '../platform/module.js';

function emailFlag(flags: Record<string, unknown>): string {
  const email = flags.email;
  if (typeof email !== 'string' || email.trim() === '') throw new UsageError('--email ADDRESS is required');
  return email;
}

export const adminCommands: Record<string, CliCommand['run']> = {
  'admins create': async (s: Services, args, flags, io) => {
    noArgs(args);
    const role = (typeof flags.role === 'string' ? flags.role : 'full') as Role;
    if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
    const { link, expiresAt } = await s.admins.createSetupLink(cliActor(), { email: emailFlag(flags), role });
    io.out(`One-time setup link for ${String(flags.email)} (${role}), valid until ${expiresAt}:\n\n    ${link}\n`);
  },

  'admins list': async (s, args, flags, io) => {
    noArgs(args);
    const admins = await s.admins.list();
    if (flags.json) {
      io.out(JSON.stringify(admins.map((a) => ({ id: a.id, email: a.email, name: a.name, role: a.role, createdAt: a.createdAt, disabledAt: a.disabledAt }))));
      return;
    }
    if (admins.length === 0) {
      io.out('No administrators yet. Create one: npx carillon admins create --email ADDRESS --role full');
      return;
    }
    io.out(table([['EMAIL', 'NAME', 'ROLE', 'CREATED', 'STATUS'], ...admins.map((a) => [a.email, a.name, a.role, a.createdAt, a.disabledAt ? `disabled ${a.disabledAt}` : 'active'])]));
  },

  'admins disable': async (s, args, flags, io) => {
    const email = args.length === 1 ? args[0]! : emailFlag(flags);
    if (args.length > 1) throw new UsageError(`unexpected argument ${args[1]}`);
    const admin = await s.admins.disable(cliActor(), { email });
    io.out(`Disabled ${admin.email}; their console sessions have ended.`);
  },
};
