// Builds the HTTP server: request ids, the server-wide error shape (the Chime API's, for its routes, unknown paths
// and requests Node itself refuses), the request framing rules (one Host header; an oversized body read to its end
// before the 413), `/healthz`, and each surface with what the capability modules add to it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
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

/** RFC 3986's host (a reg-name, an IPv4 address or a bracketed IP literal) and an optional port. */
const HOST_VALUE = /^(?:\[[0-9A-Za-z:._~!$&'()*+,;=-]+\]|[0-9A-Za-z._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;

/**
 * RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without a Host header, and to any request with
 * more than one or with an invalid value. Node keeps only the first of two Host headers, so they are counted here,
 * in the raw headers; its own check for a missing one answers with an empty body, so it is off and this one runs
 * instead, answering in the surface's error shape.
 */
function hostProblem(raw: IncomingMessage): string | undefined {
  const headers = raw.rawHeaders;
  let count = 0;
  let value = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      count++;
      value = headers[i + 1]!;
    }
  }
  if (count > 1) return 'The request has more than one Host header.';
  if (count === 0) return raw.httpVersion === '1.0' ? undefined : 'The request has no Host header.';
  return HOST_VALUE.test(value) ? undefined : 'The Host header is not a valid host.';
}

/** How much more of a body refused as too large is read and thrown away so that the 413 reaches the client... */
const DISCARD_BYTES = 4 * 1024 * 1024;
/** ...and for how long: Node's own request timeout is off (Fastify's default), so a trickling client is cut here. */
const DISCARD_MS = 10_000;

/**
 * Reads the rest of a request body refused as too large, up to `maxBytes` more, and tells whether it got to the
 * end. Answering while the client is still sending, and then closing (Fastify asks for `Connection: close`), makes
 * the server's TCP stack reset the connection when more of the body arrives: a client that writes the whole body
 * before reading got EPIPE or ECONNRESET and never saw the error, which the reset had discarded from its receive
 * buffer. Once the body has been read to its end the answer and the close are clean.
 */
function discardBody(raw: IncomingMessage, maxBytes: number): Promise<boolean> {
  if (raw.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let read = 0;
    const finish = (whole: boolean) => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', onEnd).off('error', onStop).off('close', onStop);
      resolve(whole);
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onStop = () => finish(false);
    const timer = setTimeout(onStop, DISCARD_MS).unref();
    raw.on('data', onData).once('end', onEnd).once('error', onStop).once('close', onStop);
    raw.resume();
  });
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
    // Node's check answers a request without Host with an empty 400; hostProblem() refuses it in the JSON shape.
    http: { requireHostHeader: false },
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

  // A callback hook: an async one costs a promise and a microtask on every request. A Host refusal goes to the
  // error handler of the route's surface: JSON on the API, a page on the end-user pages.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amzn-RequestId', request.id);
    const problem = hostProblem(request.raw);
    done(problem === undefined ? undefined : new AppError('request.invalid', problem));
  });

  // Every surface's 413 waits until the rest of the body is read (bounded), so the client always receives it. A body
  // read to its end leaves the connection usable, so Fastify's `Connection: close` is dropped then.
  app.addHook('onError', (request, reply, error, done) => {
    if ((error as FastifyError).code !== 'FST_ERR_CTP_BODY_TOO_LARGE') return done();
    const declared = Number(request.headers['content-length']);
    // A declared length is refused before any of the body is read; a chunked body was read up to the limit.
    const rest = Number.isNaN(declared) ? DISCARD_BYTES : declared <= services.config.bodyLimit + DISCARD_BYTES ? declared : -1;
    if (rest < 0) return done();
    void discardBody(request.raw, rest).then((whole) => {
      if (whole) reply.removeHeader('connection');
      done();
    });
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error as Error);
    if (appError.code === 'internal') request.log.error({ err: error }, 'request failed');
    return sendError(reply, appError);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new AppError('route.not_found', `No operation at ${request.method} ${request.url.split('?')[0]}.`)));

  // Probes come every few seconds: their requests are not logged at info, only what goes wrong.
  app.get('/healthz', { logLevel: 'warn' }, async () => {
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
