// Console administrators: setup links, sign-in (throttled like end users'), console sessions, the console's own
// endpoints, and `carillon admins ...`.
import { commandsFrom } from '../cli/flags.js';
import { defineModule } from '../platform/module.js';
import { adminCommands } from './admin-commands.js';
import { adminOperations } from './admins-operations.js';
import { AdminsService } from './admins-service.js';
import { registerConsoleEndpoints } from './console-endpoints.js';

declare module '../platform/module.js' {
  interface Services {
    admins: AdminsService;
  }
}

export const adminsModule = defineModule({
  name: 'admins',
  provide: (s) => {
    const admins = new AdminsService({ db: s.db, clock: s.clock, audit: s.audit, throttle: s.throttle, publicUrl: s.config.publicUrl, session: s.config.session });
    s.audit.nameWith('admin', (ids) => admins.emailsOf(ids));
    return { admins };
  },
  operations: adminOperations,
  console: registerConsoleEndpoints,
  cli: commandsFrom(adminCommands, {
    'admins create': 'admins create --email ADDRESS [--role full|user-management|read-only]   (prints a one-time console setup link)',
    'admins list': 'admins list [--json]',
    'admins disable': 'admins disable ADDRESS                       (ends their console sessions)',
  }),
});
