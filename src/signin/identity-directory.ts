// What the sign-in service tells the OpenID Connect provider about a person: the claims an app receives, and
// whether tokens issued earlier are still good. Suspension, removal, LogoutUser and "sign out everywhere" all
// show up here, so every token path (authorization code, access token, refresh token, introspection) asks it.
import type { AccountType, License } from '../platform/types.js';

export type IdentityClaims = {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string | undefined;
  /** The Carillon account the person belongs to, absent for an unmanaged user. */
  account_id?: string | undefined;
  account_type?: AccountType | undefined;
  /** The license in force now (a Pro trial that ran out reads Basic). */
  license: License;
};

export interface IdentityDirectory {
  /** Claims of a person who may hold tokens now; undefined when unknown, suspended, removed or blocked. */
  claimsFor(identityId: string): Promise<IdentityClaims | undefined>;
  /** False when the person was signed out everywhere, suspended or removed after `issuedAtSeconds`. */
  tokensStillValid(identityId: string, issuedAtSeconds: number): Promise<boolean>;
}

/** Reads the signed-in person from a request's session cookie (the OIDC login interaction uses it). */
export interface SessionReader {
  currentIdentityId(headers: Record<string, string | string[] | undefined>): Promise<string | undefined>;
}
