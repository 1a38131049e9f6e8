// Seeds a benchmark database directly through the repositories' tables: one large account of N users,
// M small accounts, and a full-access key. Rows are built in memory and inserted in large batches.
import { sql } from 'kysely';
import { AccessKeysService } from '../src/access-keys/access-keys-service.js';
import { AccountsService } from '../src/accounts/accounts-service.js';
import { AuditLog } from '../src/audit/audit-log.js';
import { systemClock } from '../src/platform/clock.js';
import { migrateToLatest, openDatabase } from '../src/platform/db/database.js';
import { allMigrations } from '../src/app-services.js';
import type { UsersTable } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { resolveMasterKey, SecretBox } from '../src/platform/secret-box.js';
import { hashPassword } from '../src/signin/passwords.js';

export type Seeded = { accountId: string; sampleUserIds: string[]; accessKeyId: string; secretAccessKey: string; signinEmail: string; signinPassword: string };

export const emailOf = (i: number) => `user${i}@bench.example.com`;

export async function seed(options: { dataDir: string; databaseUrl?: string | undefined; users: number; accounts: number; progress: (done: number, total: number) => void }): Promise<Seeded> {
  const { db, engine, close } = openDatabase(options);
  try {
    await migrateToLatest(db, allMigrations());
    const audit = new AuditLog({ db, clock: systemClock });
    const accounts = new AccountsService({ db, clock: systemClock, audit });
    const keys = new AccessKeysService({ db, clock: systemClock, audit, secretBox: new SecretBox(resolveMasterKey(undefined, options.dataDir).key), accounts });
    const actor = { type: 'system' as const, id: 'bench' };
    const big = await accounts.createAccount(actor, 'Bench Large');
    const now = new Date().toISOString();
    const trialEnds = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const batch = engine === 'sqlite' ? 1000 : 2000;
    const sample: string[] = [];
    for (let start = 0; start < options.users; start += batch) {
      const rows: UsersTable[] = [];
      for (let i = start; i < Math.min(start + batch, options.users); i++) {
        const id = uuidv7();
        if (i % Math.max(1, Math.floor(options.users / 1000)) === 0) sample.push(id);
        // A large organization's mix, for the console's filters: 5% invited and not yet registered, 1% suspended,
        // 0.1% shared devices, a third Basic, 1.3% on a Pro trial.
        const invited = i % 20 === 3;
        const onTrial = i % 3 !== 0 && i % 50 === 1;
        rows.push({
          id,
          account_id: big.id,
          email: emailOf(i),
          email_norm: emailOf(i),
          display_name: `User ${i}`,
          user_type: i % 1000 === 11 ? 'SharedDevice' : 'PrivateUser',
          license: i % 3 === 0 ? 'Basic' : onTrial ? 'ProTrial' : 'Pro',
          registration_status: invited ? 'Unregistered' : i % 100 === 7 ? 'Suspended' : 'Registered',
          invitation_status: invited ? 'Pending' : null,
          invited_on: invited ? now : null,
          registered_on: invited ? null : now,
          personal_pin: String(1_000_000_000 + i),
          alexa_enabled: null,
          alexa_room_arn: null,
          telephony_inbound: 1,
          telephony_outbound: 1,
          telephony_sms: 1,
          pro_trial_ends_at: onTrial ? trialEnds : null,
          sessions_revoked_at: null,
          created_at: now,
          updated_at: now,
          removed_at: null,
          identity_id: null,
          license_chosen_at: null,
        });
      }
      // Kysely chunks nothing itself: SQLite allows 32766 bound values per statement (22 columns x 1000 rows fits).
      await db.insertInto('users').values(rows).execute();
      options.progress(Math.min(start + batch, options.users), options.users);
    }
    for (let start = 0; start < options.accounts; start += batch) {
      const rows = [];
      for (let i = start; i < Math.min(start + batch, options.accounts); i++) {
        const name = `Bench Account ${String(i).padStart(7, '0')}`;
        rows.push({
          id: uuidv7(),
          name,
          name_norm: name.toLowerCase(),
          type: 'Team',
          status: 'Active',
          default_license: 'Pro',
          disable_remote_control: 0 as const,
          enable_dial_out: 1 as const,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        });
      }
      await db.insertInto('accounts').values(rows).execute();
    }
    if (engine === 'postgres') await sql`analyze`.execute(db);
    const key = await keys.createKey(actor, { name: 'bench', role: 'full' });
    // One person with a password, for the sign-in benchmark.
    const signinEmail = 'signin@bench.example.com';
    const signinPassword = 'bench-password-1234';
    await db
      .insertInto('identities')
      .values({ id: uuidv7(), email: signinEmail, email_norm: signinEmail, display_name: 'Bench', password_hash: await hashPassword(signinPassword), email_verified_at: now, pro_trial_ends_at: null, sessions_revoked_at: null, created_at: now, updated_at: now })
      .execute();
    return { accountId: big.id, sampleUserIds: sample, accessKeyId: key.id, secretAccessKey: key.secretAccessKey, signinEmail, signinPassword };
  } finally {
    await close();
  }
}
