// The sign-in method interface. A method proves who someone is — by credentials typed on the sign-in page
// (a password, a directory password checked by an LDAP bind) or by a round trip to an identity provider (social
// OpenID Connect, an account's own provider) — and says what it learned as an Authentication. Everything after that
// (finding or provisioning the member, licenses from groups, suspension, the session, the audit record) is
// SigninService.completeSignIn, the same for every method.
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

export type Authentication = {
  /** The method's kind, recorded with the sign-in. */
  method: string;
  /** The person is already known to Carillon by this identity (the password method looks them up itself). */
  identityId?: string | undefined;
  /** A provider's own stable id for the person, by which the identity is found on later sign-ins. */
  link?: { provider: string; subject: string } | undefined;
  email: string;
  /** Only a verified address may find, or create, an identity by email. */
  emailVerified: boolean;
  displayName?: string | undefined;
  /** An account's own identity source vouched for the person: they belong to that account, with the license
   *  their directory groups give (when the method knows the groups). */
  account?: { id: string; groups?: string[] | undefined } | undefined;
};

export type SignInAttempt = { sourceIp: string; userAgent: string | undefined };

type MethodBase<C> = {
  /** `password`, `social-oidc`, `ldap`, `account-oidc`, ... */
  kind: string;
  /** The method's configuration, stored per account (SigninMethods.configs), or installation-wide (null account). */
  configSchema: z.ZodType<C>;
  /** Fields of the configuration sealed with the master key at rest, never returned by a read. */
  secretFields: readonly string[];
};

/** A method whose proof is typed on the sign-in page after the email (a password of some kind). */
export type CredentialsMethod<C = unknown> = MethodBase<C> & {
  style: 'credentials';
  /** The label of the secret's field on the page. */
  secretLabel: string;
  authenticate(input: { email: string; secret: string; config: C; accountId: string | null } & SignInAttempt): Promise<Authentication>;
};

/** A method that sends the browser to an identity provider and back to Carillon. */
export type RedirectMethod<C = unknown> = MethodBase<C> & {
  style: 'redirect';
  /** Where to send the browser, and what the browser must carry back (in a signed, short-lived cookie). */
  begin(input: { config: C; redirectUri: string; email: string | undefined }): Promise<{ url: URL; pending: Record<string, unknown> }>;
  /** Checks the provider's answer against what was carried and says who signed in. */
  finish(input: { config: C; callbackUrl: URL; pending: Record<string, unknown>; request: FastifyRequest }): Promise<Authentication>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SigninMethod<C = any> = CredentialsMethod<C> | RedirectMethod<C>;
