// The console's own endpoints under /console/api: sign in, sign out, the current session, and the setup links.
// The console app itself calls only the public API, with the session cookie and the session's CSRF token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../platform/errors.js';
import type { ConsoleKit } from '../platform/http/console-kit.js';
import type { Services } from '../platform/module.js';
import { roleAllows } from '../platform/roles.js';
import { ADMIN_COOKIE, carriesCsrfToken, CSRF_HEADER, type SignedInAdmin } from './admins-service.js';

const signInBody = z.object({ Email: z.string().max(254), Password: z.string().max(1024) });
const inspectBody = z.object({ Token: z.string().max(100) });
const setupBody = z.object({ Token: z.string().max(100), Email: z.string().max(254).default(''), Name: z.string().max(200), Password: z.string().max(1024) });

export function registerConsoleEndpoints(app: FastifyInstance, services: Services, kit: ConsoleKit): void {
  const secure = services.config.publicUrl.startsWith('https://');
  const maxAge = services.config.session.maxHours * 3600;
  // SameSite=Strict: no other site can make the browser send it; the CSRF header is the second lock.
  const setSession = (reply: Parameters<ConsoleKit['json']>[0], value: string, age: number) =>
    reply.setCookie(ADMIN_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: age });

  /** The session as the console sees it, with the API operations the role may call (from the permissions the API
   *  enforces), so the console hides what the server would refuse and never keeps a copy of the rules. */
  const present = ({ admin, session }: SignedInAdmin) => ({
    Administrator: { AdministratorId: admin.id, Email: admin.email, Name: admin.name, Role: admin.role },
    CsrfToken: session.csrfToken,
    AllowedOperations: services.operations.filter((op) => roleAllows(admin.role, op.permission)).map((op) => op.name),
    MailRelayConfigured: services.config.smtpUrl !== undefined,
  });

  const signedIn = (request: FastifyRequest) => services.admins.readSession(kit.cookie(request, ADMIN_COOKIE));

  app.get('/console/api/session', async (request, reply) => {
    const current = await signedIn(request);
    if (!current) throw new AppError('admin.session_required', 'Not signed in to the console.');
    return kit.json(reply, 200, present(current));
  });

  app.post('/console/api/session', async (request, reply) => {
    const body = kit.body(signInBody, request);
    const { cookie, signedIn: session } = await services.admins.signIn({ email: body.Email, password: body.Password, sourceIp: request.ip });
    setSession(reply, cookie, maxAge);
    return kit.json(reply, 200, present(session));
  });

  app.delete('/console/api/session', async (request, reply) => {
    const current = await signedIn(request);
    if (current) {
      if (!carriesCsrfToken(request.headers[CSRF_HEADER], current)) throw new AppError('session.csrf', `Signing out needs the session's ${CSRF_HEADER} header.`);
      await services.admins.signOut(current);
    }
    setSession(reply, '', 0);
    return reply.code(204).send();
  });

  app.post('/console/api/setup/inspect', async (request, reply) => {
    const { Token } = kit.body(inspectBody, request);
    const promised = await services.admins.inspectSetup(Token);
    return kit.json(reply, 200, { Email: promised.email, Role: promised.role });
  });

  app.post('/console/api/setup', async (request, reply) => {
    const body = kit.body(setupBody, request);
    const { cookie, signedIn: session } = await services.admins.completeSetup({ token: body.Token, email: body.Email, name: body.Name, password: body.Password, sourceIp: request.ip });
    setSession(reply, cookie, maxAge);
    return kit.json(reply, 200, present(session));
  });
}
