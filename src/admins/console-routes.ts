// The administration console over HTTP: its session endpoints under /console/api (sign in, sign out, setup
// links) and the single-page app's files under /console. The app itself calls only the public API, with the
// session cookie and the session's CSRF token in a header (see authenticateAdmin in src/api/chime-api.ts).
import fs from 'node:fs';
import path from 'node:path';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../app-services.js';
import { operations } from '../api/chime-api.js';
import { roleAllows } from '../auth/policy.js';
import { AppError } from '../platform/errors.js';
import { readCookie } from '../signin/signin-service.js';
import { ADMIN_COOKIE, carriesCsrfToken, CSRF_HEADER, type SignedInAdmin } from './admins-service.js';

const signInBody = z.object({ Email: z.string().max(254), Password: z.string().max(1024) });
const inspectBody = z.object({ Token: z.string().max(100) });
const setupBody = z.object({ Token: z.string().max(100), Email: z.string().max(254).default(''), Name: z.string().max(200), Password: z.string().max(1024) });

/** Reads a JSON body. Only application/json is taken: an HTML form on another site cannot send that type
 *  without the browser asking this server first, so no other site can sign a browser in (login CSRF). */
function parseJson<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
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
}

/** The session as the console sees it, with the API operations the role may call (from the one policy table the
 *  API enforces), so the console hides what the server would refuse and never keeps a copy of the rules. */
const present = ({ admin, session }: SignedInAdmin) => ({
  Administrator: { AdministratorId: admin.id, Email: admin.email, Name: admin.name, Role: admin.role },
  CsrfToken: session.csrfToken,
  AllowedOperations: operations.map((op) => op.name).filter((name) => roleAllows(admin.role, name)),
});

/** The package root, found from this file both when bundled (dist/) and when run from source (src/admins/). */
function packageRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

type StaticFile = { body: Buffer; gzip: Buffer | undefined; type: string };
const gzipAsync = promisify(gzip);

/** Serves the built app from memory. Files are read (and compressed) on first request, so start-up stays fast;
 *  compression runs on libuv's thread pool, so the first visit does not hold up API calls (the bundle takes tens of
 *  milliseconds to compress). */
class ConsoleFiles {
  private readonly cache = new Map<string, Promise<StaticFile | null>>();

  constructor(readonly dir: string) {}

  get built(): boolean {
    return fs.existsSync(path.join(this.dir, 'index.html'));
  }

  async get(relative: string): Promise<StaticFile | undefined> {
    // index.html is read afresh each time (it is tiny), so a rebuilt console is picked up without a restart.
    if (relative === 'index.html') return (await this.load(relative)) ?? undefined;
    let file = this.cache.get(relative);
    if (file === undefined) {
      file = this.load(relative);
      this.cache.set(relative, file);
    }
    const loaded = await file.catch(() => null);
    // Only files that exist stay cached: a path that is not a file (anyone can ask for any) or a failed read is
    // forgotten, so the cache cannot be grown by requests for made-up names.
    if (loaded === null) this.cache.delete(relative);
    return loaded ?? undefined;
  }

  private async load(relative: string): Promise<StaticFile | null> {
    const full = path.resolve(this.dir, relative);
    if (!full.startsWith(this.dir + path.sep) || !fs.existsSync(full) || !fs.statSync(full).isFile()) return null;
    const body = await fs.promises.readFile(full);
    const type = contentTypes[path.extname(full)] ?? 'application/octet-stream';
    const compressible = /^(text|application\/json|image\/svg)/.test(type) && body.length > 1024;
    return { body, type, gzip: compressible ? await gzipAsync(body) : undefined };
  }
}

export function registerConsoleRoutes(app: FastifyInstance, services: Services, options: { consoleDir?: string } = {}): void {
  const secure = services.config.publicUrl.startsWith('https://');
  const files = new ConsoleFiles(options.consoleDir ?? path.join(packageRoot(import.meta.dirname), 'dist', 'console'));
  const maxAge = services.config.session.maxHours * 3600;
  // SameSite=Strict: no other site can make the browser send it; the CSRF header is the second lock.
  const sessionCookie = (value: string, age: number) =>
    `${ADMIN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${age}${secure ? '; Secure' : ''}`;

  const json = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify(body));

  const signedIn = (request: FastifyRequest) => services.admins.readSession(readCookie(request.headers.cookie, ADMIN_COOKIE));

  app.get('/console/api/session', async (request, reply) => {
    const current = await signedIn(request);
    if (!current) throw new AppError('admin.session_required', 'Not signed in to the console.');
    return json(reply, 200, present(current));
  });

  app.post('/console/api/session', async (request, reply) => {
    const body = parseJson(signInBody, request);
    const { cookie, signedIn: session } = await services.admins.signIn({ email: body.Email, password: body.Password, sourceIp: request.ip });
    reply.header('set-cookie', sessionCookie(cookie, maxAge));
    return json(reply, 200, present(session));
  });

  app.delete('/console/api/session', async (request, reply) => {
    const current = await signedIn(request);
    if (current) {
      if (!carriesCsrfToken(request.headers, current)) {
        throw new AppError('session.csrf', `Signing out needs the session's ${CSRF_HEADER} header.`);
      }
      await services.admins.signOut(current);
    }
    return reply.code(204).header('set-cookie', sessionCookie('', 0)).send();
  });

  app.post('/console/api/setup/inspect', async (request, reply) => {
    const { Token } = parseJson(inspectBody, request);
    const promised = await services.admins.inspectSetup(Token);
    return json(reply, 200, { Email: promised.email, Role: promised.role });
  });

  app.post('/console/api/setup', async (request, reply) => {
    const body = parseJson(setupBody, request);
    const { cookie, signedIn: session } = await services.admins.completeSetup({ token: body.Token, email: body.Email, name: body.Name, password: body.Password, sourceIp: request.ip });
    reply.header('set-cookie', sessionCookie(cookie, maxAge));
    return json(reply, 200, present(session));
  });

  app.get('/console', async (_request, reply) => reply.code(302).header('location', '/console/').send());

  // Hashed asset files never change; every other path is a screen of the app and gets index.html.
  app.get('/console/*', async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    if (relative.startsWith('api/')) throw new AppError('route.not_found', `No console endpoint ${request.url.split('?')[0]}.`);
    if (!files.built) {
      return reply.code(503).header('content-type', 'text/plain; charset=utf-8').send('The console is not built. Run `npm run build` (npm start does it for you).\n');
    }
    const asset = relative.startsWith('assets/') ? await files.get(relative) : undefined;
    if (relative.startsWith('assets/') && !asset) throw new AppError('route.not_found', `No console file ${relative}.`);
    const file = asset ?? (await files.get('index.html'))!;
    reply
      .header('content-type', file.type)
      .header('cache-control', asset ? 'public, max-age=31536000, immutable' : 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer') // the setup link's token is in the fragment, but be sure
      .header('x-frame-options', 'DENY')
      .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
      .header('vary', 'accept-encoding');
    const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (file.gzip && acceptsGzip) return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.body);
  });
}
