// Every capability of Carillon, in the order their services are built (each may use those before it). A new
// capability is a folder with its module, plus one line here: its operations, routes, migrations, job handlers,
// schedules and CLI commands all come from the module.
import { accessKeysModule } from './access-keys/access-keys-module.js';
import { accountsModule } from './accounts/accounts-module.js';
import { adminsModule } from './admins/admins-module.js';
import { auditModule } from './audit/audit-module.js';
import { domainsModule } from './domains/domains-module.js';
import { invitationsModule } from './invitations/invitations-module.js';
import { mailModule } from './mail/mail-module.js';
import { oidcModule } from './oidc/oidc-module.js';
import { jobsModule } from './platform/jobs/jobs-module.js';
import type { CapabilityModule } from './platform/module.js';
import { settingsModule } from './settings/settings-module.js';
import { signinModule } from './signin/signin-module.js';
import { usersModule } from './users/users-module.js';

export const registry: readonly CapabilityModule[] = [
  jobsModule,
  auditModule,
  settingsModule,
  accountsModule,
  usersModule,
  mailModule,
  signinModule,
  invitationsModule,
  accessKeysModule,
  adminsModule,
  domainsModule,
  oidcModule,
];
