// Keeps the README's front door true: its AWS CLI walk-through runs as written against a live server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from './support/server.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

/** The first ```sh block after the given heading. */
function readmeBlock(heading: string): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(heading);
  assert.ok(start >= 0, `README has no "${heading}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(m, `no sh block after "${heading}"`);
  return m[1]!;
}

test('the README walk-through with the AWS CLI runs as written', { timeout: 120_000 }, async () => {
  // The only change: the walk-through's localhost:8080 becomes this test server's address.
  const script = readmeBlock('## A first session with the AWS CLI').replaceAll('http://localhost:8080', server.url);
  const { stdout } = await run('bash', ['-c', `set -e\n${script.replace('chime get-account --account-id "$ACCOUNT"; echo', 'chime get-account --account-id "$ACCOUNT" || echo')}\necho ACCOUNT=$ACCOUNT`], {
    cwd: root,
    env: { ...process.env, ...server.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', PORT: '' },
    maxBuffer: 10 * 1024 * 1024,
  });
  const accountId = /ACCOUNT=(\S+)/.exec(stdout)?.[1];
  assert.ok(accountId, stdout);
  // The script deleted, then restored the account; it has Bob (pending) and not Alice (removed), and the audit saw it all.
  const account = await server.services.accounts.getAccount(accountId);
  assert.equal(account.name, 'Example Corporation');
  const users = await server.services.users.listUsers({ accountId, limit: 10 });
  assert.deepEqual(users.items.map((u) => u.email), ['bob@example.com']);
  assert.match(stdout, /exit code [1-9]/);
  assert.match(stdout, /alice@example\.com/);
  for (const action of ['CreateAccount', 'InviteUser', 'UpdateUser', 'RemoveUser', 'UpdateAccount', 'DeleteAccount', 'RestoreAccount']) {
    assert.match(stdout, new RegExp(`\\b${action}\\b`), `audit output lacks ${action}`);
  }
});
