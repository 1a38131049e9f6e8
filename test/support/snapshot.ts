// A fingerprint of everything an API request could write: row counts of every table it touches and a digest of
// the columns updates change. Tests compare fingerprints to prove a refused request changed nothing.
import { createHash } from 'node:crypto';
import type { Db } from '../../src/platform/db/schema.js';

export type Snapshot = Record<string, number | string>;

const counted = ['accounts', 'users', 'audit_events', 'invitations', 'outbox', 'signin_delegate_groups', 'access_keys'] as const;

async function count(db: Db, table: (typeof counted)[number]): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function databaseSnapshot(db: Db): Promise<Snapshot> {
  const [accounts, users, groups, settings] = await Promise.all([
    db.selectFrom('accounts').select(['id', 'name', 'default_license', 'disable_remote_control', 'enable_dial_out', 'updated_at', 'deleted_at']).orderBy('id').execute(),
    db
      .selectFrom('users')
      .select(['id', 'license', 'user_type', 'registration_status', 'updated_at', 'removed_at', 'personal_pin', 'sessions_revoked_at'])
      .orderBy('id')
      .execute(),
    db.selectFrom('signin_delegate_groups').select(['account_id', 'group_name']).orderBy('account_id').orderBy('group_name').execute(),
    db.selectFrom('settings').select(['key', 'value']).orderBy('key').execute(),
  ]);
  const out: Snapshot = {};
  for (const t of counted) out[t] = await count(db, t);
  out.digest = createHash('sha256').update(JSON.stringify([accounts, users, groups, settings])).digest('hex');
  return out;
}
