// The administration console as a surface: the single-page app's files under /console (@fastify/static, compressed
// by @fastify/compress; hashed assets cached for good, every other path the app's index.html, never cached, with a
// strict content security policy) and the console's own endpoints under /console/api, added by a capability through
// the ConsoleKit. The app itself calls only the public API (the chime-api surface), with the session cookie and
// the session's CSRF token in a header.
import fs from 'node:fs';
import path from 'node:path';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.js';
import type { ConsoleKit } from '../platform/http/console-kit.js';
import type { RouteRegistrar, Services } from '../platform/module.js';

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  // The setup link's token is in the fragment, which browsers never send; be sure anyway.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/** The package root, found from this file both when bundled (dist/) and when run from source (src/surfaces/). */
function packageRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export async function consoleSurface(app: FastifyInstance, o: { services: Services; registrars: RouteRegistrar<ConsoleKit>[]; consoleDir?: string | undefined }): Promise<void> {
  const dir = o.consoleDir ?? path.join(packageRoot(import.meta.dirname), 'dist', 'console');
  await app.register(fastifyCookie, { hook: 'onRequest' });
  await app.register(fastifyCompress, { encodings: ['br', 'gzip'], threshold: 1024 });

  const kit: ConsoleKit = {
    json: (reply, status, body) => reply.code(status).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify(body)),
    body(schema, request) {
      if (!/^application\/json\b/i.test(String(request.headers['content-type'] ?? ''))) {
        throw new AppError('request.unsupported_media_type', 'Send the request body as application/json.');
      }
      let value: unknown;
      try {
        const body = request.body;
        value = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : '');
      } catch {
        throw new AppError('request.malformed_json', 'The request body is not valid JSON.');
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new AppError('request.invalid', `Field '${issue.path.join('.') || 'body'}' ${issue.message.replace(/^Invalid input: /, '')}`);
      }
      return parsed.data;
    },
    cookie: (request, name) => request.cookies[name],
  };
  for (const register of o.registrars) register(app, o.services, kit);

  app.get('/console', async (_request, reply) => reply.code(302).header('location', '/console/').send());
  app.all('/console/api/*', async (request) => {
    throw new AppError('route.not_found', `No console endpoint ${request.url.split('?')[0]}.`);
  });

  // Hashed asset files never change. A missing one gets the server's JSON 404 (never the app, whose scripts would
  // then fail to load in a confusing way).
  await app.register(fastifyStatic, {
    root: path.join(dir, 'assets'),
    prefix: '/console/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    // A build made while the server runs is picked up: files are looked up on each request, not listed at start.
    wildcard: true,
    setHeaders: (reply) => reply.header('x-content-type-options', 'nosniff'),
  });

  // Every other path is a screen of the app: index.html, read afresh each time (it is tiny) so a rebuilt console is
  // picked up without a restart.
  app.get('/console/*', async (_request, reply) => {
    const index = path.join(dir, 'index.html');
    if (!fs.existsSync(index)) {
      return reply.code(503).header('content-type', 'text/plain; charset=utf-8').send('The console is not built. Run `npm run build` (npm start does it for you).\n');
    }
    return reply.headers(securityHeaders).header('cache-control', 'no-store').header('content-type', 'text/html; charset=utf-8').send(await fs.promises.readFile(index));
  });
}
