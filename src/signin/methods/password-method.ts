// The `password` method: Carillon's own identities with an argon2id password, throttled per (email, address) and
// per address. A wrong password and an unknown email cost the same time and get the same answer.
import type { AuditLog } from '../../audit/audit-log.js';
import type { Db } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { normalizeEmail } from '../../users/users-repository.js';
import { decoyHash, verifyPassword } from '../passwords.js';
import { identitiesRepository } from '../signin-repository.js';
import { noConfig } from '../signin-methods.js';
import type { Throttle } from '../throttle.js';
import type { CredentialsMethod } from './signin-method.js';

export function passwordMethod(deps: { db: Db; audit: AuditLog; throttle: Throttle }): CredentialsMethod<Record<string, never>> {
  return {
    kind: 'password',
    style: 'credentials',
    configSchema: noConfig,
    secretFields: [],
    secretLabel: 'Password',
    async authenticate({ email, secret, sourceIp }) {
      const emailNorm = normalizeEmail(email).slice(0, 254);
      const throttle = await deps.throttle.check('', emailNorm, sourceIp, 'Too many failed sign-ins. Wait 15 minutes, or reset your password.');
      const identity = await identitiesRepository.findByEmail(deps.db, emailNorm);
      const ok = await verifyPassword(identity?.passwordHash ?? (await decoyHash()), secret.slice(0, 1024));
      if (!identity || !identity.passwordHash || !ok) {
        await deps.db.transaction().execute(async (trx) => {
          await throttle.recordFailure(trx);
          await deps.audit.record(trx, { type: 'system', id: 'signin', sourceIp }, { action: 'SignInFailed', resourceType: 'identity', resourceId: identity?.id ?? emailNorm, details: { method: 'password' } });
        });
        throw new AppError('signin.invalid_credentials', 'The email or password is not correct.');
      }
      if (!identity.emailVerifiedAt) throw new AppError('signin.email_unverified', 'Confirm your email first: follow the link we sent you.');
      await throttle.recordSuccess();
      return { method: 'password', identityId: identity.id, email: identity.email, emailVerified: true };
    },
  };
}
