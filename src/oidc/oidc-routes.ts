// Mounts the OpenID Connect provider (a Koa app) under /oidc in the Fastify server. Its requests are handed over
// before Fastify reads the body, so the provider parses its own forms; URLs always derive from the public URL.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/schema.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { IdentityDirectory, SessionReader } from '../signin/identity-directory.js';
import { createOidcAdapter } from './oidc-adapter.js';
import { OidcClients } from './oidc-clients.js';
import { registerInteractionRoutes } from './oidc-interactions.js';
import { OidcKeys } from './oidc-keys.js';
import { buildProvider } from './oidc-provider-setup.js';
import { ProviderHolder } from './oidc-provider-holder.js';

export type OidcDeps = {
  db: Db;
  config: Config;
  secretBox: SecretBox;
  identities: IdentityDirectory;
  sessions: SessionReader;
  log: FastifyBaseLogger;
  clock: Clock;
  /** How long a node trusts its signing key set before looking for a rotation (default 10 s; tests use 0). */
  keyRefreshMs?: number;
};

const PREFIX = '/oidc';

export function registerOidc(app: FastifyInstance, deps: OidcDeps): void {
  const publicUrl = new URL(deps.config.publicUrl);
  const basePath = publicUrl.pathname.replace(/\/+$/, '');
  const clients = new OidcClients({ db: deps.db, secretBox: deps.secretBox, now: () => deps.clock.now() });
  const keys = new OidcKeys({ db: deps.db, secretBox: deps.secretBox, now: () => deps.clock.now() });
  const adapter = createOidcAdapter({ db: deps.db, secretBox: deps.secretBox, identities: deps.identities, clients });
  const holder = new ProviderHolder({
    keys,
    refreshMs: deps.keyRefreshMs ?? 10_000,
    log: deps.log,
    clock: deps.clock,
    build: (published) => {
      const provider = buildProvider({
        issuer: `${deps.config.publicUrl}${PREFIX}`,
        interactionPath: `${basePath}${PREFIX}/interaction`,
        keys: published,
        adapter,
        identities: deps.identities,
        sessions: deps.sessions,
        log: deps.log,
      });
      // Koa then reads the X-Forwarded-* headers, which forwardToProvider always sets from the public URL.
      provider.proxy = true;
      return provider;
    },
  });

  // The provider believes it is served at the public URL whatever Host the request names: the issuer and every
  // endpoint in discovery stay right behind a proxy, and a forged Host header cannot change them.
  const forwardToProvider = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const req = request.raw;
    const rest = req.url!.slice(PREFIX.length);
    Object.assign(req, { originalUrl: `${basePath}${PREFIX}${rest}` });
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    req.headers['x-forwarded-host'] = publicUrl.host;
    req.headers['x-forwarded-for'] = request.ip;
    try {
      const { handle } = await holder.get();
      await handle(req, reply.raw);
    } catch (err) {
      request.log.error({ err }, 'OpenID Connect request failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      if (!reply.raw.writableEnded) reply.raw.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'The sign-in service is unavailable. Try again later.' }));
    }
  };
  app.all(`${PREFIX}/*`, { onRequest: forwardToProvider }, async () => undefined);

  registerInteractionRoutes(app, { holder, identities: deps.identities, sessions: deps.sessions, basePath });

  // The first signing key is made at start, not by the first person signing in.
  app.addHook('onReady', async () => {
    await holder.get();
  });
}
