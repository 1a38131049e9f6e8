// `/healthz` is probed every few seconds: at LOG_LEVEL=info its requests write nothing, while other requests still
// write their "incoming request" and "request completed" lines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { createServices, type ComposedServices } from '../src/app-services.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const lines: Array<Record<string, unknown>> = [];
const stream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let dataDir: string;
let database: TestDatabase;
let services: ComposedServices;
let app: FastifyInstance;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-healthz-'));
  database = await createTestDatabase();
  const config = loadConfig({ CARILLON_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }) });
  const logger = createLogger('info', stream);
  services = await createServices(config, logger, { startWorkers: false });
  app = await buildApp(services, logger);
  await app.ready();
});
after(async () => {
  await app.close();
  await services.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const flush = () => new Promise((r) => setImmediate(r));

test('GET /healthz writes no log line at info; another request does', async () => {
  await flush();
  lines.length = 0;
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: 'ok', database: services.engine });
  }
  await flush();
  assert.deepEqual(lines.map((l) => `${String(l.level)} ${String(l.msg)}`), [], 'no line for the probes');

  // The logger does write at info: an ordinary request logs its arrival and its answer.
  const res = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(res.statusCode, 404);
  await flush();
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      [30, 'incoming request'],
      [30, 'request completed'],
    ],
  );
});
