// Builds the oidc-provider instance: authorization code + PKCE (S256) only, rotating refresh tokens, discovery,
// introspection and revocation, Carillon's claims, automatic grants for the first-party apps, and the check that
// keeps the provider's browser session in step with the Carillon sign-in.
import { hkdfSync } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import Provider, { interactionPolicy, type Account, type AdapterConstructor, type Configuration, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import type { IdentityClaims, IdentityDirectory, SessionReader } from '../signin/identity-directory.js';
import { authoritySince, currentClaims } from './oidc-identity-check.js';
import type { SigningKey } from './oidc-keys.js';
import { renderOidcErrorPage } from './oidc-pages.js';
import { pageHeaders } from '../platform/http/html.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A refresh token chain ends this long after the sign-in it started from; then the app signs the person in again. */
const MAX_REFRESH_CHAIN_S = 180 * DAY;

export type ProviderSetup = {
  /** `${publicUrl}/oidc` */
  issuer: string;
  /** Path (from the public URL's root) of the interaction page, without the uid. */
  interactionPath: string;
  /** Published signing keys, current key first. */
  keys: SigningKey[];
  adapter: AdapterConstructor;
  identities: IdentityDirectory;
  sessions: SessionReader;
  log: FastifyBaseLogger;
};

/** The claims each scope releases; the values come from IdentityDirectory.claimsFor(). */
export const scopeClaims = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  carillon: ['account_id', 'account_type', 'license'],
} as const;

/**
 * Cookie signing keys, derived from the published signing keys (newest first) so that every node agrees on them
 * without another secret to distribute, and a rotation keeps cookies signed with the previous key readable.
 */
function cookieKeys(keys: SigningKey[]): string[] {
  return keys.map((k) => Buffer.from(hkdfSync('sha256', String(k.jwk.d), 'carillon-oidc', 'cookie signing key', 32)).toString('base64url'));
}

function toAccount(claims: IdentityClaims): Account {
  const released = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)) as IdentityClaims;
  return { accountId: claims.sub, claims: () => released };
}

function findAccountWith(identities: IdentityDirectory): FindAccount {
  return async (ctx, sub, token) => {
    let since: number | undefined;
    if (token) since = authoritySince(token as { iat?: number; authTime?: number });
    else if (ctx.oidc?.session?.accountId === sub) since = authoritySince({ loginTs: ctx.oidc.session.loginTs });
    const claims = since === undefined ? await identities.claimsFor(sub) : await currentClaims(identities, sub, since);
    return claims && claims.sub === sub ? toAccount(claims) : undefined;
  };
}

/** First-party apps: the grant covers whatever OpenID scopes the app asks for, with no consent page. */
async function grantRequestedScopes(ctx: KoaContextWithOIDC) {
  const { client, session } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== session.accountId || grant.clientId !== client.clientId)) grant = undefined;
  grant ??= new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
  const requested = (ctx.oidc as unknown as { requestParamOIDCScopes: Set<string> }).requestParamOIDCScopes;
  if (requested.size > 0) grant.addOIDCScope([...requested].join(' '));
  await grant.save();
  return grant;
}

/** The login prompt also fires when the Carillon sign-in is absent or belongs to someone else. */
function followCarillonSignIn(sessions: SessionReader) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('carillon_signin_changed', 'the Carillon sign-in does not match the provider session', 'login_required', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // `no_session` asks already
      const current = await sessions.currentIdentityId(ctx.req.headers);
      return current === accountId ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

export function buildProvider(setup: ProviderSetup): Provider {
  const configuration: Configuration = {
    adapter: setup.adapter,
    clients: [],
    jwks: { keys: setup.keys.map((k) => k.jwk) as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: cookieKeys(setup.keys),
      names: { session: 'carillon_oidc_session', interaction: 'carillon_oidc_interaction', resume: 'carillon_oidc_resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'offline_access', ...Object.keys(scopeClaims).filter((s) => s !== 'openid')],
    claims: { acr: null, auth_time: null, iss: null, sid: null, ...Object.fromEntries(Object.entries(scopeClaims).map(([scope, names]) => [scope, [...names]])) },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      registration: { enabled: false },
      claimsParameter: { enabled: false },
    },
    findAccount: findAccountWith(setup.identities),
    loadExistingGrant: grantRequestedScopes,
    // Apps keep people signed in with refresh tokens; each use replaces the token (a stolen one is detected).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: (ctx) => (ctx.oidc.entities.RefreshToken?.totalLifetime() ?? 0) < MAX_REFRESH_CHAIN_S,
    // Tokens outlive the browser session; revocation follows the identity directory instead.
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: HOUR,
      AuthorizationCode: MINUTE,
      IdToken: HOUR,
      RefreshToken: 30 * DAY,
      Interaction: HOUR,
      Session: 14 * DAY,
      Grant: MAX_REFRESH_CHAIN_S + 30 * DAY,
    },
    interactions: {
      url: (_ctx, interaction) => `${setup.interactionPath}/${interaction.uid}`,
      policy: followCarillonSignIn(setup.sessions),
    },
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.set({ ...pageHeaders });
      ctx.body = renderOidcErrorPage(out.error, out.error_description);
    },
  };
  const provider = new Provider(setup.issuer, configuration);
  provider.on('server_error', (_ctx: unknown, err: Error) => setup.log.error({ err }, 'OpenID Connect provider error'));
  return provider;
}
