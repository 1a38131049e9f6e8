// SQL for console administrators, their sessions and their one-time setup links.
import type { AdminSessionsTable, AdminsTable, Executor } from '../platform/db/schema.js';
import type { Role } from '../platform/roles.js';

export type Admin = { id: string; email: string; emailNorm: string; name: string; role: Role; passwordHash: string; createdAt: string; disabledAt: string | null };

export type AdminSession = { id: string; adminId: string; csrfToken: string; createdAt: string; lastSeenAt: string; expiresAt: string; revokedAt: string | null };

export type SetupToken = { id: string; email: string | null; role: Role; createdAt: string; expiresAt: string; usedAt: string | null };

const toAdmin = (r: AdminsTable): Admin => ({
  id: r.id,
  email: r.email,
  emailNorm: r.email_norm,
  name: r.display_name,
  role: r.role as Role,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

const toSession = (r: AdminSessionsTable): AdminSession => ({
  id: r.id,
  adminId: r.admin_id,
  csrfToken: r.csrf_token,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

export const adminsRepository = {
  async insert(ex: Executor, a: Admin): Promise<void> {
    await ex
      .insertInto('admins')
      .values({ id: a.id, email: a.email, email_norm: a.emailNorm, display_name: a.name, role: a.role, password_hash: a.passwordHash, created_at: a.createdAt, updated_at: a.createdAt, disabled_at: null })
      .execute();
  },

  async findById(ex: Executor, id: string): Promise<Admin | undefined> {
    const row = await ex.selectFrom('admins').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAdmin(row);
  },

  async findByEmail(ex: Executor, emailNorm: string): Promise<Admin | undefined> {
    const row = await ex.selectFrom('admins').selectAll().where('email_norm', '=', emailNorm).executeTakeFirst();
    return row && toAdmin(row);
  },

  async list(ex: Executor): Promise<Admin[]> {
    return (await ex.selectFrom('admins').selectAll().orderBy('created_at').execute()).map(toAdmin);
  },

  async anyExists(ex: Executor): Promise<boolean> {
    return (await ex.selectFrom('admins').select('id').limit(1).executeTakeFirst()) !== undefined;
  },

  async emailsOf(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await ex.selectFrom('admins').select(['id', 'email']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.email]));
  },

  async countEnabled(ex: Executor): Promise<number> {
    const row = await ex.selectFrom('admins').select((eb) => eb.fn.countAll<string | number>().as('n')).where('disabled_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async reenable(ex: Executor, a: Admin, now: string): Promise<void> {
    await ex.updateTable('admins').set({ email: a.email, display_name: a.name, role: a.role, password_hash: a.passwordHash, disabled_at: null, updated_at: now }).where('id', '=', a.id).execute();
  },

  async disable(ex: Executor, id: string, now: string): Promise<boolean> {
    const res = await ex.updateTable('admins').set({ disabled_at: now, updated_at: now }).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
};

export const adminSessionsRepository = {
  async insert(ex: Executor, s: AdminSession & { sourceIp: string | null }): Promise<void> {
    await ex
      .insertInto('admin_sessions')
      .values({ id: s.id, admin_id: s.adminId, csrf_token: s.csrfToken, created_at: s.createdAt, last_seen_at: s.lastSeenAt, expires_at: s.expiresAt, revoked_at: null, source_ip: s.sourceIp })
      .execute();
  },

  async findById(ex: Executor, id: string): Promise<AdminSession | undefined> {
    const row = await ex.selectFrom('admin_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSession(row);
  },

  async touch(ex: Executor, id: string, now: string): Promise<void> {
    await ex.updateTable('admin_sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  },

  async revoke(ex: Executor, id: string, now: string): Promise<void> {
    await ex.updateTable('admin_sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  },

  async revokeAllOf(ex: Executor, adminId: string, now: string): Promise<void> {
    await ex.updateTable('admin_sessions').set({ revoked_at: now }).where('admin_id', '=', adminId).where('revoked_at', 'is', null).execute();
  },
};

export const setupTokensRepository = {
  async insert(ex: Executor, t: SetupToken): Promise<void> {
    await ex.insertInto('admin_setup_tokens').values({ id: t.id, email: t.email, role: t.role, created_at: t.createdAt, expires_at: t.expiresAt, used_at: null }).execute();
  },

  async findById(ex: Executor, id: string): Promise<SetupToken | undefined> {
    const r = await ex.selectFrom('admin_setup_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, email: r.email, role: r.role as Role, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at };
  },

  /** Marks a token used; false when another request used it first. */
  async use(ex: Executor, id: string, now: string): Promise<boolean> {
    const res = await ex.updateTable('admin_setup_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  /** Retires every unused link made out to an address (compared case-insensitively, as typed it may differ). */
  async retireFor(ex: Executor, emailNorm: string, now: string): Promise<void> {
    const open = await ex.selectFrom('admin_setup_tokens').select(['id', 'email']).where('email', 'is not', null).where('used_at', 'is', null).execute();
    const ids = open.filter((t) => t.email!.trim().toLowerCase() === emailNorm).map((t) => t.id);
    if (ids.length > 0) await ex.updateTable('admin_setup_tokens').set({ used_at: now }).where('id', 'in', ids).execute();
  },

  /** Retires the unused first-run links once the first administrator exists. */
  async retireFirstRun(ex: Executor, now: string): Promise<void> {
    await ex.updateTable('admin_setup_tokens').set({ used_at: now }).where('email', 'is', null).where('used_at', 'is', null).execute();
  },
};
