// SQL for identities, their links to providers' subjects, sessions, one-time email tokens and sign-in throttling.
import { sql } from 'kysely';
import { isUniqueViolation } from '../platform/db/database.js';
import { AppError } from '../platform/errors.js';
import type { Executor, IdentitiesTable, SessionsTable } from '../platform/db/schema.js';

export type Identity = {
  id: string;
  email: string;
  emailNorm: string;
  displayName: string | null;
  passwordHash: string | null;
  emailVerifiedAt: string | null;
  proTrialEndsAt: string | null;
  sessionsRevokedAt: string | null;
  createdAt: string;
};

export type Session = { id: string; identityId: string; csrfToken: string; createdAt: string; lastSeenAt: string; expiresAt: string; revokedAt: string | null };

export type EmailTokenPurpose = 'verify-email' | 'reset-password';

const toIdentity = (r: IdentitiesTable): Identity => ({
  id: r.id,
  email: r.email,
  emailNorm: r.email_norm,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  emailVerifiedAt: r.email_verified_at,
  proTrialEndsAt: r.pro_trial_ends_at,
  sessionsRevokedAt: r.sessions_revoked_at,
  createdAt: r.created_at,
});

const toSession = (r: SessionsTable): Session => ({
  id: r.id,
  identityId: r.identity_id,
  csrfToken: r.csrf_token,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

export const identitiesRepository = {
  async insert(ex: Executor, i: Identity): Promise<void> {
    await ex
      .insertInto('identities')
      .values({
        id: i.id,
        email: i.email,
        email_norm: i.emailNorm,
        display_name: i.displayName,
        password_hash: i.passwordHash,
        email_verified_at: i.emailVerifiedAt,
        pro_trial_ends_at: i.proTrialEndsAt,
        sessions_revoked_at: i.sessionsRevokedAt,
        created_at: i.createdAt,
        updated_at: i.createdAt,
      })
      .execute()
      .catch((e: unknown) => {
        if (isUniqueViolation(e)) throw new AppError('signin.email_taken', 'An identity with this email already exists. Sign in instead.');
        throw e;
      });
  },

  async findById(ex: Executor, id: string): Promise<Identity | undefined> {
    const r = await ex.selectFrom('identities').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toIdentity(r) : undefined;
  },

  async emailsOf(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await ex.selectFrom('identities').select(['id', 'email']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.email]));
  },

  async findByEmail(ex: Executor, emailNorm: string): Promise<Identity | undefined> {
    const r = await ex.selectFrom('identities').selectAll().where('email_norm', '=', emailNorm).executeTakeFirst();
    return r ? toIdentity(r) : undefined;
  },

  async update(ex: Executor, id: string, patch: Partial<Pick<IdentitiesTable, 'display_name' | 'password_hash' | 'email_verified_at' | 'pro_trial_ends_at' | 'sessions_revoked_at'>>, at: string): Promise<void> {
    await ex.updateTable('identities').set({ ...patch, updated_at: at }).where('id', '=', id).execute();
  },
};

export const identityLinksRepository = {
  /** The identity a provider's subject is linked to. */
  async findIdentityId(ex: Executor, provider: string, subject: string): Promise<string | undefined> {
    const r = await ex.selectFrom('identity_links').select('identity_id').where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
    return r?.identity_id;
  },

  async insert(ex: Executor, l: { provider: string; subject: string; identityId: string; at: string }): Promise<void> {
    await ex
      .insertInto('identity_links')
      .values({ provider: l.provider, subject: l.subject, identity_id: l.identityId, created_at: l.at })
      .execute()
      .catch((e: unknown) => {
        if (isUniqueViolation(e)) throw new AppError('signin.email_taken', 'This sign-in is already linked to an identity.');
        throw e;
      });
  },

  async removeAllOf(ex: Executor, identityId: string): Promise<void> {
    await ex.deleteFrom('identity_links').where('identity_id', '=', identityId).execute();
  },
};

