// Carillon as an OpenID Connect provider for the communication apps: the provider under /oidc, its pages, the
// purge of expired artifacts every ten minutes (once across all nodes), and `carillon apps|oidc ...`.
import { z } from 'zod';
import { commandsFrom } from '../cli/flags.js';
import { defineJobHandler, defineJobKind } from '../platform/jobs/job-kind.js';
import { defineModule, type CapabilityModule } from '../platform/module.js';
import { purgeExpiredOidcPayloads } from './oidc-adapter.js';
import { oidcCommands } from './oidc-commands.js';
import { registerOidc, type OidcDeps } from './oidc-routes.js';

export const purgeOidcArtifacts = defineJobKind('oidc.purge-expired', z.object({}));

/** `overrides` lets tests swap the provider's collaborators (a stand-in identity directory, another public URL). */
export function createOidcModule(overrides: Partial<OidcDeps> = {}): CapabilityModule {
  return defineModule({
    name: 'oidc',
    routes: (app, s) =>
      registerOidc(app, { db: s.db, config: s.config, secretBox: s.secretBox, identities: s.signin, sessions: s.signin, log: s.log, clock: s.clock, ...overrides }),
    jobs: (s) => [
      defineJobHandler({
        kind: purgeOidcArtifacts,
        async run() {
          await purgeExpiredOidcPayloads(s.db, s.clock.now());
        },
      }),
    ],
    schedules: () => [{ name: 'oidc.purge-expired', kind: purgeOidcArtifacts, payload: {}, cadence: { everyMs: 10 * 60_000 }, runs: 'cluster' }],
    cli: commandsFrom(oidcCommands, {
      'apps create': 'apps create --name NAME --redirect-uri URI [--redirect-uri URI ...]   (prints client_id and client_secret, once)',
      'apps list': 'apps list [--json]',
      'apps revoke': 'apps revoke CLIENT_ID',
      'oidc rotate-keys': 'oidc rotate-keys',
    }),
  });
}

export const oidcModule = createOidcModule();
