// Account members: the Chime user operations (create, list, get, update, batch update, suspend, unsuspend, PINs,
// sign-out, user settings), and the directory that signed-in members search.
import { defineModule } from '../platform/module.js';
import * as directoryWordsMigration from './directory-words-migration.js';
import * as usersMigration from './users-migration.js';
import { userOperations } from './users-operations.js';
import { UsersService } from './users-service.js';

declare module '../platform/module.js' {
  interface Services {
    users: UsersService;
  }
}

export const usersModule = defineModule({
  name: 'users',
  migrations: { '010-one-account-per-person': usersMigration, '011-directory-words': directoryWordsMigration },
  provide: (s) => {
    const users = new UsersService({ db: s.db, reader: s.reader, clock: s.clock, audit: s.audit, accounts: s.accounts });
    s.accounts.onAccountDeleted((ex, account) => users.beforeAccountDeleted(ex, account));
    return { users };
  },
  operations: userOperations,
});
