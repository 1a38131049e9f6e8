// What a capability is to the rest of Carillon: one module object that says what it adds (its services, API
// operations, migrations, job handlers and schedules, CLI commands, pages), listed once in src/registry.ts.
// `Services` starts with the platform's building blocks; each capability adds its own services to it by
// declaration merging (`declare module '../platform/module.js' { interface Services { ... } }`), so that
// `services.accounts` is typed wherever the bag is used and a misspelt name does not compile.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import type { Config } from '../config.js';
import type { Clock } from './clock.js';
import type { Engine, OpenedDatabase } from './db/database.js';
import type { Reader } from './db/reader.js';
import type { Db } from './db/schema.js';
import type { JobHandler, Schedule } from './jobs/job-kind.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { ConsoleKit } from './http/console-kit.js';
import type { PagesKit } from './http/pages-kit.js';
import type { ScimAuthenticator, ScimKit } from './http/scim-kit.js';
import type { AnyOperation } from './operation.js';
import type { SecretBox } from './secret-box.js';

/** The platform's building blocks, which every capability may use. */
export interface PlatformServices {
  config: Config;
  db: Db;
  engine: Engine;
  /** Committed-data reads for the hottest queries (platform/db/reader.ts). */
  reader: Reader;
  clock: Clock;
  log: FastifyBaseLogger;
  /** Seals secrets at rest with the master key. */
  secretBox: SecretBox;
  /** Signs short-lived browser state (cookies); derived from the master key. */
  cookieKey: Buffer;
  /** Enqueues background jobs in the caller's transaction. */
  jobs: JobQueue;
  /** Signals carried from a commit to listeners (every node's on PostgreSQL). */
  signals: Pick<OpenedDatabase, 'notify' | 'listen'>;
  /** Every API operation the modules declare (the console shows what a role may call from these). */
  operations: readonly AnyOperation[];
}

/** The whole bag: the platform's services and, merged in by each capability's module file, the capabilities'. */
export interface Services extends PlatformServices {}

/** One command of `npx carillon`: `name` is one or two words (`keys create`), `usage` its line in the help. */
export type CliCommand = {
  name: string;
  usage: string;
  run: (services: Services, args: string[], flags: CliFlags, io: CliOutput) => Promise<void>;
};
export type CliFlags = Record<string, string | boolean | string[] | undefined>;
export type CliOutput = { out: (s: string) => void; err: (s: string) => void };

/** A registrar of HTTP routes on one of the surfaces (src/surfaces/*), which gives it that surface's tools. */
export type RouteRegistrar<Kit> = (app: FastifyInstance, services: Services, kit: Kit) => void;

export type CapabilityModule = {
  name: string;
  /** Migrations, each named with its global number (`007-mail-jobs`); every module's run in name order. */
  migrations?: Record<string, Migration>;
  /** Builds the module's services from the platform's and those of the modules before it in the registry. */
  provide?: (services: Services) => Partial<Services>;
  /** Chime-style API operations (SigV4 or the console's session), dispatched by the chime-api surface. */
  operations?: readonly AnyOperation[];
  /** Handlers of the job kinds this module runs in the background; each receives only what it needs. */
  jobs?: (services: Services) => JobHandler[];
  schedules?: (services: Services) => Schedule[];
  cli?: readonly CliCommand[];
  /** End-user HTML pages (the pages surface: forms, cookies, CSRF). */
  pages?: RouteRegistrar<PagesKit>;
  /** The console's own endpoints under /console/api (the console surface). */
  console?: RouteRegistrar<ConsoleKit>;
  /** SCIM 2.0 resources under /scim/v2 (the scim surface: bearer keys, RFC 7644 errors). */
  scim?: RouteRegistrar<ScimKit>;
  /** The capability that issues SCIM bearer keys says who holds one (one module at most). */
  scimAuthenticator?: (services: Services) => ScimAuthenticator;
  /** Routes that bring their own protocol and error shape (the OpenID Connect provider under /oidc). */
  routes?: (app: FastifyInstance, services: Services) => void;
  /** Releases what `provide` opened (connections, pools), in reverse registry order at shutdown. */
  close?: (services: Services) => Promise<void>;
};

export const defineModule = (m: CapabilityModule): CapabilityModule => m;
