// The one rule behind token revocation: an artifact is good only while its person may hold tokens and has not
// been signed out, suspended or removed since the artifact's authority began.
import type { IdentityClaims, IdentityDirectory } from '../signin/identity-directory.js';

/** oidc-provider models whose stored payload speaks for a person and must die with that person's tokens. */
export const identityBoundModels: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'Session',
]);

type TimedPayload = { iat?: number | undefined; authTime?: number | undefined; loginTs?: number | undefined };

/**
 * When an artifact's authority began, in epoch seconds: the earliest of its issue time and the sign-in it
 * derives from. A refresh token rotated yesterday still rests on a sign-in from last week, and a code minted now
 * from a browser session opened before a "sign out everywhere" rests on that old session.
 */
export function authoritySince(payload: TimedPayload): number {
  const times = [payload.iat, payload.authTime, payload.loginTs].filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  return times.length > 0 ? Math.min(...times) : 0;
}

/** The person's claims when tokens issued at `sinceSeconds` still speak for them; undefined otherwise. */
export async function currentClaims(identities: IdentityDirectory, identityId: string, sinceSeconds: number): Promise<IdentityClaims | undefined> {
  const [claims, valid] = await Promise.all([identities.claimsFor(identityId), identities.tokensStillValid(identityId, sinceSeconds)]);
  return valid && claims ? claims : undefined;
}
