// Builds the HTTP server: request ids, one JSON error shape on every path, and the API routes.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { registerChimeApi } from './api/chime-api.js';
import { registerSigninRoutes } from './signin/signin-routes.js';
import { registerConsoleRoutes } from './admins/console-routes.js';
import { registerOidc, type OidcDeps } from './oidc/oidc-routes.js';
import { wireErrors } from './api/wire-errors.js';
import type { Services } from './app-services.js';
import { AppError, isAppError } from './platform/errors.js';
import { lazyRequestLogger } from './platform/logger.js';

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const wire = wireErrors[error.code];
  return reply
    .code(wire.status)
    .header('x-amzn-RequestId', reply.request.id)
    .header('x-amzn-ErrorType', wire.type)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ Code: wire.code, Message: error.message }));
}

/** Translates framework and unexpected errors into the product's error type. */
function toAppError(error: FastifyError | Error): AppError {
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

/** `options.oidc` lets tests swap the OpenID Connect provider's collaborators. */
export function buildApp(services: Services, logger: FastifyBaseLogger, options: { oidc?: Partial<OidcDeps> } = {}): FastifyInstance {
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
      const body = JSON.stringify({ Code: 'BadRequest', Message: 'The request could not be parsed.' });
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
          `Content-Type: application/json\r\nx-amzn-ErrorType: BadRequestException\r\nx-amzn-RequestId: ${randomUUID()}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });

  // The raw body is needed for the SigV4 payload hash: take every body as a Buffer and parse JSON later.
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

  registerChimeApi(app, services);
  registerSigninRoutes(app, services);
  registerConsoleRoutes(app, services);
  registerOidc(app, { db: services.db, config: services.config, secretBox: services.secretBox, identities: services.signin, sessions: services.signin, log: logger, ...options.oidc });
  return app;
}
