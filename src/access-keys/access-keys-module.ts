// API access keys: `carillon keys create|list|revoke`, the keys the SigV4 verifier looks up, and each node's
// every-second check for keys revoked elsewhere (the CLI, another node).
import { z } from 'zod';
import { cliActor, noArgs, oneArg, stringFlag, table, UsageError } from '../cli/flags.js';
import { defineJobHandler, defineJobKind } from '../platform/jobs/job-kind.js';
import { defineModule } from '../platform/module.js';
import { roles, type Role } from '../platform/roles.js';
import { accessKeyOperations } from './access-keys-operations.js';
import { AccessKeysService } from './access-keys-service.js';

declare module '../platform/module.js' {
  interface Services {
    accessKeys: AccessKeysService;
  }
}

export const watchRevocations = defineJobKind('access-keys.watch-revocations', z.object({}));

export const accessKeysModule = defineModule({
  name: 'access-keys',
  provide: (s) => {
    const accessKeys = new AccessKeysService({ db: s.db, clock: s.clock, audit: s.audit, secretBox: s.secretBox, accounts: s.accounts });
    s.audit.nameWith('access_key', (ids) => accessKeys.namesOf(ids));
    return { accessKeys };
  },
  operations: accessKeyOperations,
  jobs: (s) => [defineJobHandler({ kind: watchRevocations, run: () => s.accessKeys.checkRevocations() })],
  schedules: () => [{ name: 'access-keys.watch-revocations', kind: watchRevocations, payload: {}, cadence: { everyMs: 1000 }, runs: 'every-node' }],
  cli: [
    {
      name: 'keys create',
      usage: 'keys create --name NAME [--role full|user-management|read-only] [--account ACCOUNT_ID] [--format json|env]',
      run: async (s, args, flags, io) => {
        noArgs(args);
        const name = stringFlag(flags, 'name');
        if (!name || name.length > 100) throw new UsageError('--name NAME is required (at most 100 characters)');
        const role = (stringFlag(flags, 'role') ?? 'full') as Role;
        if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
        const format = stringFlag(flags, 'format') ?? 'json';
        if (format !== 'json' && format !== 'env') throw new UsageError('--format must be json or env');
        const key = await s.accessKeys.createKey(cliActor(), { name, role, accountId: stringFlag(flags, 'account') });
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
    },
    {
      name: 'keys list',
      usage: 'keys list',
      run: async (s, _args, _flags, io) => {
        const keys = await s.accessKeys.listKeys();
        io.out(table([['ACCESS KEY ID', 'NAME', 'ROLE', 'ACCOUNT', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.id, k.name, k.role, k.accountId ?? '(all)', k.createdAt, k.revokedAt ?? ''])]));
      },
    },
    {
      name: 'keys revoke',
      usage: 'keys revoke ACCESS_KEY_ID',
      run: async (s, args, _flags, io) => {
        const id = oneArg(args, 'access key id');
        await s.accessKeys.revokeKey(cliActor(), id);
        io.out(`Revoked ${id}.`);
      },
    },
  ],
});
