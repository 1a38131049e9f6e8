// The one place that reads the environment: every setting, validated once at start, with a safe embedded default.
import path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  // TCP port of the HTTP server (API, console, end-user pages).
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // Interface to listen on; 0.0.0.0 serves other machines too.
  HOST: z.string().min(1).default('0.0.0.0'),
  // Folder for the embedded SQLite database and the master key file.
  CARILLON_DATA_DIR: z.string().min(1).default('./data'),
  // postgres://user:pass@host:port/db switches storage from embedded SQLite to PostgreSQL.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  // smtp://user:pass@host:port (or smtps://) for outgoing mail; unset keeps mail in the outbox (`carillon mail list`).
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  // Sender address of every email.
  SMTP_FROM: z.string().min(3).default('Carillon <no-reply@carillon.localhost>'),
  // Base URL people reach Carillon at; invitation links point here.
  CARILLON_PUBLIC_URL: z.string().url().optional(),
  // 32 bytes, base64: encrypts secrets at rest. Unset: generated once into DATA_DIR/master.key.
  CARILLON_MASTER_KEY: z.string().optional(),
  // Days an invitation link stays valid.
  CARILLON_INVITATION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  // A signed-in session ends after this many minutes without activity...
  CARILLON_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(43_200).default(120),
  // ...and this many hours after sign-in, whatever the activity.
  CARILLON_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(8_760).default(168),
  // Login with Amazon (social sign-in for Team accounts): set the client id and secret to offer it.
  CARILLON_LWA_CLIENT_ID: z.string().optional(),
  CARILLON_LWA_CLIENT_SECRET: z.string().optional(),
  CARILLON_LWA_AUTHORIZE_URL: z.string().url().default('https://www.amazon.com/ap/oa'),
  CARILLON_LWA_TOKEN_URL: z.string().url().default('https://api.amazon.com/auth/o2/token'),
  CARILLON_LWA_PROFILE_URL: z.string().url().default('https://api.amazon.com/user/profile'),
  // A generic OpenID Connect provider for social sign-in: issuer (discovery), client id and secret, button label.
  CARILLON_SOCIAL_OIDC_ISSUER: z.string().url().optional(),
  CARILLON_SOCIAL_OIDC_CLIENT_ID: z.string().optional(),
  CARILLON_SOCIAL_OIDC_CLIENT_SECRET: z.string().optional(),
  CARILLON_SOCIAL_OIDC_NAME: z.string().min(1).max(60).default('OpenID Connect'),
  // Largest accepted request body, in bytes.
  CARILLON_BODY_LIMIT: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  // First delay before a failed email is retried; it doubles on each attempt.
  CARILLON_MAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5000),
  // Attempts before an email is marked Failed.
  CARILLON_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  // How often the job runner looks for due jobs (mail among them) when nothing woke it, in milliseconds.
  CARILLON_JOBS_POLL_MS: z.coerce.number().int().min(10).optional(),
  // The older name of CARILLON_JOBS_POLL_MS, from when only mail ran in the background.
  CARILLON_MAIL_POLL_MS: z.coerce.number().int().min(10).optional(),
  // How long a node holds a job it claimed without renewing the claim; a job of a node that died is taken over
  // by another after this long.
  CARILLON_JOBS_LEASE_MS: z.coerce.number().int().min(200).max(3_600_000).default(60_000),
  // DNS servers that domain verification asks, comma-separated host[:port] (IPv6 as [::1]:53); unset: the system's.
  CARILLON_DNS_SERVERS: z
    .string()
    .regex(/^\s*(\[[0-9a-fA-F:.]+\]|[^,\s:[\]]+)(:\d{1,5})?\s*(,\s*(\[[0-9a-fA-F:.]+\]|[^,\s:[\]]+)(:\d{1,5})?\s*)*$/, 'must be comma-separated host[:port] entries')
    .optional(),
  // Developers: check every API answer against its operation's output schema (the tests turn it on).
  CARILLON_CHECK_RESPONSES: z.enum(['0', '1']).default('0'),
  // Allowed clock difference for signed requests, in seconds (AWS allows 15 minutes).
  CARILLON_SIGV4_MAX_SKEW_S: z.coerce.number().int().min(1).default(900),
  // pino log level: fatal, error, warn, info, debug, trace or silent.
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  smtpFrom: string;
  publicUrl: string;
  masterKey: Buffer | undefined;
  bodyLimit: number;
  invitationTtlDays: number;
  session: { idleMinutes: number; maxHours: number };
  social: {
    lwa?: { clientId: string; clientSecret: string; authorizeUrl: string; tokenUrl: string; profileUrl: string } | undefined;
    oidc?: { issuer: string; clientId: string; clientSecret: string; name: string } | undefined;
  };
  mail: { retryBaseMs: number; maxAttempts: number };
  jobs: { pollMs: number; leaseMs: number };
  /** host[:port] entries for domain verification's DNS lookups; empty: the system's resolvers. */
  dnsServers: string[];
  checkResponses: boolean;
  sigv4MaxSkewSeconds: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
};

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws a ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  let masterKey: Buffer | undefined;
  if (e.CARILLON_MASTER_KEY) {
    masterKey = Buffer.from(e.CARILLON_MASTER_KEY, 'base64');
    if (masterKey.length !== 32) throw new ConfigError('Invalid configuration: CARILLON_MASTER_KEY: must be 32 bytes in base64');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.CARILLON_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    publicUrl: (e.CARILLON_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    masterKey,
    bodyLimit: e.CARILLON_BODY_LIMIT,
    invitationTtlDays: e.CARILLON_INVITATION_TTL_DAYS,
    session: { idleMinutes: e.CARILLON_SESSION_IDLE_MINUTES, maxHours: e.CARILLON_SESSION_MAX_HOURS },
    social: {
      lwa:
        e.CARILLON_LWA_CLIENT_ID && e.CARILLON_LWA_CLIENT_SECRET
          ? { clientId: e.CARILLON_LWA_CLIENT_ID, clientSecret: e.CARILLON_LWA_CLIENT_SECRET, authorizeUrl: e.CARILLON_LWA_AUTHORIZE_URL, tokenUrl: e.CARILLON_LWA_TOKEN_URL, profileUrl: e.CARILLON_LWA_PROFILE_URL }
          : undefined,
      oidc:
        e.CARILLON_SOCIAL_OIDC_ISSUER && e.CARILLON_SOCIAL_OIDC_CLIENT_ID && e.CARILLON_SOCIAL_OIDC_CLIENT_SECRET
          ? { issuer: e.CARILLON_SOCIAL_OIDC_ISSUER, clientId: e.CARILLON_SOCIAL_OIDC_CLIENT_ID, clientSecret: e.CARILLON_SOCIAL_OIDC_CLIENT_SECRET, name: e.CARILLON_SOCIAL_OIDC_NAME }
          : undefined,
    },
    mail: { retryBaseMs: e.CARILLON_MAIL_RETRY_BASE_MS, maxAttempts: e.CARILLON_MAIL_MAX_ATTEMPTS },
    jobs: { pollMs: e.CARILLON_JOBS_POLL_MS ?? e.CARILLON_MAIL_POLL_MS ?? 1000, leaseMs: e.CARILLON_JOBS_LEASE_MS },
    dnsServers: (e.CARILLON_DNS_SERVERS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    checkResponses: e.CARILLON_CHECK_RESPONSES === '1',
    sigv4MaxSkewSeconds: e.CARILLON_SIGV4_MAX_SKEW_S,
    logLevel: e.LOG_LEVEL,
  };
}
