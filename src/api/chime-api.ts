// The Chime-compatible API at the server root. Every request runs the same pipeline:
// authenticate (SigV4) → route (method + raw path + `operation=`) → validate → authorize → one service call → present.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError, type z } from 'zod';
import { accountOperations } from '../accounts/accounts-operations.js';
import { auditOperations } from '../audit/audit-operations.js';
import { installationWideOperations, roleAllows } from '../auth/policy.js';
import { SigV4Verifier } from '../auth/sigv4.js';
import { ADMIN_COOKIE, carriesCsrfToken, CSRF_HEADER } from '../admins/admins-service.js';
import { readCookie } from '../signin/signin-service.js';
import type { Principal } from '../auth/access-keys.js';
import { AppError } from '../platform/errors.js';
import { settingsOperations } from '../settings/settings-operations.js';
import { userOperations } from '../users/users-operations.js';
import type { Services } from '../app-services.js';
import type { Operation, RawInput } from './operation.js';

export const operations: Operation[] = [...accountOperations, ...userOperations, ...settingsOperations, ...auditOperations];

const NO_BODY = Buffer.alloc(0);

type Route = { op: Operation; segments: Array<{ literal: string } | { label: string }> };

/** The routes by their number of path segments, each list in declaration order. */
const routesBySegmentCount = new Map<number, Route[]>();
for (const op of operations) {
  const segments = op.path
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith('{') ? { label: s.slice(1, -1) } : { literal: s }));
  const same = routesBySegmentCount.get(segments.length) ?? [];
  same.push({ op, segments });
  routesBySegmentCount.set(segments.length, same);
}

function decodeComponent(s: string, what: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('request.invalid', `The ${what} is not valid percent-encoding.`);
  }
}

/** Splits the query string without turning '+' into a space: the clients send RFC 3986 encoding. */
function parseQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const key = decodeComponent(i === -1 ? part : part.slice(0, i), 'query string');
    const value = decodeComponent(i === -1 ? '' : part.slice(i + 1), 'query string');
    if (key in out) throw new AppError('request.invalid', `Query parameter ${key} is given more than once.`);
    out[key] = value;
  }
  return out;
}

