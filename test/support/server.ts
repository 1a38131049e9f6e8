// Starts a real Carillon server for a test: fresh data dir, fresh database, an access key, and SDK clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChimeClient } from '@aws-sdk/client-chime';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/platform/roles.js';
import type { Clock } from '../../src/platform/clock.js';
import type { CapabilityModule } from '../../src/platform/module.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export type Credentials = { accessKeyId: string; secretAccessKey: string };

export type TestServer = RunningServer & {
  dataDir: string;
  env: Record<string, string>;
  admin: Credentials;
  client: ChimeClient;
  clientFor: (creds: Credentials, region?: string) => ChimeClient;
  createKey: (role: Role, accountId?: string) => Promise<Credentials>;
};

export type TestServerOptions = { env?: Record<string, string>; clock?: Clock; modules?: readonly CapabilityModule[] };

/** Starts a server; stop it with `await server.stop()` (which also removes its database and data dir). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-test-'));
  const database: TestDatabase = await createTestDatabase();
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    CARILLON_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.CARILLON_TEST_LOG_LEVEL ?? 'silent',
    CARILLON_CHECK_RESPONSES: '1',
    ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }),
    ...options.env,
  };
  const running = await startServer(loadConfig(env), { ...(options.clock && { clock: options.clock }), ...(options.modules && { modules: options.modules }) });
  const clientFor = (creds: Credentials, region = 'us-east-1') =>
    new ChimeClient({ endpoint: running.url, region, credentials: creds, maxAttempts: 1 });
  const createKey = async (role: Role, accountId?: string): Promise<Credentials> => {
    const key = await running.services.accessKeys.createKey({ type: 'system', id: 'test' }, { name: `test-${role}`, role, accountId });
    return { accessKeyId: key.id, secretAccessKey: key.secretAccessKey };
  };
  const admin = await createKey('full');
  const client = clientFor(admin);
  return {
    ...running,
    dataDir,
    env,
    admin,
    client,
    clientFor,
    createKey,
    stop: async () => {
      client.destroy();
      await running.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
