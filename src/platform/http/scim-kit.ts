// What the SCIM surface (src/surfaces/scim.ts) gives a capability that serves SCIM 2.0 resources (RFC 7644), and
// what it asks of the capability that issues the bearer keys.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Who calls SCIM: an account's provisioning key (an identity provider such as Okta or Entra). */
export type ScimPrincipal = { kind: 'scim_key'; id: string; accountId: string };

/** Finds the principal behind a bearer token, or undefined when the token is unknown or revoked. */
export type ScimAuthenticator = (token: string) => Promise<ScimPrincipal | undefined>;

export interface ScimKit {
  /** The principal the surface authenticated for this request. */
  principal(request: FastifyRequest): ScimPrincipal;
  /** A SCIM resource answer (application/scim+json). */
  send(reply: FastifyReply, status: number, body: unknown): FastifyReply;
}
