// The `social-oidc` method: the installation's social providers (Login with Amazon, a generic OpenID Connect
// provider; see social-login.ts), configured from the environment. The configuration names which provider.
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import type { PendingLogin, SocialProvider } from '../social-login.js';
import type { RedirectMethod } from './signin-method.js';

const config = z.object({ provider: z.string() }).strict();

export function socialMethod(providers: readonly SocialProvider[]): RedirectMethod<z.infer<typeof config>> {
  const provider = (id: string) => {
    const p = providers.find((x) => x.id === id);
    if (!p) throw new AppError('route.not_found', 'This sign-in method is not configured.');
    return p;
  };
  return {
    kind: 'social-oidc',
    style: 'redirect',
    configSchema: config,
    secretFields: [],
    async begin({ config: c, redirectUri }) {
      const { url, pending } = await provider(c.provider).begin(redirectUri, '');
      return { url, pending };
    },
    async finish({ config: c, callbackUrl, pending }) {
      const p = provider(c.provider);
      const profile = await p.finish(callbackUrl, pending as PendingLogin);
      return {
        method: 'social-oidc',
        link: { provider: p.id, subject: profile.subject },
        email: profile.email,
        emailVerified: profile.emailVerified,
        displayName: profile.name,
      };
    },
  };
}
