// Accounts: the Chime account operations, deletion with its 90-day restore window (and the hourly purge of
// accounts past it, once across all nodes), and `carillon accounts list-deleted|restore`.
import { z } from 'zod';
import { cliActor, oneArg, table } from '../cli/flags.js';
import { DAY_MS } from '../platform/clock.js';
import { defineJobHandler, defineJobKind } from '../platform/jobs/job-kind.js';
import { defineModule } from '../platform/module.js';
import { accountOperations } from './accounts-operations.js';
import { AccountsService, RESTORE_WINDOW_DAYS } from './accounts-service.js';

declare module '../platform/module.js' {
  interface Services {
    accounts: AccountsService;
  }
}

export const purgeDeletedAccounts = defineJobKind('accounts.purge-deleted', z.object({}));

export const accountsModule = defineModule({
  name: 'accounts',
  provide: (s) => {
    const accounts = new AccountsService({ db: s.db, clock: s.clock, audit: s.audit });
    s.audit.nameWith('account', (ids) => accounts.namesOf(ids));
    return { accounts };
  },
  operations: accountOperations,
  jobs: (s) => [
    defineJobHandler({
      kind: purgeDeletedAccounts,
      async run(_payload, { log }) {
        const ids = await s.accounts.purgeExpiredAccounts({ type: 'system', id: 'purge' });
        if (ids.length > 0) log.info({ accounts: ids }, 'purged deleted accounts');
      },
    }),
  ],
  schedules: () => [{ name: 'accounts.purge-deleted', kind: purgeDeletedAccounts, payload: {}, cadence: { everyMs: 60 * 60_000 }, runs: 'cluster' }],
  cli: [
    {
      name: 'accounts list-deleted',
      usage: 'accounts list-deleted',
      run: async (s, _args, _flags, io) => {
        const accounts = await s.accounts.listDeletedAccounts();
        io.out(
          table([
            ['ACCOUNT ID', 'NAME', 'DELETED', 'RESTORABLE UNTIL'],
            ...accounts.map((a) => [a.id, a.name, a.deletedAt!, new Date(Date.parse(a.deletedAt!) + RESTORE_WINDOW_DAYS * DAY_MS).toISOString()]),
          ]),
        );
      },
    },
    {
      name: 'accounts restore',
      usage: 'accounts restore ACCOUNT_ID',
      run: async (s, args, _flags, io) => {
        const account = await s.accounts.restoreAccount(cliActor(), oneArg(args, 'account id'));
        io.out(`Restored account ${account.id} (${account.name}).`);
      },
    },
  ],
});
