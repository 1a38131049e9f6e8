// The database under test: embedded SQLite by default, a real PostgreSQL when CARILLON_TEST_DB=postgres
// (scripts/test.sh starts one and sets CARILLON_TEST_POSTGRES_URL). Each call gets a fresh, empty database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testEngine = (process.env.CARILLON_TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres';

export type TestDatabase = { databaseUrl: string | undefined; drop: () => Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  if (testEngine === 'sqlite') return { databaseUrl: undefined, drop: async () => {} };
  const adminUrl = process.env.CARILLON_TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('CARILLON_TEST_DB=postgres needs CARILLON_TEST_POSTGRES_URL (scripts/test.sh sets it)');
  const name = `carillon_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
