// The provider's interaction pages: finish the login at once for a person signed in to Carillon (the apps are
// first-party, so no consent page), send everyone else to /signin and back, and let the person cancel.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import type { IdentityDirectory, SessionReader } from '../signin/identity-directory.js';
import { renderOidcErrorPage } from './oidc-pages.js';
import { pageHeaders } from '../platform/http/html.js';
import type { ProviderHolder } from './oidc-provider-holder.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export type InteractionDeps = {
  holder: ProviderHolder;
  identities: IdentityDirectory;
  sessions: SessionReader;
  /** Path of the public URL ('' at the root), prefixed to every link we hand the browser. */
  basePath: string;
};

type UidRequest = FastifyRequest<{ Params: { uid: string } }>;

function showError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).headers(pageHeaders).send(renderOidcErrorPage(error, description));
}

/** The interaction of this browser, or undefined when its cookie is gone, expired or for another uid. */
async function loadInteraction(deps: InteractionDeps, request: UidRequest, reply: FastifyReply): Promise<Interaction | undefined> {
  const { provider } = await deps.holder.get();
  try {
    const interaction = await provider.interactionDetails(request.raw, reply.raw);
    return interaction.uid === request.params.uid ? interaction : undefined;
  } catch (err) {
    if (err instanceof errors.SessionNotFound) return undefined;
    throw err;
  }
}

async function finish(deps: InteractionDeps, request: UidRequest, reply: FastifyReply, result: InteractionResults) {
  const { provider } = await deps.holder.get();
  const returnTo = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
  return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
}

export function registerInteractionRoutes(app: FastifyInstance, deps: InteractionDeps): void {
  const expired = (reply: FastifyReply) => showError(reply, 400, 'invalid_request', 'This sign-in has expired or was opened in another browser.');

  app.get<{ Params: { uid: string } }>('/oidc/interaction/:uid', async (request, reply) => {
    const interaction = await loadInteraction(deps, request, reply);
    if (!interaction) return expired(reply);
    const identityId = await deps.sessions.currentIdentityId(request.headers);
    if (!identityId) {
      const here = `${deps.basePath}/oidc/interaction/${encodeURIComponent(interaction.uid)}`;
      return reply.header('cache-control', 'no-store').redirect(`${deps.basePath}/signin?return_to=${encodeURIComponent(here)}`, 303);
    }
    if (!(await deps.identities.claimsFor(identityId))) {
      return finish(deps, request, reply, { error: 'access_denied', error_description: 'This person may not sign in to apps.' });
    }
    if (interaction.prompt.name === 'login') return finish(deps, request, reply, { login: { accountId: identityId } });
    // Grants are automatic (loadExistingGrant), so the only prompt left is login; anything else is refused.
    return finish(deps, request, reply, { error: 'access_denied', error_description: 'The sign-in could not be completed.' });
  });

  // "Cancel" on the sign-in page: the app receives access_denied.
  const abort = async (request: UidRequest, reply: FastifyReply) => {
    const interaction = await loadInteraction(deps, request, reply);
    if (!interaction) return expired(reply);
    return finish(deps, request, reply, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' });
  };
  app.get<{ Params: { uid: string } }>('/oidc/interaction/:uid/abort', abort);
  app.post<{ Params: { uid: string } }>('/oidc/interaction/:uid/abort', abort);
}
