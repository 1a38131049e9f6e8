// `npx carillon ...`: administration from the shell. Works against the database directly, server running or not.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createServices, type Services } from '../app-services.js';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../platform/errors.js';
import { commands as coreCommands, UsageError } from './commands.js';
import { oidcCommands } from '../oidc/oidc-commands.js';
import { adminCommands } from '../admins/admin-commands.js';

const commands = { ...coreCommands, ...oidcCommands, ...adminCommands };

const usage = `Usage: carillon <command> [options]

  admins create --email ADDRESS [--role full|user-management|read-only]   (prints a one-time console setup link)
  admins list [--json]
  admins disable ADDRESS                       (ends their console sessions)
  keys create --name NAME [--role full|user-management|read-only] [--account ACCOUNT_ID] [--format json|env]
  keys list
  keys revoke ACCESS_KEY_ID
  accounts list-deleted
  accounts restore ACCOUNT_ID
  invitations list --account ACCOUNT_ID [--limit N]
  invitations revoke INVITATION_ID             (resend: InviteUsers again, which also retires the old link)
  mail list [--status pending|sent|failed] [--to ADDRESS] [--limit N] [--json]
  audit [--account ID] [--action NAME] [--actor ID] [--resource ID] [--since ISO] [--until ISO] [--limit N] [--json]
  apps create --name NAME --redirect-uri URI [--redirect-uri URI ...]   (prints client_id and client_secret, once)
  apps list [--json]
  apps revoke CLIENT_ID
  oidc rotate-keys

Configuration comes from the same environment variables as the server (CARILLON_DATA_DIR, DATABASE_URL, ...).`;

function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      account: { type: 'string' },
      status: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      action: { type: 'string' },
      actor: { type: 'string' },
      resource: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    if (!String((e as { code?: string }).code).startsWith('ERR_PARSE_ARGS_')) throw e;
    console.error(`carillon: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const key = positionals.slice(0, 2).join(' ');
  const command = commands[key] ?? commands[positionals[0] ?? ''];
  if (values.help || !command) {
    (values.help ? console.log : console.error)(usage);
    return values.help ? 0 : 2;
  }
  const args = positionals.slice(commands[key] ? 2 : 1);
  let services: Services | undefined;
  try {
    services = await createServices(loadConfig(), pino({ level: 'warn' }, pino.destination(2)), { startWorkers: false });
    await command(services, args, values, { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') });
    return 0;
  } catch (e) {
    if (e instanceof AppError || e instanceof ConfigError || e instanceof UsageError) {
      console.error(`carillon: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  } finally {
    await services?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
