// The end-user pages of sign-in: the two-step sign-in (the email first, then what its method asks for), social
// sign-in's round trip, registration and email confirmation, password reset, invitations, the profile and the
// directory. Each handler is short: read the form, check its CSRF token, call the service, answer with a page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messagePage } from '../platform/http/html.js';
import type { Form, PagesKit } from '../platform/http/pages-kit.js';
import { AppError, isAppError } from '../platform/errors.js';
import type { Services } from '../platform/module.js';
import { effectiveLicense } from '../users/license.js';
import type { SignInAttempt } from './methods/signin-method.js';
import * as pages from './pages.js';
import { SESSION_COOKIE, type SignedIn } from './signin-service.js';

const SOCIAL_COOKIE = 'carillon_social';
/**
 * What the browser carries (signed, not secret: the browser can read it) between leaving for a provider and coming
 * back: the method, the account whose method it is (its configuration is read again on the way back, and its
 * secrets never leave the server), the installation method's own non-secret configuration, and the method's state.
 */
type PendingRedirect = { kind: string; accountId: string | null; config: Record<string, unknown>; pending: Record<string, unknown>; returnTo: string; exp: number };

export function registerSigninPages(app: FastifyInstance, services: Services, kit: PagesKit): void {
  const { signin, methods, acceptance } = services;
  const social = () => services.socialProviders.map((p) => ({ id: p.id, label: p.label }));
  const attempt = (request: FastifyRequest): SignInAttempt => ({ sourceIp: request.ip, userAgent: request.headers['user-agent'] });
  const current = (request: FastifyRequest) => signin.readSession(kit.cookie(request, SESSION_COOKIE));
  const signInCookie = (reply: FastifyReply, token: string) => kit.setCookie(reply, SESSION_COOKIE, token, { sameSite: 'lax', maxAge: services.config.session.maxHours * 3600 });
  const clearSessionCookie = (reply: FastifyReply) => kit.clearCookie(reply, SESSION_COOKIE, 'lax');
  /** A form post of someone signed out must carry the browser's anonymous CSRF token. */
  const checkAnonymous = (request: FastifyRequest, form: Form) => kit.checkCsrf(form, kit.anonymousCsrfOf(request));

  const signInPage = (request: FastifyRequest, reply: FastifyReply, status: number, p: Omit<Parameters<typeof pages.signInPage>[0], 'csrf' | 'social'>) =>
    kit.html(reply, status, pages.signInPage({ ...p, csrf: kit.anonymousCsrf(request, reply), social: social() }));

  const redirectMethod = (kind: string) => {
    const method = methods.get(kind);
    if (method.style !== 'redirect') throw new AppError('route.not_found', 'This sign-in method has no redirect.');
    return method;
  };
  const configOf = async (kind: string, accountId: string | null, installation: Record<string, unknown>) =>
    accountId ? ((await methods.config<Record<string, unknown>>(services.db, accountId, kind)) ?? {}) : installation;

  /** Sends the browser to a redirect method's provider, carrying what it must bring back in a signed cookie. */
  async function beginRedirect(reply: FastifyReply, p: { kind: string; accountId: string | null; config: Record<string, unknown>; callback: string; returnTo: string; email?: string }) {
    const method = redirectMethod(p.kind);
    const { url, pending } = await method.begin({ config: await configOf(p.kind, p.accountId, p.config), redirectUri: `${services.config.publicUrl}${p.callback}`, email: p.email });
    const carried: PendingRedirect = { kind: p.kind, accountId: p.accountId, config: p.accountId ? {} : p.config, pending, returnTo: p.returnTo, exp: services.clock.now().getTime() + 10 * 60_000 };
    kit.setCookie(reply, SOCIAL_COOKIE, Buffer.from(JSON.stringify(carried)).toString('base64url'), { sameSite: 'lax', maxAge: 600, signed: true });
    return kit.redirect(reply, url.toString());
  }

  /** The provider's answer: checked against what the browser carried, then completeSignIn as for every method. */
  async function finishRedirect(request: FastifyRequest, reply: FastifyReply, belongsHere: (carried: PendingRedirect) => boolean) {
    const raw = kit.cookie(request, SOCIAL_COOKIE, { signed: true });
    kit.clearCookie(reply, SOCIAL_COOKIE, 'lax');
    let carried: PendingRedirect | undefined;
    try {
      carried = raw ? (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PendingRedirect) : undefined;
    } catch {
      carried = undefined;
    }
    if (!carried || !belongsHere(carried) || carried.exp < services.clock.now().getTime()) {
      throw new AppError('signin.social_failed', 'This sign-in attempt has expired or did not start here. Start again from the sign-in page.');
    }
    const method = redirectMethod(carried.kind);
    let auth;
    try {
      auth = await method.finish({ config: await configOf(carried.kind, carried.accountId, carried.config), callbackUrl: new URL(request.url, `${services.config.publicUrl}/`), pending: carried.pending, request });
    } catch (e) {
      if (isAppError(e)) throw e;
      request.log.warn({ err: e, method: carried.kind }, 'sign-in at a provider failed');
      throw new AppError('signin.social_failed', 'Sign-in could not be completed. Try again.');
    }
    signInCookie(reply, await signin.completeSignIn(auth, attempt(request)));
    return kit.redirect(reply, kit.safeReturnTo(carried.returnTo));
  }

  app.get('/signin', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const notice = q.reset ? { kind: 'success' as const, text: 'Your password was changed. Sign in with the new one.' } : undefined;
    return signInPage(request, reply, 200, { returnTo: kit.safeReturnTo(q.return_to), notice });
  });

  // Step one posts the email alone; step two the email and the method's secret. The email's method decides both.
  app.post('/signin', async (request, reply) => {
    const form = kit.form(request);
    checkAnonymous(request, form);
    const returnTo = kit.safeReturnTo(form.return_to);
    const email = (form.email ?? '').trim().slice(0, 254);
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return signInPage(request, reply, 400, { returnTo, email, notice: { kind: 'error', text: 'Enter your email address.' } });
    const choice = await methods.choose(email);
    const { method } = choice;
    const accountId = choice.kind === 'account' ? choice.accountId : null;
    if (method.style === 'redirect') {
      return beginRedirect(reply, { kind: method.kind, accountId, config: {}, callback: `/signin/account/${accountId}/callback`, returnTo, email });
    }
    if (form.password === undefined) return signInPage(request, reply, 200, { returnTo, email, secretLabel: method.secretLabel });
    try {
      const config = accountId ? await methods.config(services.db, accountId, method.kind) : {};
      const auth = await method.authenticate({ email, secret: form.password, config, accountId, ...attempt(request) });
      signInCookie(reply, await signin.completeSignIn(auth, attempt(request)));
      return kit.redirect(reply, returnTo);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return signInPage(request, reply, kit.statusOf(e.code), { returnTo, email, secretLabel: method.secretLabel, notice: { kind: 'error', text: e.message } });
    }
  });

  // Social sign-in (the installation's providers), and an account's own provider when its method is a redirect.
  const socialProvider = (request: FastifyRequest) => {
    const provider = (request.params as { provider: string }).provider;
    if (!services.socialProviders.some((p) => p.id === provider)) throw new AppError('route.not_found', 'This sign-in method is not configured.');
    return provider;
  };
  app.get('/signin/social/:provider', async (request, reply) => {
    const provider = socialProvider(request);
    const returnTo = kit.safeReturnTo((request.query as Record<string, string | undefined>).return_to);
    return beginRedirect(reply, { kind: 'social-oidc', accountId: null, config: { provider }, callback: `/signin/social/${provider}/callback`, returnTo });
  });
  app.get('/signin/social/:provider/callback', async (request, reply) => {
    const provider = socialProvider(request);
    return finishRedirect(request, reply, (c) => c.kind === 'social-oidc' && c.accountId === null && c.config.provider === provider);
  });
  app.get('/signin/account/:accountId/callback', async (request, reply) => {
    const accountId = (request.params as { accountId: string }).accountId;
    return finishRedirect(request, reply, (c) => c.accountId === accountId);
  });

  app.get('/register', async (request, reply) => kit.html(reply, 200, pages.registerPage({ csrf: kit.anonymousCsrf(request, reply) })));

  app.post('/register', async (request, reply) => {
    const form = kit.form(request);
    checkAnonymous(request, form);
    const email = (form.email ?? '').trim();
    const again = (text: string) => kit.html(reply, 400, pages.registerPage({ csrf: kit.anonymousCsrf(request, reply), email, name: form.name, notice: { kind: 'error', text } }));
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) return again('Enter a valid email address.');
    try {
      await signin.register({ email, password: form.password ?? '', displayName: form.name });
    } catch (e) {
      if (!isAppError(e) || e.code !== 'signin.password_weak') throw e;
      return again(e.message);
    }
    return kit.html(reply, 200, messagePage('Check your email', `We sent a confirmation link to ${email}. Follow it to finish creating your identity.`, 'info'));
  });

  // The link proves the address: the person is signed in at once, without typing the password again.
  app.get('/verify-email/:token', async (request, reply) => {
    const { sessionToken } = await signin.verifyEmail((request.params as { token: string }).token, attempt(request));
    signInCookie(reply, sessionToken);
    return kit.redirect(reply, '/me?confirmed=1');
  });

  app.get('/password/forgot', async (request, reply) => kit.html(reply, 200, pages.forgotPage({ csrf: kit.anonymousCsrf(request, reply) })));

  app.post('/password/forgot', async (request, reply) => {
    const form = kit.form(request);
    checkAnonymous(request, form);
    await signin.requestPasswordReset((form.email ?? '').slice(0, 254));
    return kit.html(reply, 200, messagePage('Check your email', 'If an identity exists for that address, we sent it a link to choose a new password.', 'info'));
  });

  app.get('/password/reset/:token', async (request, reply) =>
    kit.html(reply, 200, pages.resetPage({ csrf: kit.anonymousCsrf(request, reply), token: (request.params as { token: string }).token })),
  );

  app.post('/password/reset/:token', async (request, reply) => {
    const form = kit.form(request);
    checkAnonymous(request, form);
    const token = (request.params as { token: string }).token;
    try {
      await signin.resetPassword(token, form.password ?? '');
    } catch (e) {
      if (!isAppError(e) || e.code !== 'signin.password_weak') throw e;
      return kit.html(reply, 400, pages.resetPage({ csrf: kit.anonymousCsrf(request, reply), token, notice: { kind: 'error', text: e.message } }));
    }
    clearSessionCookie(reply);
    return kit.redirect(reply, '/signin?reset=1');
  });

  app.get('/invitations/:token', async (request, reply) => {
    const token = (request.params as { token: string }).token;
    const view = await acceptance.inspect(token);
    const signedIn = await current(request);
    const mode = signedIn ? (signedIn.identity.emailNorm === view.email.toLowerCase() ? 'accept' : 'other-identity') : view.identityExists ? 'signin' : 'register';
    const csrf = signedIn ? signedIn.session.csrfToken : kit.anonymousCsrf(request, reply);
    return kit.html(reply, 200, pages.invitationPage({ csrf, token, accountName: view.account.name, email: view.email, mode, signedIn: signedIn !== undefined }));
  });

  app.post('/invitations/:token/accept', async (request, reply) => {
    const form = kit.form(request);
    const signedIn = await current(request);
    kit.checkCsrf(form, signedIn ? signedIn.session.csrfToken : kit.anonymousCsrfOf(request));
    const token = (request.params as { token: string }).token;
    if (!signedIn) return kit.redirect(reply, `/signin?return_to=${encodeURIComponent(`/invitations/${token}`)}`);
    await acceptance.acceptAsIdentity(token, signedIn.identity.id);
    return kit.redirect(reply, '/me?joined=1');
  });

  app.post('/invitations/:token/register', async (request, reply) => {
    const form = kit.form(request);
    checkAnonymous(request, form);
    const token = (request.params as { token: string }).token;
    try {
      const { sessionToken } = await acceptance.registerAndAccept(token, { password: form.password ?? '', displayName: form.name, ...attempt(request) });
      signInCookie(reply, sessionToken);
      return kit.redirect(reply, '/me?joined=1');
    } catch (e) {
      if (!isAppError(e) || e.code !== 'signin.password_weak') throw e;
      const view = await acceptance.inspect(token);
      return kit.html(reply, 400, pages.invitationPage({ csrf: kit.anonymousCsrf(request, reply), token, accountName: view.account.name, email: view.email, mode: 'register', signedIn: false, notice: { kind: 'error', text: e.message } }));
    }
  });

  app.get('/me', async (request, reply) => {
    const signedIn = await current(request);
    if (!signedIn) return kit.redirect(reply, '/signin?return_to=/me');
    const { identity, membership, session } = signedIn;
    const now = services.clock.now();
    const license = membership ? effectiveLicense(membership.user.license, membership.user.proTrialEndsAt, now) : effectiveLicense('ProTrial', identity.proTrialEndsAt, now);
    const q = request.query as Record<string, string | undefined>;
    const notice = q.joined
      ? { kind: 'success' as const, text: `You joined ${membership?.account.name ?? 'the account'}.` }
      : q.confirmed
        ? { kind: 'success' as const, text: 'Your email is confirmed, and you are signed in.' }
        : undefined;
    return kit.html(
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
        activeSessions: await signin.countLiveSessions(identity),
        notice,
      }),
    );
  });

  app.post('/signout', async (request, reply) => {
    const form = kit.form(request);
    const signedIn = await current(request);
    if (signedIn) {
      kit.checkCsrf(form, signedIn.session.csrfToken);
      await signin.signOut(kit.cookie(request, SESSION_COOKIE));
    }
    clearSessionCookie(reply);
    return kit.redirect(reply, kit.safeReturnTo(form.return_to, '/signin'));
  });

  app.post('/me/signout-everywhere', async (request, reply) => {
    const form = kit.form(request);
    const signedIn = await current(request);
    if (!signedIn) return kit.redirect(reply, '/signin');
    kit.checkCsrf(form, signedIn.session.csrfToken);
    await signin.signOutEverywhere(signedIn.identity.id);
    clearSessionCookie(reply);
    return kit.redirect(reply, '/signin');
  });

  app.get('/directory', async (request, reply) => {
    const signedIn: SignedIn | undefined = await current(request);
    if (!signedIn) return kit.redirect(reply, '/signin?return_to=/directory');
    if (!signedIn.membership) {
      return kit.html(reply, 200, messagePage('No account yet', 'The directory lists the people of your account, and you do not belong to an account yet. When an administrator invites you, the invitation email brings you in.', 'info', [['/me', 'My profile']], true));
    }
    const q = String((request.query as Record<string, unknown>).q ?? '').slice(0, 100);
    const results = q ? await services.users.searchDirectory(signedIn.membership.account.id, q) : undefined;
    return kit.html(reply, 200, pages.directoryPage({ query: q, results, accountName: signedIn.membership.account.name }));
  });
}
