// The composition root: builds every service once from the configuration and hands each its dependencies.
import type { FastifyBaseLogger } from 'fastify';
import { AccountsService } from './accounts/accounts-service.js';
import { AuditLog } from './audit/audit-log.js';
import { AccessKeysService } from './auth/access-keys.js';
import { InvitationsService } from './invitations/invitations-service.js';
import { OutboxWorker } from './mail/outbox-worker.js';
import { createSmtpTransport } from './mail/smtp-transport.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './platform/clock.js';
import { migrateToLatest, openDatabase, type Engine } from './platform/db/database.js';
import type { Db } from './platform/db/schema.js';
import { SecretBox, resolveMasterKey } from './platform/secret-box.js';
import { SettingsService } from './settings/settings-service.js';
import { UsersService } from './users/users-service.js';
import { SigninService } from './signin/signin-service.js';
import { AcceptanceService } from './invitations/acceptance-service.js';
import { LoginWithAmazon, OpenIdConnectLogin, type SocialProvider } from './signin/social-login.js';
import { createHmac } from 'node:crypto';
import { AdminsService } from './admins/admins-service.js';

export type Services = {
  config: Config;
  db: Db;
  engine: Engine;
  clock: Clock;
  audit: AuditLog;
  accounts: AccountsService;
  users: UsersService;
  invitations: InvitationsService;
  settings: SettingsService;
  accessKeys: AccessKeysService;
  /** Seals secrets at rest with the master key (access keys, OIDC app secrets and signing keys). */
  secretBox: SecretBox;
  signin: SigninService;
  /** Console administrators: setup links, sign-in, sessions. */
  admins: AdminsService;
  acceptance: AcceptanceService;
  /** The social sign-in providers configured (Login with Amazon, a generic OpenID Connect provider). */
  socialProviders: SocialProvider[];
  /** Signs short-lived browser state (the social sign-in cookie); derived from the master key. */
  cookieKey: Buffer;
  /** Present when SMTP_URL is set; without it mail waits in the outbox. */
  outbox: OutboxWorker | undefined;
  close: () => Promise<void>;
};

export async function createServices(config: Config, log: FastifyBaseLogger, options: { clock?: Clock; startWorkers?: boolean } = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const { db, engine, reader, close } = openDatabase(config);
  await migrateToLatest(db);
  const master = resolveMasterKey(config.masterKey, config.dataDir);
  if (master.created) log.warn('Generated a master key in %s/master.key: back it up, and set CARILLON_MASTER_KEY when running several nodes.', config.dataDir);
  const audit = new AuditLog(clock);
  const accounts = new AccountsService({ db, clock, audit });
  const users = new UsersService({ db, reader, clock, audit, accounts });
  const settings = new SettingsService({ db, audit });
  const secretBox = new SecretBox(master.key);
  const accessKeys = new AccessKeysService({ db, clock, audit, secretBox, accounts });
  let outbox: OutboxWorker | undefined;
  const invitations = new InvitationsService({
    db,
    clock,
    audit,
    accounts,
    publicUrl: config.publicUrl,
    ttlDays: config.invitationTtlDays,
    onQueued: () => outbox?.nudge(),
  });
  const signin = new SigninService({ db, clock, audit, publicUrl: config.publicUrl, session: config.session, onMailQueued: () => outbox?.nudge() });
  const admins = new AdminsService({ db, clock, audit, publicUrl: config.publicUrl, session: config.session });
  const acceptance = new AcceptanceService({ db, clock, audit, users, signin });
  if (config.smtpUrl) {
    outbox = new OutboxWorker({
      db,
      clock,
      transport: createSmtpTransport(config.smtpUrl),
      from: config.smtpFrom,
      retryBaseMs: config.mail.retryBaseMs,
      maxAttempts: config.mail.maxAttempts,
      pollMs: config.mail.pollMs,
      hooks: {
        onSettled: (ex, mails, outcome) =>
          invitations.recordEmailOutcome(ex, mails.flatMap((m) => (m.invitationId ? [m.invitationId] : [])), outcome),
      },
      log,
    });
    if (options.startWorkers !== false) outbox.start();
  }
  const stopRevocationWatch =
    options.startWorkers === false ? () => undefined : accessKeys.watchRevocations(1_000, (err) => log.warn({ err }, 'checking for revoked access keys failed'));
  return {
    config,
    db,
    engine,
    clock,
    audit,
    accounts,
    users,
    invitations,
    settings,
    accessKeys,
    secretBox,
    signin,
    admins,
    acceptance,
    socialProviders: [
      ...(config.social.lwa ? [new LoginWithAmazon(config.social.lwa)] : []),
      ...(config.social.oidc ? [new OpenIdConnectLogin(config.social.oidc)] : []),
    ],
    cookieKey: createHmac('sha256', master.key).update('carillon cookie signing v1').digest(),
    outbox,
    close: async () => {
      stopRevocationWatch();
      await outbox?.stop();
      await close();
    },
  };
}
