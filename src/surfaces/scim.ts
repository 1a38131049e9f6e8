// SCIM 2.0 (RFC 7644) as a surface, under /scim/v2: bearer-key authentication (an account's provisioning keys),
// answers in application/scim+json, and errors in RFC 7644's shape (§3.12) with their own table of statuses and
// scimTypes. Capabilities add the resources (Users, Groups) through the ScimKit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ErrorCode } from '../platform/errors.js';
import type { RouteRegistrar, Services } from '../platform/module.js';
import type { ScimAuthenticator, ScimKit, ScimPrincipal } from '../platform/http/scim-kit.js';

export const SCIM_PREFIX = '/scim/v2';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The SCIM surface's error table: HTTP status and, where RFC 7644 defines one, the scimType. */
const scimErrors: Partial<Record<ErrorCode, { status: number; scimType?: string }>> = {
  'request.invalid': { status: 400, scimType: 'invalidValue' },
  'request.malformed_json': { status: 400, scimType: 'invalidSyntax' },
  'request.too_large': { status: 413 },
  'request.unsupported_media_type': { status: 415 },
  'route.not_found': { status: 404 },
  'route.method_not_allowed': { status: 405 },
  'auth.missing': { status: 401 },
  'auth.unknown_key': { status: 401 },
  'auth.forbidden': { status: 403 },
  'auth.other_account': { status: 404 },
  'user.not_found': { status: 404 },
  'user.email_taken': { status: 409, scimType: 'uniqueness' },
};

function sendError(reply: FastifyReply, status: number, detail: string, scimType?: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/scim+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(JSON.stringify({ schemas: [ERROR_SCHEMA], status: String(status), ...(scimType && { scimType }), detail }));
}

const principals = new WeakMap<FastifyRequest, ScimPrincipal>();

export async function scimSurface(app: FastifyInstance, o: { services: Services; authenticate: ScimAuthenticator; registrars: RouteRegistrar<ScimKit>[] }): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    if (isAppError(error)) {
      const wire = scimErrors[error.code] ?? { status: 400 };
      if (wire.status === 401) reply.header('www-authenticate', 'Bearer realm="SCIM"');
      return sendError(reply, wire.status, error.message, wire.scimType);
    }
    const e = error as Error & { statusCode?: number; code?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'The request body is too large.');
    if (e.statusCode !== undefined && e.statusCode < 500) return sendError(reply, e.statusCode, e.message);
    request.log.error({ err: e }, 'SCIM request failed');
    return sendError(reply, 500, 'The service encountered an internal error. Try again later.');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, `No SCIM endpoint ${request.method} ${request.url.split('?')[0]}.`));

  // Every SCIM request carries an account's bearer key; nothing is answered, not even discovery, without one.
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(header);
    const principal = match ? await o.authenticate(match[1]!) : undefined;
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="SCIM"');
      return sendError(reply, 401, match ? 'The bearer key is not valid, or it was revoked.' : 'Send an account provisioning key as "Authorization: Bearer KEY".');
    }
    principals.set(request, principal);
    return undefined;
  });

  const kit: ScimKit = {
    principal: (request) => principals.get(request)!,
    send: (reply, status, body) => reply.code(status).header('content-type', 'application/scim+json; charset=utf-8').header('cache-control', 'no-store').send(JSON.stringify(body)),
  };
  for (const register of o.registrars) register(app, o.services, kit);
}
