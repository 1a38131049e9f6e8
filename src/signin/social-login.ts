// Social sign-in through OAuth 2.0 / OpenID Connect providers, behind one interface: a Login with Amazon preset
// (OAuth 2.0 with a profile endpoint) and a generic OpenID Connect provider (discovery and ID token).
// Every flow uses state, PKCE (S256) and, for OpenID Connect, a nonce.
import * as oidc from 'openid-client';
import { AppError } from '../platform/errors.js';

export type SocialProfile = { subject: string; email: string; emailVerified: boolean; name: string | undefined };

/** What the browser carries (in a signed cookie) between leaving for the provider and coming back. */
export type PendingLogin = { provider: string; state: string; verifier: string; nonce: string | undefined; returnTo: string };

export interface SocialProvider {
  readonly id: string;
  readonly label: string;
  /** Where to send the browser, and what to remember until it returns. */
  begin(redirectUri: string, returnTo: string): Promise<{ url: URL; pending: PendingLogin }>;
  /** Checks the callback against what was remembered and returns who signed in. */
  finish(callbackUrl: URL, pending: PendingLogin): Promise<SocialProfile>;
}

export type LwaSettings = { clientId: string; clientSecret: string; authorizeUrl: string; tokenUrl: string; profileUrl: string };
export type OidcSettings = { issuer: string; clientId: string; clientSecret: string; name: string };

/** Plain http endpoints are allowed only on loopback (tests and local development). */
function allowLoopbackHttp(url: string): oidc.DiscoveryRequestOptions['execute'] {
  const u = new URL(url);
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) ? [oidc.allowInsecureRequests] : [];
}

/** A provider's error answer, once the state proves the answer belongs to this browser's attempt. */
function callbackError(url: URL, pending: PendingLogin): void {
  if (url.searchParams.get('state') !== pending.state) throw new AppError('signin.social_failed', 'This sign-in answer does not belong to your sign-in attempt. Start again.');
  const error = url.searchParams.get('error');
  if (error) {
    throw new AppError('signin.social_cancelled', error === 'access_denied' ? 'Sign-in was cancelled at the provider. Nothing was changed.' : `The provider refused the sign-in (${error.slice(0, 60)}).`);
  }
}

async function pkce() {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, challenge: await oidc.calculatePKCECodeChallenge(verifier) };
}

export class LoginWithAmazon implements SocialProvider {
  readonly id = 'amazon';
  readonly label = 'Login with Amazon';
  private readonly config: oidc.Configuration;

  constructor(private readonly settings: LwaSettings) {
    this.config = new oidc.Configuration(
      { issuer: new URL(settings.authorizeUrl).origin, authorization_endpoint: settings.authorizeUrl, token_endpoint: settings.tokenUrl },
      settings.clientId,
      settings.clientSecret,
    );
    for (const step of allowLoopbackHttp(settings.tokenUrl) ?? []) step(this.config);
  }

  async begin(redirectUri: string, returnTo: string) {
    const { verifier, challenge } = await pkce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(this.config, { redirect_uri: redirectUri, scope: 'profile', response_type: 'code', state, code_challenge: challenge, code_challenge_method: 'S256' });
    return { url, pending: { provider: this.id, state, verifier, nonce: undefined, returnTo } };
  }

  async finish(callbackUrl: URL, pending: PendingLogin): Promise<SocialProfile> {
    callbackError(callbackUrl, pending);
    const tokens = await oidc.authorizationCodeGrant(this.config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state });
    const res = await oidc.fetchProtectedResource(this.config, tokens.access_token, new URL(this.settings.profileUrl), 'GET');
    if (!res.ok) throw new AppError('signin.social_failed', `The provider's profile endpoint answered ${res.status}.`);
    const profile = (await res.json()) as { user_id?: string; sub?: string; email?: string; name?: string };
    const subject = profile.user_id ?? profile.sub;
    if (!subject || !profile.email) throw new AppError('signin.social_failed', 'The provider did not share an identifier and an email address.');
    // Amazon verifies the addresses of its accounts before sharing them.
    return { subject, email: profile.email, emailVerified: true, name: profile.name };
  }
}

export class OpenIdConnectLogin implements SocialProvider {
  readonly id = 'oidc';
  private config: Promise<oidc.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  get label() {
    return this.settings.name;
  }

  private configuration(): Promise<oidc.Configuration> {
    this.config ??= oidc
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, { execute: allowLoopbackHttp(this.settings.issuer) })
      .catch((e: unknown) => {
        this.config = undefined; // try discovery again next time
        throw e;
      });
    return this.config;
  }

  async begin(redirectUri: string, returnTo: string) {
    const config = await this.configuration();
    const { verifier, challenge } = await pkce();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid email profile', state, nonce, code_challenge: challenge, code_challenge_method: 'S256' });
    return { url, pending: { provider: this.id, state, verifier, nonce, returnTo } };
  }

  async finish(callbackUrl: URL, pending: PendingLogin): Promise<SocialProfile> {
    callbackError(callbackUrl, pending);
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let verified = claims.email_verified === true;
    let name = typeof claims.name === 'string' ? claims.name : undefined;
    if (!email) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = info.email;
      verified = info.email_verified === true;
      name ??= info.name;
    }
    if (!email) throw new AppError('signin.social_failed', 'The provider did not share an email address.');
    return { subject: claims.sub, email, emailVerified: verified, name };
  }
}
