// The Chime-compatible API at the server root, for SigV4 clients (the AWS SDK and CLI) and the console (its session
// cookie plus the session's CSRF token in a header). Every request runs the same pipeline:
// authenticate → route (method + raw path + `operation=`) → validate → authorize → one service call → present.
// The routes, the policy and the account scoping all come from the operations' declarations.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseCookie } from 'cookie';
import { ZodError, type z } from 'zod';
import type { Services } from '../platform/module.js';
import type { AnyOperation, Principal, RawInput } from '../platform/operation.js';
import { roleAllows } from '../platform/roles.js';
import { SigV4Verifier } from '../platform/sigv4.js';
import { AppError } from '../platform/errors.js';

const NO_BODY = Buffer.alloc(0);

export type ResolvedKey = { secret: string; principal: Principal } | undefined;

export type ChimeApiOptions = {
  services: Services;
  operations: readonly AnyOperation[];
  /** The secret and principal of an active access key. */
  lookupKey: (accessKeyId: string) => ResolvedKey | Promise<ResolvedKey>;
  /** The console's calls: the session behind its cookie, checked with the CSRF header's value. */
  console: { cookie: string; csrfHeader: string; authenticate: (cookie: string, csrfToken: string | undefined) => Promise<Principal> };
};

type Route = { op: AnyOperation; segments: Array<{ literal: string } | { label: string }> };

/** The operations' routes by their number of path segments, each list in declaration order. */
export function routeTable(operations: readonly AnyOperation[]): Map<number, Route[]> {
  const table = new Map<number, Route[]>();
  for (const op of operations) {
    const segments = op.path
      .split('/')
      .slice(1)
      .map((s) => (s.startsWith('{') ? { label: s.slice(1, -1) } : { literal: s }));
    const same = table.get(segments.length) ?? [];
    same.push({ op, segments });
    table.set(segments.length, same);
  }
  return table;
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
export function matchOperation(routes: Map<number, Route[]>, method: string, rawPath: string, operationParam: string | undefined): { op: AnyOperation; path: Record<string, string> } {
  const segments = rawPath.split('/').slice(1);
  let pathMatched = false;
  for (const route of routes.get(segments.length) ?? []) {
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

/** May this principal call this operation with this input? Throws the reason when not. */
export function authorize(principal: Principal, op: AnyOperation, input: unknown): void {
  const who = principal.kind === 'admin' ? `Administrator ${principal.id}` : `Access key ${principal.id}`;
  if (!roleAllows(principal.role, op.permission)) {
    throw new AppError('auth.forbidden', `${who} (role ${principal.role}) may not call ${op.name}.`);
  }
  if (principal.accountId === null) return;
  if (op.scope === 'installation') throw new AppError('auth.other_account', `${who} is limited to one account and may not call ${op.name}.`);
  if (op.scope === 'account' && op.account(input) !== principal.accountId) throw new AppError('auth.other_account', `${who} may not act on that account.`);
}

export function registerChimeApi(app: FastifyInstance, o: ChimeApiOptions): void {
  const { services } = o;
  const routes = routeTable(o.operations);
  const verifier = new SigV4Verifier({
    service: 'chime',
    maxSkewSeconds: services.config.sigv4MaxSkewSeconds,
    now: () => services.clock.now(),
    lookupKey: o.lookupKey,
  });

  async function authenticate(request: FastifyRequest): Promise<Principal> {
    // A request that carries a signature is always judged by its signature.
    if (request.headers.authorization === undefined && !(request.raw.url ?? '').includes('X-Amz-Signature')) {
      const cookie = request.headers.cookie === undefined ? undefined : parseCookie(request.headers.cookie)[o.console.cookie];
      const csrf = request.headers[o.console.csrfHeader];
      if (cookie !== undefined) return o.console.authenticate(cookie, typeof csrf === 'string' ? csrf : undefined);
      // The console's call after the browser dropped an expired cookie: a session matter, not a missing signature.
      if (csrf !== undefined) throw new AppError('admin.session_required', 'Your console session has ended. Sign in again.');
    }
    const signed = await verifier.verify({
      method: request.method,
      rawUrl: request.raw.url ?? '/',
      headers: request.headers,
      body: (request.body as Buffer | undefined) ?? NO_BODY,
    });
    return signed.key.principal;
  }

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = await authenticate(request);
    const rawUrl = request.raw.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = parseQuery(q === -1 ? '' : rawUrl.slice(q + 1));
    const { operation, ...rest } = query;
    const { op, path } = matchOperation(routes, request.method, rawPath, operation);
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
    // In development and tests every answer is checked against the operation's declared output.
    if (services.config.checkResponses) op.output.parse(result);
    await reply.code(op.status).header('content-type', 'application/json').send(JSON.stringify(result ?? {}));
  }

  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
  const prefixes = new Set(o.operations.map((op) => op.path.split('/')[1]!));
  for (const prefix of prefixes) {
    for (const url of [`/${prefix}`, `/${prefix}/*`]) app.route({ method: [...methods], url, handler: handle });
  }
}
