// The migrations of the first releases, which made the tables of several capabilities at once. Later migrations
// belong to the module whose tables they change (CapabilityModule.migrations), numbered after these.
import type { Migration } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-identities.js';
import * as m003 from './003-oidc.js';
import * as m004 from './004-admins.js';
import * as m005 from './005-user-search.js';

export const coreMigrations: Record<string, Migration> = { '001-initial': m001, '002-identities': m002, '003-oidc': m003, '004-admins': m004, '005-user-search': m005 };
