// Sign-in and sessions: the sign-in methods (Carillon's password, the installation's social providers, and those
// other capabilities register), per-account method configurations, one throttle for end users and administrators,
// identities and their sessions, and the end-user pages.
import { parseCookie } from 'cookie';
import { defineModule } from '../platform/module.js';
import * as methodConfigsMigration from './method-configs-migration.js';
import { passwordMethod } from './methods/password-method.js';
import { socialMethod } from './methods/social-method.js';
import { registerSigninPages } from './signin-pages.js';
import { SESSION_COOKIE, SigninService } from './signin-service.js';
import { SigninMethods } from './signin-methods.js';
import { LoginWithAmazon, OpenIdConnectLogin, type SocialProvider } from './social-login.js';
import { Throttle } from './throttle.js';

declare module '../platform/module.js' {
  interface Services {
    signin: SigninService;
    methods: SigninMethods;
    throttle: Throttle;
    /** The social sign-in providers configured (Login with Amazon, a generic OpenID Connect provider). */
    socialProviders: SocialProvider[];
  }
}

export const signinModule = defineModule({
  name: 'signin',
  migrations: { '008-signin-methods': methodConfigsMigration },
  provide: (s) => {
    const throttle = new Throttle({ db: s.db, clock: s.clock });
    const socialProviders: SocialProvider[] = [
      ...(s.config.social.lwa ? [new LoginWithAmazon(s.config.social.lwa)] : []),
      ...(s.config.social.oidc ? [new OpenIdConnectLogin(s.config.social.oidc)] : []),
    ];
    const methods = new SigninMethods({ db: s.db, clock: s.clock, secretBox: s.secretBox, defaultKind: 'password' });
    methods.register(passwordMethod({ db: s.db, audit: s.audit, throttle }));
    methods.register(socialMethod(socialProviders));
    const signin = new SigninService({
      db: s.db,
      clock: s.clock,
      audit: s.audit,
      mailer: s.mailer,
      users: s.users,
      methods,
      publicUrl: s.config.publicUrl,
      session: s.config.session,
      cookieOf: (headers) => {
        const raw = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
        return raw ? parseCookie(raw)[SESSION_COOKIE] : undefined;
      },
    });
    s.audit.nameWith('identity', (ids) => signin.emailsOf(ids));
    return { throttle, methods, signin, socialProviders };
  },
  pages: registerSigninPages,
});
