// `npx carillon ...`: administration from the shell. Works against the database directly, server running or not;
// every command comes from a capability module (src/registry.ts).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createServices, type ComposedServices } from '../app-services.js';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../platform/errors.js';
import { registry } from '../registry.js';
import { UsageError } from './flags.js';

const commands = registry.flatMap((m) => m.cli ?? []);

const usage = `Usage: carillon <command> [options]

${commands.map((c) => `  ${c.usage}`).join('\n')}

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
      kind: { type: 'string' },
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
  const two = positionals.slice(0, 2).join(' ');
  const command = commands.find((c) => c.name === two) ?? commands.find((c) => c.name === positionals[0]);
  if (values.help || !command) {
    (values.help ? console.log : console.error)(usage);
    return values.help ? 0 : 2;
  }
  const args = positionals.slice(command.name.split(' ').length);
  let services: ComposedServices | undefined;
  try {
    services = await createServices(loadConfig(), pino({ level: 'warn' }, pino.destination(2)), { startWorkers: false });
    await command.run(services, args, values, { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') });
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
