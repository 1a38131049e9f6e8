// The end-user pages as a surface: HTML answers (errors too), forms through @fastify/formbody, cookies through
// @fastify/cookie (signed ones for short-lived browser state), double-submit CSRF tokens, and the shared page assets.
// Capabilities add their pages through the PagesKit this surface hands them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorCode } from '../platform/errors.js';
import { messagePage, pageHeaders, stylesheet } from '../platform/http/html.js';
import type { CookieOptions, Form, PagesKit } from '../platform/http/pages-kit.js';
import { secureRandomBytes } from '../platform/ids.js';
import type { RouteRegistrar, Services } from '../platform/module.js';
import { sameSecret } from '../platform/secret-box.js';

const CSRF_COOKIE = 'carillon_csrf';
const FIELD_MAX = 1000;

/** The pages' own error table: the status each product error gets as a page (anything else: 400). */
const pageStatus: Partial<Record<ErrorCode, number>> = {
  'signin.invalid_credentials': 401,
  'signin.locked': 429,
  'signin.email_unverified': 403,
  'signin.suspended': 403,
  'signin.social_unverified_email': 403,
  'signin.no_license_group': 403,
  'session.csrf': 403,
  'invitation.invalid': 404,
  'invitation.expired': 410,
  'invitation.used': 410,
  'invitation.email_mismatch': 403,
  'directory.not_member': 403,
  'route.not_found': 404,
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
};

/** Only paths on this server: never another host (no open redirect). */
export function safeReturnTo(value: string | undefined, fallback = '/me'): string {
  // Browsers drop tabs and newlines and read '\' as '/', so judge the URL as a browser would resolve it.
  if (!value || value.length > 2000 || !value.startsWith('/') || /[\u0000-\u0020\u007f\\]/.test(value)) return fallback;
  let resolved: URL;
  try {
    resolved = new URL(value, 'http://carillon.invalid');
  } catch {
    return fallback;
  }
  if (resolved.origin !== 'http://carillon.invalid') return fallback;
  return resolved.pathname + resolved.search + resolved.hash;
}

const require = createRequire(import.meta.url);

export async function pagesSurface(app: FastifyInstance, o: { services: Services; registrars: RouteRegistrar<PagesKit>[] }): Promise<void> {
  const secure = o.services.config.publicUrl.startsWith('https://');
  await app.register(fastifyCookie, { secret: o.services.cookieKey, parseOptions: { path: '/', httpOnly: true, secure } });
  // Forms go up to the server's body limit; each field is cut to FIELD_MAX characters below.
  await app.register(fastifyFormbody, { bodyLimit: o.services.config.bodyLimit });

  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(pageHeaders).send(body);
  const statusOf = (code: string) => pageStatus[code as ErrorCode] ?? 400;

  app.setErrorHandler((error, request, reply) => {
    const e = error as Error & { statusCode?: number; code?: string };
    if (isAppError(e)) return html(reply, statusOf(e.code), messagePage('Something is not right', e.message, 'error', [['/signin', 'Sign in']]));
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return html(reply, 413, messagePage('Too much', 'What you sent is too large.', 'error'));
    if (e.statusCode !== undefined && e.statusCode < 500) return html(reply, e.statusCode, messagePage('Something is not right', 'This request could not be read. Go back and try again.', 'error'));
    request.log.error({ err: e }, 'page failed');
    return html(reply, 500, messagePage('Something went wrong', 'Carillon could not complete this request. Try again in a moment.', 'error'));
  });

  const kit: PagesKit = {
    html,
    redirect: (reply, to) => reply.code(303).header('location', to).send(),
    statusOf,
    form(request) {
      const body = request.body;
      if (body === undefined || body === null) return {};
      // Anything but a urlencoded form reaches here as the raw bytes of the server's catch-all parser.
      if (Buffer.isBuffer(body)) {
        if (body.length === 0) return {};
        throw new AppError('request.unsupported_media_type', 'Forms must be sent as application/x-www-form-urlencoded.');
      }
      const form: Form = {};
      for (const [k, v] of Object.entries(body as Record<string, string | string[]>)) {
        const first = Array.isArray(v) ? v[0] : v;
        if (typeof first === 'string') form[k] = first.slice(0, FIELD_MAX);
      }
      return form;
    },
    anonymousCsrfOf(request) {
      const existing = request.cookies[CSRF_COOKIE];
      return existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : undefined;
    },
    anonymousCsrf(request, reply) {
      const existing = kit.anonymousCsrfOf(request);
      if (existing) return existing;
      const token = secureRandomBytes(32).toString('base64url');
      // Readable by the browser's own requests only; the form carries the same value in a field.
      kit.setCookie(reply, CSRF_COOKIE, token, { sameSite: 'strict' });
      request.cookies[CSRF_COOKIE] = token;
      return token;
    },
    checkCsrf(form, expected) {
      if (!sameSecret(form.csrf, expected)) throw new AppError('session.csrf', 'This form has expired. Go back, reload the page and try again.');
    },
    setCookie(reply, name, value, options: CookieOptions) {
      reply.setCookie(name, value, { path: '/', httpOnly: true, secure, sameSite: options.sameSite, signed: options.signed ?? false, ...(options.maxAge !== undefined && { maxAge: options.maxAge }) });
    },
    clearCookie(reply, name, sameSite) {
      reply.clearCookie(name, { path: '/', httpOnly: true, secure, sameSite });
    },
    cookie(request, name, options = {}) {
      const raw = request.cookies[name];
      if (raw === undefined || !options.signed) return raw;
      const unsigned = request.unsignCookie(raw);
      return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined;
    },
    safeReturnTo,
  };

  // The console's typeface (Open Sans, as data URLs in Cloudscape's global styles), for the same look here.
  let fonts: string | undefined;
  app.get('/assets/fonts.css', async (_req, reply) => {
    fonts ??= (fs.readFileSync(require.resolve('@cloudscape-design/global-styles/index.css'), 'utf8').match(/@font-face\s*\{[^}]*\}/g) ?? []).join('\n');
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(fonts);
  });
  app.get('/assets/site.css', async (_req, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet));

  for (const register of o.registrars) register(app, o.services, kit);
}
