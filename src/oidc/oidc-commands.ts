// `carillon apps ...` and `carillon oidc rotate-keys`: registering the communication apps and rotating the ID
// token signing keys, from the shell, with the server running or not.
import { cliActor, noArgs, table, UsageError } from '../cli/flags.js';
import type { CliCommand } from '../platform/module.js';
import { OidcClients } from './oidc-clients.js';
import { OidcKeys } from './oidc-keys.js';

export const oidcCommands: Record<string, CliCommand['run']> = {
  'apps create': async (s, args, flags, io) => {
    noArgs(args);
    const name = flags.name;
    if (typeof name !== 'string' || name.trim() === '') throw new UsageError('--name NAME is required');
    const uris = flags['redirect-uri'];
    const redirectUris = Array.isArray(uris) ? uris : typeof uris === 'string' ? [uris] : [];
    if (redirectUris.length === 0) throw new UsageError('at least one --redirect-uri URI is required');
    const app = await new OidcClients({ db: s.db, secretBox: s.secretBox, now: () => s.clock.now() }).createApp(cliActor(), { name, redirectUris });
    io.out(
      JSON.stringify(
        { client_id: app.clientId, client_secret: app.clientSecret, name: app.name, redirect_uris: app.redirectUris, issuer: `${s.config.publicUrl}/oidc`, created_at: app.createdAt },
        null,
        2,
      ),
    );
  },

  'apps list': async (s, args, flags, io) => {
    noArgs(args);
    const apps = await new OidcClients({ db: s.db, secretBox: s.secretBox, now: () => s.clock.now() }).listApps();
    if (flags.json) {
      io.out(JSON.stringify(apps.map((a) => ({ client_id: a.clientId, name: a.name, redirect_uris: a.redirectUris, created_at: a.createdAt, revoked_at: a.revokedAt })), null, 2));
      return;
    }
    io.out(table([['CLIENT ID', 'NAME', 'REDIRECT URIS', 'CREATED', 'REVOKED'], ...apps.map((a) => [a.clientId, a.name, a.redirectUris.join(' '), a.createdAt, a.revokedAt ?? ''])]));
  },

  'apps revoke': async (s, args, _flags, io) => {
    if (args.length !== 1) throw new UsageError('expected exactly one client id');
    await new OidcClients({ db: s.db, secretBox: s.secretBox, now: () => s.clock.now() }).revokeApp(cliActor(), args[0]!);
    io.out(`Revoked ${args[0]}: it can no longer sign people in or use its tokens.`);
  },

  'oidc rotate-keys': async (s, args, _flags, io) => {
    noArgs(args);
    const rotation = await new OidcKeys({ db: s.db, secretBox: s.secretBox, now: () => s.clock.now() }).rotate(cliActor());
    io.out(`Signing key ${rotation.current} is now current.`);
    if (rotation.previous) io.out(`Key ${rotation.previous} stays published, so ID tokens it signed still verify, until the next rotation.`);
    if (rotation.retired.length > 0) io.out(`Retired: ${rotation.retired.join(', ')}.`);
    io.out('Running servers switch to the new key within 10 seconds.');
  },
};