export const sessionsRepository = {
  async insert(ex: Executor, s: Session & { sourceIp: string | null; userAgent: string | null }): Promise<void> {
    await ex
      .insertInto('sessions')
      .values({
        id: s.id,
        identity_id: s.identityId,
        csrf_token: s.csrfToken,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
        revoked_at: null,
        source_ip: s.sourceIp,
        user_agent: s.userAgent,
      })
      .execute();
  },

  async findById(ex: Executor, id: string): Promise<Session | undefined> {
    const r = await ex.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toSession(r) : undefined;
  },

  async touch(ex: Executor, id: string, at: string): Promise<void> {
    await ex.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  },

  async revoke(ex: Executor, id: string, at: string): Promise<void> {
    await ex.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  },

  async revokeAllOf(ex: Executor, identityId: string, at: string): Promise<void> {
    await ex.updateTable('sessions').set({ revoked_at: at }).where('identity_id', '=', identityId).where('revoked_at', 'is', null).execute();
  },

  async countLive(ex: Executor, identityId: string, f: { now: string; seenSince: string; createdAfter: string | undefined }): Promise<number> {
    let q = ex
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('identity_id', '=', identityId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', f.now)
      .where('last_seen_at', '>=', f.seenSince);
    if (f.createdAfter) q = q.where('created_at', '>', f.createdAfter);
    return Number((await q.executeTakeFirstOrThrow()).n);
  },
};

export const emailTokensRepository = {
  async insert(ex: Executor, t: { id: string; identityId: string; purpose: EmailTokenPurpose; expiresAt: string; createdAt: string }): Promise<void> {
    await ex.insertInto('email_tokens').values({ id: t.id, identity_id: t.identityId, purpose: t.purpose, expires_at: t.expiresAt, used_at: null, created_at: t.createdAt }).execute();
  },

  /** Marks the token used if it is unused, unexpired and of the right purpose; returns its identity id. */
  async consume(ex: Executor, id: string, purpose: EmailTokenPurpose, now: string): Promise<string | undefined> {
    const r = await ex
      .selectFrom('email_tokens')
      .select('identity_id')
      .where('id', '=', id)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!r) return undefined;
    const res = await ex.updateTable('email_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? r.identity_id : undefined;
  },

  /** Kills every unused token of a purpose (a new reset link makes older ones useless). */
  async invalidateAll(ex: Executor, identityId: string, purpose: EmailTokenPurpose, now: string): Promise<void> {
    await ex.updateTable('email_tokens').set({ used_at: now }).where('identity_id', '=', identityId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
  },
};

export const throttleRepository = {
  /** The throttle rows of these keys (a key without failures has none). */
  async find(ex: Executor, keys: string[]): Promise<Array<{ key: string; lockedUntil: string | null }>> {
    const rows = await ex.selectFrom('signin_throttle').select(['key', 'locked_until']).where('key', 'in', keys).execute();
    return rows.map((r) => ({ key: r.key, lockedUntil: r.locked_until }));
  },

  /** Counts a failure in the key's window; locks the key when the window holds `limit` failures. */
  async recordFailure(ex: Executor, key: string, now: Date, windowMs: number, limit: number, lockMs: number): Promise<void> {
    const nowIso = now.toISOString();
    const windowStart = new Date(now.getTime() - windowMs).toISOString();
    await ex
      .insertInto('signin_throttle')
      .values({ key, failures: 1, window_started_at: nowIso, locked_until: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`case when signin_throttle.window_started_at < ${windowStart} then 1 else signin_throttle.failures + 1 end`,
          window_started_at: sql`case when signin_throttle.window_started_at < ${windowStart} then ${nowIso} else signin_throttle.window_started_at end`,
        }),
      )
      .execute();
    await ex
      .updateTable('signin_throttle')
      .set({ locked_until: new Date(now.getTime() + lockMs).toISOString(), failures: 0, window_started_at: nowIso })
      .where('key', '=', key)
      .where('failures', '>=', limit)
      .execute();
  },

  async clear(ex: Executor, key: string): Promise<void> {
    await ex.deleteFrom('signin_throttle').where('key', '=', key).execute();
  },
};

