// HTTP adapter of the end-user pages: cookies, CSRF checks, safe redirects, and one short handler per page.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app-services.js';
import { AppError, isAppError } from '../platform/errors.js';
import { sameSecret } from '../platform/secret-box.js';
import { effectiveLicense } from '../users/license.js';
import { searchDirectory } from '../users/directory-search.js';
import * as pages from './pages.js';
import { readCookie, SESSION_COOKIE, type SignedIn } from './signin-service.js';
import type { PendingLogin } from './social-login.js';
import { secureRandomBytes } from '../platform/ids.js';

const CSRF_COOKIE = 'carillon_csrf';

type Form = Record<string, string>;

function parseForm(request: FastifyRequest): Form {
  const body = request.body as Buffer | undefined;
  if (!body || body.length === 0) return {};
  if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new AppError('request.unsupported_media_type', 'Forms must be sent as application/x-www-form-urlencoded.');
  }
  const form: Form = {};
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!(k in form)) form[k] = v.slice(0, 1000);
  return form;
}

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

export function registerSigninRoutes(app: FastifyInstance, services: Services): void {
  const secure = services.config.publicUrl.startsWith('https://');
  const cookie = (name: string, value: string, options: { maxAge?: number; sameSite: 'Lax' | 'Strict' }) =>
    `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=${options.sameSite}${secure ? '; Secure' : ''}${options.maxAge !== undefined ? `; Max-Age=${options.maxAge}` : ''}`;

  /** The anonymous double-submit CSRF token: reuse the browser's, or give it one. */
  function anonymousCsrf(request: FastifyRequest, reply: FastifyReply): string {
    const existing = readCookie(request.headers.cookie, CSRF_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = secureRandomBytes(32).toString('base64url');
    reply.header('set-cookie', cookie(CSRF_COOKIE, token, { sameSite: 'Strict' }));
    return token;
  }

  const current = (request: FastifyRequest) => services.signin.readSession(readCookie(request.headers.cookie, SESSION_COOKIE));

  /** A form post must carry the CSRF token of its session, or of the browser when nobody is signed in. */
  function checkCsrf(request: FastifyRequest, form: Form, signedIn: SignedIn | undefined): void {
    const expected = signedIn ? signedIn.session.csrfToken : readCookie(request.headers.cookie, CSRF_COOKIE);
    if (!sameSecret(form.csrf, expected)) throw new AppError('session.csrf', 'This form has expired. Go back, reload the page and try again.');
  }

  function html(reply: FastifyReply, status: number, body: string) {
    return reply.code(status).headers(pages.pageHeaders).send(body);
  }

  const statusOf: Partial<Record<string, number>> = {
    'signin.invalid_credentials': 401,
    'signin.locked': 429,
    'signin.email_unverified': 403,
    'signin.suspended': 403,
    'session.csrf': 403,
    'invitation.invalid': 404,
    'invitation.expired': 410,
    'invitation.used': 410,
    'invitation.email_mismatch': 403,
    'directory.not_member': 403,
    'signin.social_unverified_email': 403,
    'route.not_found': 404,
  };

  /** Wraps a page handler: product errors become a page with their message, anything else a plain 500 page. */
  const page =
    (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler(request, reply);
      } catch (e) {
        if (isAppError(e)) return html(reply, statusOf[e.code] ?? 400, pages.messagePage('Something is not right', e.message, 'error', [['/signin', 'Sign in']]));
        request.log.error({ err: e }, 'page failed');
        return html(reply, 500, pages.messagePage('Something went wrong', 'Carillon could not complete this request. Try again in a moment.', 'error'));
      }
    };

  const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).send();
  const signInCookie = (reply: FastifyReply, token: string) => reply.header('set-cookie', cookie(SESSION_COOKIE, token, { sameSite: 'Lax', maxAge: services.config.session.maxHours * 3600 }));
  const clearSessionCookie = (reply: FastifyReply) => reply.header('set-cookie', cookie(SESSION_COOKIE, '', { sameSite: 'Lax', maxAge: 0 }));

  // The console's typeface (Open Sans, as data URLs in Cloudscape's global styles), for the same look here.
  let fonts: string | undefined;
  app.get('/assets/fonts.css', async (_req, reply) => {
    fonts ??= (fs.readFileSync(require.resolve('@cloudscape-design/global-styles/index.css'), 'utf8').match(/@font-face\s*\{[^}]*\}/g) ?? []).join('\n');
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(fonts);
  });
  app.get('/assets/site.css', async (_req, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(pages.stylesheet));

  app.get('/signin', page(async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const notice = q.reset ? { kind: 'success' as const, text: 'Your password was changed. Sign in with the new one.' } : undefined;
    return html(reply, 200, pages.signInPage({ csrf: anonymousCsrf(request, reply), returnTo: safeReturnTo(q.return_to), notice, social: services.socialProviders.map((p) => ({ id: p.id, label: p.label })) }));
  }));

  app.post('/signin', page(async (request, reply) => {
    const form = parseForm(request);
    checkCsrf(request, form, undefined);
    const returnTo = safeReturnTo(form.return_to);
    try {
      const { token } = await services.signin.signIn({ email: form.email ?? '', password: form.password ?? '', sourceIp: request.ip, userAgent: request.headers['user-agent'] });
      signInCookie(reply, token);
      return redirect(reply, returnTo);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return html(reply, statusOf[e.code] ?? 400, pages.signInPage({ csrf: anonymousCsrf(request, reply), returnTo, email: form.email, notice: { kind: 'error', text: e.message }, social: services.socialProviders.map((p) => ({ id: p.id, label: p.label })) }));
    }
  }));

  // Social sign-in: the browser leaves for the provider with state, PKCE verifier and nonce kept in a signed,
  // short-lived cookie, and comes back to the callback, which checks them all.
  const SOCIAL_COOKIE = 'carillon_social';
  const sign = (value: string) => createHmac('sha256', services.cookieKey).update(value).digest('base64url');
  const provider = (id: string) => {
    const p = services.socialProviders.find((x) => x.id === id);
    if (!p) throw new AppError('route.not_found', 'This sign-in method is not configured.');
    return p;
  };

  app.get('/signin/social/:provider', page(async (request, reply) => {
    const p = provider((request.params as { provider: string }).provider);
    const returnTo = safeReturnTo((request.query as Record<string, string | undefined>).return_to);
    const { url, pending } = await p.begin(`${services.config.publicUrl}/signin/social/${p.id}/callback`, returnTo);
    const value = Buffer.from(JSON.stringify({ ...pending, exp: services.clock.now().getTime() + 10 * 60_000 })).toString('base64url');
    reply.header('set-cookie', cookie(SOCIAL_COOKIE, `${value}.${sign(value)}`, { sameSite: 'Lax', maxAge: 600 }));
    return redirect(reply, url.toString());
  }));

  app.get('/signin/social/:provider/callback', page(async (request, reply) => {
    const p = provider((request.params as { provider: string }).provider);
    const [value, mac] = (readCookie(request.headers.cookie, SOCIAL_COOKIE) ?? '').split('.');
    reply.header('set-cookie', cookie(SOCIAL_COOKIE, '', { sameSite: 'Lax', maxAge: 0 }));
    const pending = value && mac && sameSecret(mac, sign(value)) ? (JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as PendingLogin & { exp: number }) : undefined;
    if (!pending || pending.provider !== p.id || pending.exp < services.clock.now().getTime()) {
      throw new AppError('signin.social_failed', 'This sign-in attempt has expired or did not start here. Start again from the sign-in page.');
    }
    const callbackUrl = new URL(request.url, `${services.config.publicUrl}/`);
    let profile;
    try {
      profile = await p.finish(callbackUrl, pending);
    } catch (e) {
      if (isAppError(e)) throw e;
      request.log.warn({ err: e, provider: p.id }, 'social sign-in failed');
      throw new AppError('signin.social_failed', `${p.label} sign-in could not be completed. Try again.`);
    }
    const token = await services.signin.signInWithSocial(p.id, profile, request.ip, request.headers['user-agent']);
    signInCookie(reply, token);
    return redirect(reply, safeReturnTo(pending.returnTo));
  }));

  app.get('/register', page(async (request, reply) => html(reply, 200, pages.registerPage({ csrf: anonymousCsrf(request, reply) }))));

  app.post('/register', page(async (request, reply) => {
    const form = parseForm(request);
    checkCsrf(request, form, undefined);
    const email = (form.email ?? '').trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
      return html(reply, 400, pages.registerPage({ csrf: anonymousCsrf(request, reply), email, name: form.name, notice: { kind: 'error', text: 'Enter a valid email address.' } }));
    }
    try {
      await services.signin.register({ email, password: form.password ?? '', displayName: form.name });
    } catch (e) {
      if (!isAppError(e) || e.code !== 'signin.password_weak') throw e;
      return html(reply, 400, pages.registerPage({ csrf: anonymousCsrf(request, reply), email, name: form.name, notice: { kind: 'error', text: e.message } }));
    }
    return html(reply, 200, pages.messagePage('Check your email', `We sent a confirmation link to ${email}. Follow it to finish creating your identity.`, 'info'));
  }));

  app.get('/verify-email/:token', page(async (request, reply) => {
    await services.signin.verifyEmail((request.params as { token: string }).token);
    return html(reply, 200, pages.messagePage('Email confirmed', 'Your email is confirmed. You can sign in now.', 'success', [['/signin', 'Sign in']]));
  }));

  app.get('/password/forgot', page(async (request, reply) => html(reply, 200, pages.forgotPage({ csrf: anonymousCsrf(request, reply) }))));

  app.post('/password/forgot', page(async (request, reply) => {
    const form = parseForm(request);
    checkCsrf(request, form, undefined);
    await services.signin.requestPasswordReset((form.email ?? '').slice(0, 254));
    return html(reply, 200, pages.messagePage('Check your email', 'If an identity exists for that address, we sent it a link to choose a new password.', 'info'));
  }));

  app.get('/password/reset/:token', page(async (request, reply) =>
    html(reply, 200, pages.resetPage({ csrf: anonymousCsrf(request, reply), token: (request.params as { token: string }).token })),
  ));

  app.post('/password/reset/:token', page(async (request, reply) => {
    const form = parseForm(request);
    checkCsrf(request, form, undefined);
    const token = (request.params as { token: string }).token;
    try {
      await services.signin.resetPassword(token, form.password ?? '');
    } catch (e) {
      if (!isAppError(e) || e.code !== 'signin.password_weak') throw e;
      return html(reply, 400, pages.resetPage({ csrf: anonymousCsrf(request, reply), token, notice: { kind: 'error', text: e.message } }));
    }
    clearSessionCookie(reply);
    return redirect(reply, '/signin?reset=1');
  }));

  app.get('/invitations/:token', page(async (request, reply) => {
    const token = (request.params as { token: string }).token;
    const view = await services.acceptance.inspect(token);
    const signedIn = await current(request);
    const mode = signedIn
      ? signedIn.identity.emailNorm === view.email.toLowerCase()
        ? 'accept'
        : 'other-identity'
      : view.identityExists
        ? 'signin'
        : 'register';
    const csrf = signedIn ? signedIn.session.csrfToken : anonymousCsrf(request, reply);
    return html(reply, 200, pages.invitationPage({ csrf, token, accountName: view.account.name, email: view.email, mode, signedIn: signedIn !== undefined }));
  }));

  app.post('/invitations/:token/accept', page(async (request, reply) => {
    const form = parseForm(request);
    const signedIn = await current(request);
    checkCsrf(request, form, signedIn);
    const token = (request.params as { token: string }).token;
    if (!signedIn) return redirect(reply, `/signin?return_to=${encodeURIComponent(`/invitations/${token}`)}`);
    await services.acceptance.acceptAsIdentity(token, signedIn.identity.id);
    return redirect(reply, '/me?joined=1');
  }));

  app.post('/invitations/:token/register', page(async (request, reply) => {
    const form = parseForm(request);
    checkCsrf(request, form, undefined);
    const token = (request.params as { token: string }).token;
    try {
      const { sessionToken } = await services.acceptance.registerAndAccept(token, { password: form.password ?? '', displayName: form.name, sourceIp: request.ip, userAgent: request.headers['user-agent'] });
      signInCookie(reply, sessionToken);
      return redirect(reply, '/me?joined=1');
    } catch (e) {
      if (!isAppError(e) || e.code !== 'signin.password_weak') throw e;
      const view = await services.acceptance.inspect(token);
      return html(reply, 400, pages.invitationPage({ csrf: anonymousCsrf(request, reply), token, accountName: view.account.name, email: view.email, mode: 'register', signedIn: false, notice: { kind: 'error', text: e.message } }));
    }
  }));

  app.get('/me', page(async (request, reply) => {
    const signedIn = await current(request);
    if (!signedIn) return redirect(reply, '/signin?return_to=/me');
    const { identity, membership, session } = signedIn;
    const now = services.clock.now();
    const license = membership ? effectiveLicense(membership.user.license, membership.user.proTrialEndsAt, now) : effectiveLicense('ProTrial', identity.proTrialEndsAt, now);
    const q = request.query as Record<string, string | undefined>;
    return html(
      reply,
      200,
      pages.profilePage({
        csrf: session.csrfToken,
        email: identity.email,
        name: identity.displayName,
        accountName: membership?.account.name,
        accountType: membership?.account.type,
        license,
        trialEnds: license === 'ProTrial' ? identity.proTrialEndsAt : null,
        pin: membership?.user.personalPin ?? null,
        activeSessions: await services.signin.countLiveSessions(identity),
        notice: q.joined ? { kind: 'success', text: `You joined ${membership?.account.name ?? 'the account'}.` } : undefined,
      }),
    );
  }));

  app.post('/signout', page(async (request, reply) => {
    const form = parseForm(request);
    const signedIn = await current(request);
    if (signedIn) {
      checkCsrf(request, form, signedIn);
      await services.signin.signOut(readCookie(request.headers.cookie, SESSION_COOKIE));
    }
    clearSessionCookie(reply);
    return redirect(reply, safeReturnTo(form.return_to, '/signin'));
  }));

  app.post('/me/signout-everywhere', page(async (request, reply) => {
    const form = parseForm(request);
    const signedIn = await current(request);
    if (!signedIn) return redirect(reply, '/signin');
    checkCsrf(request, form, signedIn);
    await services.signin.signOutEverywhere(signedIn.identity.id);
    clearSessionCookie(reply);
    return redirect(reply, '/signin');
  }));

  app.get('/directory', page(async (request, reply) => {
    const signedIn = await current(request);
    if (!signedIn) return redirect(reply, '/signin?return_to=/directory');
    if (!signedIn.membership) throw new AppError('directory.not_member', 'The directory lists the members of your account; you do not belong to an account yet.');
    const q = String((request.query as Record<string, unknown>).q ?? '').slice(0, 100);
    const results = q ? await searchDirectory(services.db, signedIn.membership.account.id, q) : undefined;
    return html(reply, 200, pages.directoryPage({ query: q, results, accountName: signedIn.membership.account.name }));
  }));
}
