// Builds the HTTP server: request ids, the server-wide error shape (the Chime API's, for its routes, unknown paths
// and requests Node itself refuses), `/healthz`, and each surface with what the capability modules add to it.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { ComposedServices } from './app-services.js';
import { AppError, isAppError } from './platform/errors.js';
import { lazyRequestLogger } from './platform/logger.js';
import type { ScimAuthenticator } from './platform/http/scim-kit.js';
import type { CapabilityModule } from './platform/module.js';
import { chimeErrors } from './platform/wire/chime-errors.js';
import { registerChimeApi } from './surfaces/chime-api.js';
import { consoleSurface } from './surfaces/console.js';
import { pagesSurface } from './surfaces/pages.js';
import { SCIM_PREFIX, scimSurface } from './surfaces/scim.js';
import { ADMIN_COOKIE, CSRF_HEADER } from './admins/admins-service.js';

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const wire = chimeErrors[error.code];
  return (
    reply
      .code(wire.status)
      .header('x-amzn-RequestId', reply.request.id)
      .header('x-amzn-ErrorType', wire.type)
      .header('content-type', 'application/json')
      // `Reason` is Carillon's own code: the SDK and CLI ignore fields they do not know, the console explains it.
      .send(JSON.stringify({ Code: wire.code, Message: error.message, Reason: error.code }))
  );
}

/** Translates framework and unexpected errors into the product's error type. */
export function toAppError(error: FastifyError | Error): AppError {
  if (isAppError(error)) return error;
  const code = (error as FastifyError).code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('request.too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('request.invalid', error.message);
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new AppError('request.invalid', 'The request URL is not valid.');
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new AppError('request.invalid', error.message);
  return new AppError('internal', 'The service encountered an internal error. Try again later.');
}

/** Nobody holds a SCIM key until a capability issues them. */
const noScimKeys: ScimAuthenticator = async () => undefined;

/** `options.modules` serves another set of modules' routes over the same services (tests swap one module). */
export async function buildApp(services: ComposedServices, logger: FastifyBaseLogger, options: { consoleDir?: string; modules?: readonly CapabilityModule[] } = {}): Promise<FastifyInstance> {
  const modules = options.modules ?? services.modules;
  const app = Fastify({
    loggerInstance: logger,
    childLoggerFactory: (parent, bindings, options) => lazyRequestLogger(parent as never, bindings, options),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: services.config.bodyLimit,
    // Path labels may be long; the API validates their length itself and answers in JSON.
    routerOptions: { maxParamLength: 4096 },
    trustProxy: false,
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, toAppError(error));
    },
    // Requests Node's HTTP parser refuses (raw non-ASCII bytes in the target, oversized headers) never reach a
    // route: answer them on the socket in the same Chime error shape.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return;
      const status = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify({ Code: 'BadRequest', Message: 'The request could not be parsed.', Reason: 'request.invalid' });
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
          `Content-Type: application/json\r\nx-amzn-ErrorType: BadRequestException\r\nx-amzn-RequestId: ${randomUUID()}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });

  // The raw body is needed for the SigV4 payload hash: take every body as a Buffer and parse it later (the pages
  // surface adds a form parser of its own).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // A callback hook: an async one costs a promise and a microtask on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amzn-RequestId', request.id);
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error as Error);
    if (appError.code === 'internal') request.log.error({ err: error }, 'request failed');
    return sendError(reply, appError);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new AppError('route.not_found', `No operation at ${request.method} ${request.url.split('?')[0]}.`)));

  app.get('/healthz', async () => {
    await services.db.selectFrom('settings').select('key').limit(1).execute();
    return { status: 'ok', database: services.engine };
  });

  registerChimeApi(app, {
    services,
    operations: services.operations,
    lookupKey: (id) => services.accessKeys.resolve(id),
    console: {
      cookie: ADMIN_COOKIE,
      csrfHeader: CSRF_HEADER,
      authenticate: (cookie, csrf) => services.admins.authenticateConsoleCall(cookie, csrf),
    },
  });
  await app.register(pagesSurface, { services, registrars: modules.flatMap((m) => (m.pages ? [m.pages] : [])) });
  await app.register(consoleSurface, { services, consoleDir: options.consoleDir, registrars: modules.flatMap((m) => (m.console ? [m.console] : [])) });
  const scimKeys = modules.find((m) => m.scimAuthenticator)?.scimAuthenticator?.(services) ?? noScimKeys;
  await app.register(scimSurface, { prefix: SCIM_PREFIX, services, authenticate: scimKeys, registrars: modules.flatMap((m) => (m.scim ? [m.scim] : [])) });
  for (const m of modules) m.routes?.(app, services);
  return app;
}