/** Finds the operation for a request; labels are cut from the raw path before percent-decoding. */
export function matchOperation(method: string, rawPath: string, operationParam: string | undefined): { op: Operation; path: Record<string, string> } {
  const segments = rawPath.split('/').slice(1);
  let pathMatched = false;
  for (const route of routesBySegmentCount.get(segments.length) ?? []) {
    if (!route.segments.every((seg, i) => !('literal' in seg) || seg.literal === segments[i])) continue;
    pathMatched = true;
    if (route.op.method !== method || route.op.operation !== operationParam) continue;
    const labels: Record<string, string> = {};
    route.segments.forEach((seg, i) => {
      if ('label' in seg) labels[seg.label] = decodeComponent(segments[i]!, 'path');
    });
    return { op: route.op, path: labels };
  }
  if (pathMatched) {
    const what = operationParam === undefined ? `${method} ${rawPath}` : `${method} ${rawPath}?operation=${operationParam}`;
    throw new AppError('route.method_not_allowed', `No operation matches ${what}.`);
  }
  throw new AppError('route.not_found', `No operation at ${rawPath}.`);
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('request.malformed_json', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('request.malformed_json', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Turns the first schema violation into a BadRequest message naming the field. */
export function validationMessage(e: ZodError): string {
  const issue = e.issues[0]!;
  const [part, ...rest] = issue.path.map(String);
  const field = rest.join('.') || part || 'input';
  const where = part === 'query' ? 'query parameter' : part === 'path' ? 'path parameter' : 'field';
  return `1 validation error detected: ${where} '${field}' ${issue.message.replace(/^Invalid input: /, '')}`;
}

export function registerChimeApi(app: FastifyInstance, services: Services): void {
  const verifier = new SigV4Verifier({
    service: 'chime',
    maxSkewSeconds: services.config.sigv4MaxSkewSeconds,
    now: () => services.clock.now(),
    lookupKey: (id) => services.accessKeys.resolve(id),
  });

  /** The console's calls: the administrator's session cookie, and the session's CSRF token in a header that a
   *  page on another origin cannot set. A request that carries a signature is always judged by its signature. */
  async function authenticateAdmin(request: FastifyRequest, cookie: string): Promise<Principal> {
    const signedIn = await services.admins.readSession(cookie);
    if (!signedIn) throw new AppError('admin.session_required', 'Your console session has ended. Sign in again.');
    if (!carriesCsrfToken(request.headers, signedIn)) {
      throw new AppError('session.csrf', `Console calls must carry the session's ${CSRF_HEADER} header.`);
    }
    return { kind: 'admin', id: signedIn.admin.id, role: signedIn.admin.role, accountId: null };
  }

  async function authenticate(request: FastifyRequest): Promise<Principal> {
    if (request.headers.authorization === undefined && !(request.raw.url ?? '').includes('X-Amz-Signature')) {
      const cookie = readCookie(request.headers.cookie, ADMIN_COOKIE);
      if (cookie !== undefined) return authenticateAdmin(request, cookie);
      // The console's call after the browser dropped an expired cookie: a session matter, not a missing signature.
      if (request.headers[CSRF_HEADER] !== undefined) throw new AppError('admin.session_required', 'Your console session has ended. Sign in again.');
    }
    const signed = await verifier.verify({
      method: request.method,
      rawUrl: request.raw.url ?? '/',
      headers: request.headers,
      body: (request.body as Buffer | undefined) ?? NO_BODY,
    });
    return signed.key.principal;
  }

  function authorize(principal: Principal, op: Operation, input: unknown): void {
    const who = principal.kind === 'admin' ? `Administrator ${principal.id}` : `Access key ${principal.id}`;
    if (!roleAllows(principal.role, op.name)) {
      throw new AppError('auth.forbidden', `${who} (role ${principal.role}) may not call ${op.name}.`);
    }
    if (principal.accountId === null) return;
    if (installationWideOperations.has(op.name)) {
      throw new AppError('auth.other_account', `${who} is limited to one account and may not call ${op.name}.`);
    }
    if (op.account && op.account(input as never) !== principal.accountId) {
      throw new AppError('auth.other_account', `${who} may not act on that account.`);
    }
  }

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = await authenticate(request);
    const rawUrl = request.raw.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = parseQuery(q === -1 ? '' : rawUrl.slice(q + 1));
    const { operation, ...rest } = query;
    const { op, path } = matchOperation(request.method, rawPath, operation);
    const raw: RawInput = { path, query: rest, body: ['POST', 'PUT'].includes(op.method) ? parseBody((request.body as Buffer | undefined) ?? NO_BODY) : {} };
    let input: z.output<typeof op.input>;
    try {
      input = op.input.parse(raw);
    } catch (e) {
      if (e instanceof ZodError) throw new AppError('request.invalid', validationMessage(e));
      throw e;
    }
    authorize(principal, op, input);
    const result = await op.handle(
      {
        principal,
        services,
        now: services.clock.now(),
        actor: { type: principal.kind, id: principal.id, requestId: request.id, sourceIp: request.ip },
      },
      input,
    );
    request.log.info({ operation: op.name, principal: principal.id }, 'chime operation');
    if (op.status === 204) {
      await reply.code(204).send();
      return;
    }
    await reply.code(op.status).header('content-type', 'application/json').send(JSON.stringify(result ?? {}));
  }

  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
  for (const url of ['/accounts', '/accounts/*', '/settings', '/settings/*', '/deleted-accounts', '/deleted-accounts/*', '/audit-events']) {
    app.route({ method: [...methods], url, handler: handle });
  }
}
